"""Reports: caseload and statistics for teamledare and analytiker; aggregates only.

- `statistics` – the SUS tables from case facts, small cells hidden (pure)
- `queries`    – `Reports`: statistics facts, caseload, referral queue and trend, SUS rows
- `exports`    – CSV and Excel
- `web`        – Arbetsbelastning, Statistik, the SUS export
"""
