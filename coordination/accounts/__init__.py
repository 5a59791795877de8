"""Accounts: teams, users, sessions and the team's insatser.

- `service`  – `Accounts`: local login (argon2), sessions, users and their delivery choice
- `insatser` – `Insatser`: what the team offers, by SUS type and period
- `sign_on`  – `OpenIdProvider`: sign-on with the organisation's OpenID provider
- `tables`   – teams, users, sessions, login failures, the login setting, insatser
- `web/`     – the authentication middleware, login, sign-on and password pages, administration
"""
