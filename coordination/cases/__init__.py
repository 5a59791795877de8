"""Cases: one participant's journey from referral to the last follow-up.

- `domain/`    – the decider: events, commands, state and one module per phase (pure)
- `contract`   – the stored event contract: registration, JSON, personal fields
- `service`    – `Cases`: load, decide, append; the team and case page queries; the read audit
- `projection` – the read models kept inline with every append
- `queries`    – `CaseQueries`: the journey's read models (plans, meetings, steps, …)
- `tables`     – the read models (the participant's personal data in sealed columns, a blind
                 index of the personnummer) and the read audit
- `web/`       – the team page, referrals and the case page with its forms, one module per
                 part of the journey, over one `CaseDesk` per request
"""
