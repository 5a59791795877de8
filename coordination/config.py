"""Configuration from environment variables (documented in the README)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from coordination.reminders.domain import Timings
from coordination.shared.vocabulary import DEFAULT_LADDER, DEFAULT_SELF_ASSESSMENT, Part, Role
from events import generate_master_key


class ConfigurationError(Exception):
    """The service must not start with this configuration."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    base_url: str
    secret_key: str
    master_key: str
    session_minutes: int
    production: bool
    data_dir: Path
    host: str
    port: int
    smtp: SmtpSettings | None = None
    timings: Timings = field(default_factory=Timings)
    # How often the reminder clock ticks; 0 turns it off (tests drive it themselves).
    sweep_seconds: int = 60
    # Threads that run the handlers' blocking work (database, password hashing, rendering).
    worker_threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Months after a case's end (closure, last follow-up or end of after-support) before
    # the retention rule erases the participant's personal data.
    retention_months: int = 24
    # Addresses of HTTPS proxies whose X-Forwarded-For names the real client (for the
    # per-client login throttle); comma-separated, "*" for any.
    trusted_proxies: str = "127.0.0.1"
    # Requests one access token may make to the API in any minute (counted per instance).
    api_rate_per_minute: int = 120
    ladder: tuple[str, ...] = DEFAULT_LADDER
    self_assessment: tuple[str, ...] = DEFAULT_SELF_ASSESSMENT
    # Sign-on with the organisation's OpenID provider; None: local accounts only.
    sign_on: SignOnSettings | None = None


SMTP_SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail is delivered; without it, mail stays in the outbox shown in the app."""

    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str


def _smtp(environ: Mapping[str, str]) -> SmtpSettings | None:
    host = environ.get("SAMORDNA_SMTP_HOST", "")
    if not host:
        return None
    security = environ.get("SAMORDNA_SMTP_SECURITY", "starttls")
    if security not in SMTP_SECURITY:
        raise ConfigurationError(
            f"SAMORDNA_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}"
        )
    default_port = {"starttls": "587", "tls": "465", "none": "25"}[security]
    return SmtpSettings(
        host=host,
        port=int(environ.get("SAMORDNA_SMTP_PORT", default_port)),
        security=security,
        username=environ.get("SAMORDNA_SMTP_USERNAME", ""),
        password=environ.get("SAMORDNA_SMTP_PASSWORD", ""),
        sender=environ.get("SAMORDNA_SMTP_FROM", "samordna@localhost"),
    )


UNKNOWN_USER_POLICIES = ("refuse", "pending")


@dataclass(frozen=True)
class GroupGrant:
    """What one value of the groups claim gives: a team (by name), a part, a role, or some."""

    group: str
    team: str | None = None
    part: Part | None = None
    role: Role | None = None


@dataclass(frozen=True)
class SignOnSettings:
    """The organisation's OpenID provider (authorization code flow with PKCE)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    # The claim listing the user's groups, and what each group gives, in the file's order.
    groups_claim: str = ""
    groups: tuple[GroupGrant, ...] = ()
    # "refuse" a person with no account, or create one "pending" until an administrator
    # gives it a role (in `pending_team`, unless a group names the team).
    unknown_users: str = "refuse"
    pending_team: str = ""
    # The provider issues only addresses the organisation owns: its email claim counts as
    # verified without email_verified (Microsoft Entra ID sends none).
    trust_email: bool = False


def _sign_on(environ: Mapping[str, str], production: bool) -> SignOnSettings | None:
    issuer = environ.get("SAMORDNA_OIDC_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    client_id = environ.get("SAMORDNA_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise ConfigurationError(
            "SAMORDNA_OIDC_ISSUER is set: set SAMORDNA_OIDC_CLIENT_ID too (the client id the "
            "identity provider gave Samordna)"
        )
    if not issuer.startswith(("https://", "http://")):
        raise ConfigurationError("SAMORDNA_OIDC_ISSUER must be the provider's https:// address")
    if production and not issuer.startswith("https://"):
        raise ConfigurationError("SAMORDNA_OIDC_ISSUER must use https:// in production")
    unknown = environ.get("SAMORDNA_OIDC_UNKNOWN_USERS", "refuse")
    if unknown not in UNKNOWN_USER_POLICIES:
        raise ConfigurationError(
            f"SAMORDNA_OIDC_UNKNOWN_USERS must be one of {', '.join(UNKNOWN_USER_POLICIES)}"
        )
    pending_team = environ.get("SAMORDNA_OIDC_PENDING_TEAM", "").strip()
    if unknown == "pending" and not pending_team:
        raise ConfigurationError(
            "SAMORDNA_OIDC_UNKNOWN_USERS=pending needs SAMORDNA_OIDC_PENDING_TEAM: the name of "
            "the team whose administrators give new accounts their role"
        )
    groups_claim = environ.get("SAMORDNA_OIDC_GROUPS_CLAIM", "").strip()
    groups_file = environ.get("SAMORDNA_OIDC_GROUPS_FILE", "").strip()
    if bool(groups_claim) != bool(groups_file):
        raise ConfigurationError(
            "SAMORDNA_OIDC_GROUPS_CLAIM and SAMORDNA_OIDC_GROUPS_FILE go together: the claim "
            "to read and the file saying what each group gives"
        )
    return SignOnSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=environ.get("SAMORDNA_OIDC_CLIENT_SECRET", ""),
        scopes=environ.get("SAMORDNA_OIDC_SCOPES", "").strip() or "openid email profile",
        groups_claim=groups_claim,
        groups=_group_grants(groups_file) if groups_file else (),
        unknown_users=unknown,
        pending_team=pending_team,
        trust_email=environ.get("SAMORDNA_OIDC_TRUST_EMAIL", "").lower() in ("1", "true", "yes"),
    )


def _group_grants(path: str) -> tuple[GroupGrant, ...]:
    """SAMORDNA_OIDC_GROUPS_FILE, a JSON object {"<group>": {"team": "<team name>",
    "part": "AF|FK|REGION|KOMMUN", "role": "caseworker|…"}, …}; each group gives one or more
    of the three, and for each the first group of the file the user is in decides."""
    problem = "SAMORDNA_OIDC_GROUPS_FILE"
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"{problem} cannot be read: {error}") from error
    if not isinstance(found, dict) or not found:
        raise ConfigurationError(f"{problem} must be a JSON object of groups")
    grants = []
    for group, gives in found.items():
        if not isinstance(gives, dict) or not gives or set(gives) - {"team", "part", "role"}:
            raise ConfigurationError(
                f"{problem}: group {group!r} must give a team, part or role, and nothing else"
            )
        part = Part.parse(gives.get("part", "")) if "part" in gives else None
        role = Role.parse(gives.get("role", "")) if "role" in gives else None
        team = gives.get("team")
        if ("part" in gives and part is None) or ("role" in gives and role is None):
            raise ConfigurationError(
                f"{problem}: group {group!r} names an unknown part or role; parts are "
                f"{', '.join(p.value for p in Part)}, roles {', '.join(r.value for r in Role)}"
            )
        if team is not None and (not isinstance(team, str) or not team.strip()):
            raise ConfigurationError(f"{problem}: group {group!r} names its team by name")
        grants.append(GroupGrant(group, team.strip() if team else None, part, role))
    return tuple(grants)


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    production = environ.get("SAMORDNA_ENV", "development") == "production"
    data_dir = Path(environ.get("SAMORDNA_DATA_DIR", "data")).resolve()
    host = environ.get("SAMORDNA_HOST", "127.0.0.1")
    port = int(environ.get("SAMORDNA_PORT", "8000"))
    secret_key = environ.get("SAMORDNA_SECRET_KEY", "")
    master_key = environ.get("SAMORDNA_MASTER_KEY", "")
    if production:
        missing = [
            name
            for name, value in (
                ("SAMORDNA_SECRET_KEY", secret_key),
                ("SAMORDNA_MASTER_KEY", master_key),
                ("SAMORDNA_DATABASE_URL", environ.get("SAMORDNA_DATABASE_URL", "")),
                ("SAMORDNA_BASE_URL", environ.get("SAMORDNA_BASE_URL", "")),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(
                "production mode needs its own secrets and addresses; set " + ", ".join(missing)
            )
        if len(secret_key) < 32:
            raise ConfigurationError("SAMORDNA_SECRET_KEY must be at least 32 characters")
    elif not (secret_key and master_key):
        generated = _local_secrets(data_dir)
        secret_key = secret_key or generated["secret_key"]
        master_key = master_key or generated["master_key"]
    return Settings(
        database_url=environ.get("SAMORDNA_DATABASE_URL", f"sqlite:///{data_dir / 'samordna.db'}"),
        base_url=environ.get("SAMORDNA_BASE_URL", f"http://{host}:{port}").rstrip("/"),
        secret_key=secret_key,
        master_key=master_key,
        session_minutes=int(environ.get("SAMORDNA_SESSION_MINUTES", "480")),
        production=production,
        data_dir=data_dir,
        host=host,
        port=port,
        smtp=_smtp(environ),
        timings=_timings(environ),
        sweep_seconds=_integer(environ, "SAMORDNA_SWEEP_SECONDS", 60),
        worker_threads=_integer(environ, "SAMORDNA_WORKER_THREADS", os.cpu_count() or 1) or 1,
        retention_months=_retention_months(environ),
        trusted_proxies=environ.get("SAMORDNA_TRUSTED_PROXIES", "127.0.0.1"),
        api_rate_per_minute=_api_rate(environ),
        sign_on=_sign_on(environ, production),
        **_scales(environ),
    )


def _retention_months(environ: Mapping[str, str]) -> int:
    months = _integer(environ, "SAMORDNA_RETENTION_MONTHS", 24)
    if months < 1:
        raise ConfigurationError("SAMORDNA_RETENTION_MONTHS must be at least 1")
    return months


def _api_rate(environ: Mapping[str, str]) -> int:
    rate = _integer(environ, "SAMORDNA_API_RATE_PER_MINUTE", 120)
    if rate < 1:
        raise ConfigurationError("SAMORDNA_API_RATE_PER_MINUTE must be at least 1")
    return rate


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number") from None
    if number < 0:
        raise ConfigurationError(f"{name} cannot be negative")
    return number


def _timings(environ: Mapping[str, str]) -> Timings:
    """SAMORDNA_FOLLOW_UP_MONTHS="3,6,12" and one variable per other timing."""
    default = Timings()
    months = environ.get("SAMORDNA_FOLLOW_UP_MONTHS", "")
    try:
        follow_ups = (
            tuple(int(m) for m in months.split(",")) if months else default.follow_up_months
        )
    except ValueError:
        raise ConfigurationError("SAMORDNA_FOLLOW_UP_MONTHS lists months, e.g. 3,6,12") from None
    return Timings(
        follow_up_months=follow_ups,
        follow_up_window_months=_integer(
            environ, "SAMORDNA_FOLLOW_UP_WINDOW_MONTHS", default.follow_up_window_months
        ),
        after_support_months=_integer(
            environ, "SAMORDNA_AFTER_SUPPORT_MONTHS", default.after_support_months
        ),
        check_in_months=_integer(environ, "SAMORDNA_CHECK_IN_MONTHS", default.check_in_months),
        meeting_notice_working_days=_integer(
            environ, "SAMORDNA_MEETING_NOTICE_WORKING_DAYS", default.meeting_notice_working_days
        ),
        meeting_record_days=_integer(
            environ, "SAMORDNA_MEETING_RECORD_DAYS", default.meeting_record_days
        ),
        what_next_days=_integer(environ, "SAMORDNA_WHAT_NEXT_DAYS", default.what_next_days),
        stale_days=_integer(environ, "SAMORDNA_STALE_DAYS", default.stale_days),
        consent_review_months=_integer(
            environ, "SAMORDNA_CONSENT_REVIEW_MONTHS", default.consent_review_months
        ),
    )


def _scales(environ: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The step ladder and the self-assessment scale from SAMORDNA_SCALES_FILE, a JSON file
    {"ladder": [labels of level 0, 1, …], "self_assessment": [labels of score 1, 2, …]}."""
    path = environ.get("SAMORDNA_SCALES_FILE", "")
    if not path:
        return {}
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"SAMORDNA_SCALES_FILE cannot be read: {error}") from error
    scales: dict[str, tuple[str, ...]] = {}
    for name in ("ladder", "self_assessment"):
        labels = found.get(name)
        if labels is None:
            continue
        if (
            not isinstance(labels, list)
            or len(labels) < 2
            or not all(isinstance(label, str) and label.strip() for label in labels)
        ):
            raise ConfigurationError(f"SAMORDNA_SCALES_FILE: {name} must list at least two labels")
        scales[name] = tuple(labels)
    return scales


def _local_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets made once for an embedded installation and kept beside its database.

    There are no built-in default secrets: a new installation makes its own.
    """
    path = data_dir / "secrets.json"
    if not path.exists():
        # Written whole under another name and linked into place, which fails if another
        # process starting at the same moment got there first: then its secrets are the
        # installation's, and every process reads the same ones.
        data_dir.mkdir(parents=True, exist_ok=True)
        made = {"secret_key": secrets.token_urlsafe(48), "master_key": generate_master_key()}
        draft = data_dir / f".secrets-{os.getpid()}-{secrets.token_hex(4)}.json"
        draft.touch(mode=0o600)
        try:
            with draft.open("w") as file:
                file.write(json.dumps(made))
                file.flush()
                os.fsync(file.fileno())  # on disk before any key is wrapped with it
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
            folder = os.open(data_dir, os.O_RDONLY)
            try:
                os.fsync(folder)  # and its name too
            finally:
                os.close(folder)
        finally:
            draft.unlink()
    stored: dict[str, str] = json.loads(path.read_text())
    return stored
