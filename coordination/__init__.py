"""Samordna: the shared tool of Finsam coordination teams.

One package per bounded context, each with the same layering (domain ← service ← web):

- `shared/`     vocabularies, the clock, the access rules, the database, web helpers, charts
- `accounts/`   teams, users, sessions, insatser; login and administration pages
- `cases/`      the journey of a case: the decider, its stored events, the service, the
                read models and their queries, and the case pages
- `reminders/`  reminder rules, their projection, the sweep, outbox and emails, Mina påminnelser
- `reports/`    caseload, statistics (pure) and exports
- `migrations/` one Alembic history for every context's tables

`app.py` is the composition root (settings → engine → store → services → Litestar app);
`cli.py` is the `coordination` command; `config.py` reads the environment; `demo/` seeds a
demo team with three years of cases, or a large team for benchmarks.
"""
