"""Accounts: teams, users, sessions and the team's insatser.

- `service`  – `Accounts`: local login (argon2), sessions, users and their delivery choice
- `insatser` – `Insatser`: what the team offers, by SUS type and period
- `tables`   – teams, users, sessions, login failures, insatser
- `web/`     – the authentication middleware, login and password pages, administration
"""
