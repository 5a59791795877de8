"""Reminders: derived from the case's events, swept to an outbox, delivered by email.

- `domain`     – the reminder rules as a pure fold of a case's events
- `projection` – the due list, moved by every event
- `service`    – `Reminders`: the sweep, weekly digests, the outbox, what is due for whom
- `delivery`   – the outbox: messages put in it, and sent over SMTP with leases and back-off
- `schedule`   – APScheduler as the clock that ticks the sweep
- `emails`     – the Swedish texts of the emails (no personal data)
- `tables`     – facts, due reminders, the outbox
- `web`        – Mina påminnelser, the outbox page, delivery settings
"""
