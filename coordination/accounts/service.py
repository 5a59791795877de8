"""Local accounts: argon2-hashed passwords, server-side sessions, throttled logins."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts import throttle
from coordination.accounts.tables import insatser, sessions, teams, users
from coordination.shared.access import User
from coordination.shared.vocabulary import Part, Role

_hasher = PasswordHasher()
# What a login with an unknown email is checked against, so that it takes as long as one
# with a known email.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


class LoginRefused(Exception):
    """Wrong email or password, or too many attempts: the message is for the user."""


def user_of(row: Any) -> User:
    values = row._mapping
    return User(
        id=values["id"],
        team_id=values["team_id"],
        name=values["name"],
        email=values["email"],
        part=Part(values["part"]),
        role=Role(values["role"]),
    )


USER_COLUMNS = (
    users.c.id,
    users.c.team_id,
    users.c.name,
    users.c.email,
    users.c.part,
    users.c.role,
)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- administration ----------------------------------------------------------------------


class AccountChanged(Exception):
    """The account was changed by someone else since the form was opened."""


@dataclass(frozen=True)
class Account:
    user: User
    active: bool
    version: int


def account_errors(
    name: str, email: str, part: Part | None, role: Role | None, password: str, creating: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Ange namnet."
    local, _, domain = email.strip().partition("@")
    if not local or not domain or " " in email.strip():
        errors["email"] = "Ange en e-postadress, till exempel namn@kommun.se."
    if part is None:
        errors["part"] = "Välj part."
    if role is None:
        errors["role"] = "Välj roll."
    if (creating or password) and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken."
    return errors


EMAIL_TAKEN = {"email": "E-postadressen används redan av en annan användare."}


# -- the user's own settings --------------------------------------------------------------


_TEAM_USERS_REVISION = sa.select(
    sa.func.count(), sa.func.coalesce(sa.func.sum(users.c.version), 0)
).where(users.c.team_id == sa.bindparam("team_id"))
_TEAM_INSATSER_REVISION = sa.select(
    sa.func.count(), sa.func.coalesce(sa.func.sum(insatser.c.version), 0)
).where(insatser.c.team_id == sa.bindparam("team_id"))


@dataclass(frozen=True)
class Team:
    id: str
    name: str


class Accounts:
    """The accounts service: teams, users, their passwords, sessions and delivery choices."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_team(self, name: str) -> str:
        team_id = str(uuid.uuid4())
        with events.write_transaction(self.engine) as conn:
            conn.execute(teams.insert().values(id=team_id, name=name))
        return team_id

    def create_user(
        self, team_id: str, name: str, email: str, part: Part, role: Role, password: str
    ) -> User:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken")
        user_id = str(uuid.uuid4())
        password_hash = _hasher.hash(password)  # before the transaction: no lock while it works
        with events.write_transaction(self.engine) as conn:
            conn.execute(
                users.insert().values(
                    id=user_id,
                    team_id=team_id,
                    name=name,
                    email=email.strip().lower(),
                    part=part,
                    role=role,
                    password_hash=password_hash,
                    active=True,
                    version=1,
                )
            )
        return User(user_id, team_id, name, email.strip().lower(), part, role)

    def log_in(self, email: str, password: str, now: datetime, client: str) -> User:
        """The user with this email and password; `client` is the address the attempt came
        from, for the throttle (`throttle.py`)."""
        row = self._try_password(email.strip().lower(), password, now, client)
        if row is None:
            raise LoginRefused("Fel e-postadress eller lösenord.")
        return user_of(row)

    def change_password(
        self, user: User, current: str, new: str, now: datetime, client: str, session: str
    ) -> dict[str, str]:
        """Field errors, or an empty dict when the password was changed. Guessing the
        current password is throttled as logins are; a change ends every session of the
        user but `session`, the one they changed it from."""
        try:
            if self._try_password(user.email, current, now, client) is None:
                return {"current": "Nuvarande lösenord stämmer inte."}
        except LoginRefused as refused:
            return {"current": str(refused)}
        if len(new) < MIN_PASSWORD_LENGTH:
            return {"new": f"Det nya lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken."}
        password_hash = _hasher.hash(new)
        with events.write_transaction(self.engine) as conn:
            conn.execute(
                users.update().where(users.c.id == user.id).values(password_hash=password_hash)
            )
            conn.execute(
                sessions.delete().where(
                    sessions.c.user_id == user.id, sessions.c.token_hash != token_hash(session)
                )
            )
        return {}

    def _try_password(self, email: str, password: str, now: datetime, client: str) -> Any:
        """The active account with this email when `password` is its password, else None
        (and the failure is counted); LoginRefused while the throttle holds. The hash is
        checked outside any transaction: no lock is held while argon2 works."""
        with self.engine.connect() as conn:
            refused = throttle.refusal(conn, email, client, now)
            if refused:
                raise LoginRefused(refused)
            row = conn.execute(
                sa.select(*USER_COLUMNS, users.c.password_hash).where(
                    users.c.email == email, users.c.active.is_(True)
                )
            ).first()
        # An unknown email costs a hash check as well: the time taken tells nobody
        # whether the email has an account.
        stored = row.password_hash if row is not None else _DUMMY_HASH
        right = _password_matches(stored, password) and row is not None
        with events.write_transaction(self.engine, throttle.LOCK_KEY) as conn:
            if right:
                throttle.forget_failures(conn, email)
            else:
                throttle.record_failure(conn, email, client, now)
        return row if right else None

    def start_session(self, user: User, now: datetime, lifetime: timedelta) -> str:
        token = secrets.token_urlsafe(32)
        with events.write_transaction(self.engine) as conn:
            conn.execute(
                sessions.insert().values(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return token

    def session_user(self, token: str, now: datetime) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(*USER_COLUMNS)
                .join(sessions, sessions.c.user_id == users.c.id)
                .where(
                    sessions.c.token_hash == token_hash(token),
                    sessions.c.expires_at > now,
                    users.c.active.is_(True),
                )
            ).first()
        return user_of(row) if row else None

    def end_session(self, token: str) -> None:
        with events.write_transaction(self.engine) as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash(token)))

    def teams(self) -> list[Team]:
        """Every team of the installation (the förbund), by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(teams.c.id, teams.c.name).order_by(teams.c.name))
            return [Team(row.id, row.name) for row in rows]

    def team_revision(self, team_id: str) -> str:
        """What changes whenever a person or an insats of the team is added or changed: for
        pages that name them to tell whether they are still as drawn."""
        with self.engine.connect() as conn:
            people = conn.execute(_TEAM_USERS_REVISION, {"team_id": team_id}).one()
            programmes = conn.execute(_TEAM_INSATSER_REVISION, {"team_id": team_id}).one()
        return f"{people[0]}.{people[1]}.{programmes[0]}.{programmes[1]}"

    def team_users(self, team_id: str) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*USER_COLUMNS)
                .where(users.c.team_id == team_id, users.c.active.is_(True))
                .order_by(users.c.name)
            ).all()
        return [user_of(row) for row in rows]

    def team_accounts(self, team_id: str) -> list[Account]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*USER_COLUMNS, users.c.active, users.c.version)
                .where(users.c.team_id == team_id)
                .order_by(users.c.name)
            ).all()
        return [Account(user_of(row), row.active, row.version) for row in rows]

    def account_by_email(self, email: str) -> Account | None:
        """The account with this email, open or closed (the command line's lookup)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(*USER_COLUMNS, users.c.active, users.c.version).where(
                    users.c.email == email.strip().lower()
                )
            ).first()
        return Account(user_of(row), row.active, row.version) if row else None

    def update_account(
        self,
        user_id: str,
        expected_version: int,
        *,
        name: str,
        email: str,
        part: Part,
        role: Role,
        active: bool,
        password: str = "",
    ) -> dict[str, str]:
        """Field errors, or an empty dict when saved; a stale version raises AccountChanged."""
        email = email.strip().lower()
        values: dict[str, Any] = {
            "name": name.strip(),
            "email": email,
            "part": part,
            "role": role,
            "active": active,
            "version": expected_version + 1,
        }
        if password:
            values["password_hash"] = _hasher.hash(password)
        try:
            with events.write_transaction(self.engine) as conn:
                updated = conn.execute(
                    users.update()
                    .where(users.c.id == user_id, users.c.version == expected_version)
                    .values(**values)
                )
                if updated.rowcount != 1:
                    raise AccountChanged()
                if not active or password:
                    # A deactivated account or a reset password ends the user's sessions at once.
                    conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
        except IntegrityError:
            return EMAIL_TAKEN
        return {}

    def add_account(
        self, team_id: str, name: str, email: str, part: Part, role: Role, password: str
    ) -> dict[str, str]:
        try:
            self.create_user(team_id, name.strip(), email, part, role, password)
        except IntegrityError:
            return EMAIL_TAKEN
        return {}

    def digest_only(self, user: User) -> bool:
        """Whether the user gets reminders only in the weekly digest, not one email each."""
        with self.engine.connect() as conn:
            return bool(
                conn.execute(sa.select(users.c.digest_only).where(users.c.id == user.id)).scalar()
            )

    def set_digest_only(self, user: User, value: bool) -> None:
        with events.write_transaction(self.engine) as conn:
            conn.execute(users.update().where(users.c.id == user.id).values(digest_only=value))
