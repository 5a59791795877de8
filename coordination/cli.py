"""The `coordination` command: serve, check, migrate, rebuild, backup, restore, demo, import,
create-user, create-token."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

import events
from coordination import demo
from coordination.accounts.service import Accounts
from coordination.accounts.tables import teams, users
from coordination.accounts.tokens import (
    DEFAULT_LIFETIME_DAYS,
    LONGEST_LIFETIME_DAYS,
    AccessTokens,
    expires_at,
)
from coordination.app import build_services, build_store, create_app
from coordination.cases import imports
from coordination.config import ConfigurationError, Settings, load_settings
from coordination.demo.large import LEADER_EMAIL
from coordination.demo.large import PASSWORD as LARGE_PASSWORD
from coordination.shared import bounds
from coordination.shared import database as db
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import Part, Role, TokenScope


def _engine(settings: Settings) -> sa.Engine:
    engine = db.connect(settings.database_url)
    db.migrate(engine)
    return engine


def _has_users(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() > 0


def _seed_demo(settings: Settings, engine: sa.Engine, years: int = 3, cases: int = 0) -> None:
    """Seed an empty database: the demo team with `years` years of history, or with `cases`
    the large benchmark team. A database with users is left as it is."""
    if _has_users(engine):
        print("Databasen har redan användare: inga demodata läggs till.")
        return
    services = build_services(settings, engine)
    today = services.clock.today()
    started = time.monotonic()
    if cases:
        events = demo.seed_large(engine, services.cases, today, cases)
        print(
            f"Demodata: Bänkteamet med {cases} ärenden ({events} händelser) "
            f"på {time.monotonic() - started:.0f} s."
        )
        print(f"Logga in som {LEADER_EMAIL} med lösenordet {LARGE_PASSWORD}.")
        return
    count = demo.seed(engine, services.cases, today, years)
    print(
        f"Demodata: ett team med {count} påhittade ärenden under {years} år "
        f"({time.monotonic() - started:.0f} s)."
    )


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    # The reminder clock ticks every minute; its routine runs are not news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    engine = _engine(settings)
    if args.demo:
        _seed_demo(settings, engine)
    app = create_app(settings, engine, freeze_startup_objects=True)
    has_users = _has_users(engine)
    print(f"Samordna körs på {settings.base_url}/")
    if args.demo:
        print(f"Logga in som samordnare@demo.samordna med lösenordet {demo.DEMO_PASSWORD}")
        print("(även samordnare2@, af@, fk@, region@, kommun@, teamledare@, analytiker@,")
        print(" forbund@, admin@demo.samordna;")
        print(" ett annat team: samordnare@granne.samordna, admin@granne.samordna)")
    elif not has_users:
        print("Inga användare ännu: skapa en med 'uv run coordination create-user'.")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        # The client address behind a trusted proxy, for the per-client login throttle.
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
    )


def check(args: argparse.Namespace, settings: Settings) -> None:
    """The running service's `/healthz`, printed; exits 1 when it is unhealthy or silent
    (the container's health check)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = args.url or f"http://{host}:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as answer:
            body = answer.read()
    except urllib.error.HTTPError as unhealthy:  # 503 carries the report too
        body = unhealthy.read()
    except OSError as error:
        sys.exit(f"Samordna svarar inte på {url}: {error}")
    report = json.loads(body)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if report.get("status") != "ok":
        sys.exit(1)


def import_cases(args: argparse.Namespace, settings: Settings) -> None:
    """Back-register a team's cases from a file made from the template."""
    engine = _engine(settings)
    services = build_services(settings, engine)
    with engine.connect() as conn:
        team_id = conn.execute(sa.select(teams.c.id).where(teams.c.name == args.team)).scalar()
    if team_id is None:
        sys.exit(f"Inget team heter «{args.team}».")
    staff = services.accounts.team_users(team_id)
    importer = next((u for u in staff if u.email == args.as_email.lower()), None)
    if importer is None or importer.role not in (Role.COORDINATOR, Role.ADMINISTRATOR):
        sys.exit(f"{args.as_email} är ingen samordnare eller administratör i teamet.")
    try:
        rows = imports.read_rows(args.file, Path(args.file).read_bytes())
    except (OSError, imports.ImportFileError) as error:
        sys.exit(f"Filen kan inte läsas: {error}")
    team = imports.import_team(
        services.cases, importer, staff, services.insatser.team_insatser(team_id)
    )
    found = imports.plan(rows, team, services.clock.today())
    for problem in found.problems:
        print(problem)
    if found.problems:
        sys.exit(f"{len(found.problems)} fel i {found.rows} rader: inget är importerat.")
    if args.dry_run:
        print(f"{found.rows} rader utan fel: inget är importerat (--prova).")
        return
    new, before = imports.store(services.cases, found)
    print(f"Importerade {new} ärenden; {before} fanns redan från en tidigare import.")


def create_user(args: argparse.Namespace, settings: Settings) -> None:
    engine = _engine(settings)
    with engine.connect() as conn:
        team_id = conn.execute(sa.select(teams.c.id).where(teams.c.name == args.team)).scalar()
    if team_id is None:
        team_id = Accounts(engine).create_team(args.team)
    password = args.password or getpass.getpass("Lösenord (minst 10 tecken): ")
    user = Accounts(engine).create_user(
        team_id, args.name, args.email, Part(args.part), Role(args.role), password
    )
    print(f"Användaren {user.email} är skapad.")


def create_token(args: argparse.Namespace, settings: Settings) -> None:
    """An access token for a script: the token alone on standard output (the only time it
    is shown), what it is on standard error."""
    engine = _engine(settings)
    account = Accounts(engine).account_by_email(args.email)
    if account is None:
        sys.exit(f"Ingen användare har e-postadressen {args.email}.")
    if not account.active:
        sys.exit(f"Kontot {account.user.email} är stängt: det får ingen åtkomsttoken.")
    now = Clock().now()
    last_day = now.date() + timedelta(days=args.days)
    scope = TokenScope(args.scope)
    token = AccessTokens(engine).create(account.user, args.name, scope, expires_at(last_day), now)
    print(
        f"Åtkomsttoken «{args.name}» för {account.user.email} ({scope.label.lower()}), gäller "
        f"till och med {last_day.isoformat()}. Den visas bara nu; återkalla den under "
        "Inställningar.",
        file=sys.stderr,
    )
    print(token)


def _token_name(text: str) -> str:
    name = text.strip()
    problem = bounds.text_problem(name, bounds.NAME_LENGTH) if name else "ange ett namn"
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return name


def _rebuild(settings: Settings, engine: sa.Engine) -> int:
    """Rebuild every read model from the events; returns how many events there are."""
    store = build_store(settings, engine)
    for projection in store.inline_projections:
        store.rebuild(projection)
    return store.head()


def backup_or_restore(args: argparse.Namespace, settings: Settings) -> None:
    """A backup of the configured database while it serves, or a backup restored into it
    (which must be empty), migrated to this version and its read models rebuilt."""
    url = sa.make_url(settings.database_url)
    on_sqlite = url.get_backend_name() == "sqlite"
    if args.command == "backup" and on_sqlite and not Path(str(url.database)).is_file():
        sys.exit(f"Det gick inte: databasen {url.database} finns inte.")
    engine = db.connect(settings.database_url)
    try:
        if args.command == "backup":
            events.backup(engine, args.file)
            print(f"Säkerhetskopian är skriven till {args.file}.")
            print(
                "Huvudnyckeln (SAMORDNA_MASTER_KEY, eller secrets.json i datamappen) ingår inte: "
                "spara den för sig, inte bredvid säkerhetskopian."
            )
            return
        events.restore(args.file, engine)
    except events.BackupError as error:
        sys.exit(f"Det gick inte: {error}")
    try:
        db.migrate(engine)
        count = _rebuild(settings, engine)
    except events.WrongMasterKeyError:
        events.empty(engine)
        sys.exit(
            "Det gick inte: huvudnyckeln öppnar inte säkerhetskopians nycklar. Återställ med "
            "huvudnyckeln från den installation som säkerhetskopian kommer från. Databasen är "
            "tom igen."
        )
    except Exception as error:
        events.empty(engine)
        sys.exit(
            f"Det gick inte att ta säkerhetskopian i bruk ({type(error).__name__}: {error}). "
            "Är den från en nyare version av Samordna? Databasen är tom igen."
        )
    print(f"Säkerhetskopian är återställd: {count} händelser, läsmodellerna ombyggda.")


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"ange ett heltal från {low} till {high}")
        return number

    return parse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="coordination", description="Samordna")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="migrera databasen och starta tjänsten")
    serve_parser.add_argument(
        "--demo", action="store_true", help="fyll en tom databas med demodata"
    )
    check_parser = commands.add_parser("check", help="fråga den körande tjänsten hur den mår")
    check_parser.add_argument("--url", help="hälsoadressen, om inte tjänstens egen /healthz")
    check_parser.add_argument("--timeout", type=float, default=5, help="sekunder att vänta")
    commands.add_parser("migrate", help="migrera databasen")
    demo_parser = commands.add_parser("demo", help="fyll en tom databas med demodata")
    demo_parser.add_argument(
        "--years", type=_whole(1, 20), default=3, help="år av historik i demoteamet (3)"
    )
    demo_parser.add_argument(
        "--cases",
        type=_whole(1, 100_000),
        help="i stället ett stort team med så många ärenden (de flesta pågående), för mätningar",
    )
    commands.add_parser("rebuild", help="bygg om läsmodellerna från händelserna")
    backup_parser = commands.add_parser(
        "backup", help="skriv en säkerhetskopia av databasen medan tjänsten är igång"
    )
    backup_parser.add_argument("file", type=Path, help="ny fil för säkerhetskopian")
    restore_parser = commands.add_parser(
        "restore", help="återställ en säkerhetskopia till en ny, tom databas"
    )
    restore_parser.add_argument("file", type=Path, help="säkerhetskopian")
    import_parser = commands.add_parser(
        "import", help="registrera ett teams tidigare ärenden från en fil enligt mallen"
    )
    import_parser.add_argument("file", help="CSV- eller Excel-fil (.xlsx) enligt mallen")
    import_parser.add_argument("--team", required=True, help="teamets namn")
    import_parser.add_argument(
        "--as", dest="as_email", required=True, help="e-post till samordnaren som importerar"
    )
    import_parser.add_argument(
        "--prova", dest="dry_run", action="store_true", help="pröva filen utan att importera"
    )
    commands.add_parser("import-mall", help="skriv importmallen (CSV) till standard ut")
    user_parser = commands.add_parser("create-user", help="skapa en användare")
    user_parser.add_argument("--team", required=True)
    user_parser.add_argument("--name", required=True)
    user_parser.add_argument("--email", required=True)
    user_parser.add_argument("--part", required=True, choices=[p.value for p in Part])
    user_parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    user_parser.add_argument("--password", help="utelämna för att skriva det dolt")
    token_parser = commands.add_parser(
        "create-token", help="skapa en åtkomsttoken för API:t (skrivs ut en gång)"
    )
    token_parser.add_argument("--email", required=True, help="e-post till tokens ägare")
    token_parser.add_argument(
        "--scope",
        required=True,
        choices=[s.value for s in TokenScope],
        help="read: läsa; write: läsa och ändra",
    )
    token_parser.add_argument("--name", type=_token_name, default="Skript", help="(Skript)")
    token_parser.add_argument(
        "--days",
        type=_whole(1, LONGEST_LIFETIME_DAYS),
        default=DEFAULT_LIFETIME_DAYS,
        help=f"dagar den gäller ({DEFAULT_LIFETIME_DAYS})",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        sys.exit(f"Samordna startar inte: {error}")
    if args.command == "serve":
        serve(args, settings)
    elif args.command == "check":
        check(args, settings)
    elif args.command == "migrate":
        _engine(settings)
        print("Databasen är migrerad.")
    elif args.command == "rebuild":
        # stopped by the service manager: end as after Ctrl-C, so the copy it was building
        # beside the live read model is removed
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        signal.signal(signal.SIGHUP, signal.default_int_handler)
        _rebuild(settings, _engine(settings))
        print("Läsmodellerna är ombyggda från händelserna.")
    elif args.command in ("backup", "restore"):
        backup_or_restore(args, settings)
    elif args.command == "demo":
        _seed_demo(settings, _engine(settings), args.years, args.cases or 0)
    elif args.command == "import":
        import_cases(args, settings)
    elif args.command == "import-mall":
        sys.stdout.buffer.write(imports.template())
    elif args.command == "create-user":
        create_user(args, settings)
    elif args.command == "create-token":
        create_token(args, settings)
