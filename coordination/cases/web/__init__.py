"""The cases' web: `desk` (what every case handler shares), `team` (team page, referrals,
read audit), `case` (case page, referral decision, enrolment, consent), `plan`, `meetings`,
`progress` (steps, handovers, closure, follow-ups, after-support)."""
