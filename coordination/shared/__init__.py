"""What every context shares and owns nothing of its own:

- `vocabulary` – SUS categories, stages, roles and parts as enums, with Swedish labels
- `access`     – the signed-in `User` and the one set of access rules (and the menu drawn from them)
- `clock`      – the one clock, in the team's time zone
- `database`   – the engine, the shared metadata and the migrations
- `forms`      – reading posted fields into typed values with a Swedish message per bad field
- `web`        – page rendering (htmx partials), guards from the access rules, posted forms
- `charts`     – the step chart and bar charts drawn as SVG data
"""
