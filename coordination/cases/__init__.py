"""Cases: one participant's journey from referral to the last follow-up.

- `domain/`    – the decider: events, commands, state and one module per phase (pure)
- `contract`   – the stored event contract: registration, JSON, personal fields
- `gate`       – the one access gate's rules: who sees a case, its personal data, and who
                 may run which command; ids from forms checked against the team
- `board`      – `CaseRow`: a case as one row of the team board (no personal data)
- `queries`    – `CaseQueries`: the journey's read models (plans, meetings, steps, …)
- `reading`    – `CaseFile` (one case as one reader may see it) and `CaseReader`, the
                 journey read through it
- `service`    – `Cases`: opens cases through the gate (writing the Läslogg), loads, decides
                 and appends; the team and case page queries
- `privacy`    – retention (gallring) from the clock, and the registerutdrag
- `projection` – the read models kept inline with every append
- `tables`     – the read models (the participant's personal data in sealed columns, a blind
                 index of the personnummer) and the read audit (Läslogg)
- `web/`       – the team page, referrals and the case page with its forms, one module per
                 part of the journey, over one `CaseDesk` per request; erasure, retention and
                 the registerutdrag in `web/privacy.py`
"""
