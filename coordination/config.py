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
from coordination.shared.vocabulary import DEFAULT_LADDER, DEFAULT_SELF_ASSESSMENT
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
