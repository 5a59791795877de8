"""Local accounts: argon2-hashed passwords, server-side sessions, throttled logins."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts import throttle
from coordination.accounts.sign_on import Identity
from coordination.accounts.tables import (
    api_tokens,
    calendar_feeds,
    insatser,
    login_settings,
    sessions,
    teams,
    users,
)
from coordination.shared.access import User
from coordination.shared.vocabulary import Part, Role

_hasher = PasswordHasher()
# What a login with an unknown email is checked against, so that it takes as long as one
# with a known email.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


class LoginRefused(Exception):
    """Wrong email or password, or too many attempts: the message is for the user."""


class SignOnRefused(Exception):
    """The provider vouched for the person, but Samordna lets them in with no account that
    way: the message is for the user."""


class AwaitingRole(Exception):
    """The person's account waits for an administrator to give it a role."""


NO_ACCOUNT = (
    "Du har inget konto i Samordna. Be en administratör i ditt team att lägga upp dig med "
    "den e-postadress du har hos organisationen."
)
ACCOUNT_CLOSED = "Ditt konto i Samordna är avstängt. Kontakta en administratör i ditt team."
NO_ROLE = (
    "Organisationens inloggning ger dig ingen roll i Samordna. Kontakta den som sköter "
    "behörigheterna hos organisationen."
)
OTHER_PERSON = (
    "Kontot med din e-postadress är redan kopplat till en annan inloggning hos "
    "organisationen. Kontakta en administratör i ditt team."
)
NO_EMAIL = (
    "Organisationens inloggning gav ingen bekräftad e-postadress, så inget konto kan "
    "kopplas till dig. Kontakta en administratör i ditt team."
)
NO_TEAM = "Teamet som du ska tillhöra finns inte i Samordna. Kontakta en administratör."
# What an account made by a sign-on holds until an administrator chooses for it.
AWAITING_PART, AWAITING_ROLE = Part.KOMMUN, Role.CASEWORKER


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
    # made by a sign-on: waits for an administrator to choose its part and role
    awaiting_role: bool = False


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

    def start_session(
        self, user: User, now: datetime, lifetime: timedelta, signed_on: bool = False
    ) -> str:
        """A new session; `signed_on` when the user signed on at the provider."""
        token = secrets.token_urlsafe(32)
        with events.write_transaction(self.engine) as conn:
            conn.execute(
                sessions.insert().values(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + lifetime,
                    signed_on=signed_on,
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

    def end_session(self, token: str) -> bool:
        """Ends the session; whether the user had signed on at the provider."""
        with events.write_transaction(self.engine) as conn:
            signed_on = conn.execute(
                sa.select(sessions.c.signed_on).where(sessions.c.token_hash == token_hash(token))
            ).scalar()
            conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash(token)))
        return bool(signed_on)

    # -- sign-on with the organisation's provider ---------------------------------------

    def local_login(self) -> bool:
        """Whether the installation lets users log in with a password (on by default)."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(login_settings.c.local_login)).scalar()
        return True if found is None else bool(found)

    def set_local_login(self, on: bool) -> None:
        with events.write_transaction(self.engine) as conn:
            if conn.execute(login_settings.update().values(local_login=on)).rowcount == 0:
                conn.execute(login_settings.insert().values(id=1, local_login=on))

    def signed_on(self, identity: Identity, unknown_users: str, pending_team: str) -> User:
        """The account of the person the provider vouched for: the one bound to their
        subject, else the one with their verified email (which is then bound to them). A
        person with no account gets one when the groups claim places them fully; otherwise
        `unknown_users` decides: "refuse", or "pending" (an inactive account in their
        group's team or `pending_team`, AwaitingRole until an administrator gives a role).
        SignOnRefused says why someone is not let in.

        Two first sign-ons of one person at the same moment (two tabs, a double click at the
        provider) may both find no account; the second to insert meets the first's and is
        matched again, to the account the first made."""
        try:
            with events.write_transaction(self.engine) as conn:
                outcome = self._signed_on(conn, identity, unknown_users, pending_team)
        except IntegrityError:
            with events.write_transaction(self.engine) as conn:
                outcome = self._signed_on(conn, identity, unknown_users, pending_team)
        if isinstance(outcome, str):
            raise AwaitingRole() if outcome == "" else SignOnRefused(outcome)
        return outcome

    def _signed_on(
        self, conn: sa.Connection, identity: Identity, unknown_users: str, pending_team: str
    ) -> User | str:
        """The user, or why not: "" while the account awaits a role, else the refusal."""
        columns = (*USER_COLUMNS, users.c.active, users.c.awaiting_role, users.c.version)
        row = conn.execute(
            sa.select(*columns, users.c.sign_on_subject).where(
                users.c.sign_on_issuer == identity.issuer,
                users.c.sign_on_subject == identity.subject,
            )
        ).first()
        if row is None and identity.email:
            row = conn.execute(
                sa.select(*columns, users.c.sign_on_subject).where(users.c.email == identity.email)
            ).first()
            if row is not None and row.sign_on_subject is not None:
                return OTHER_PERSON
            if row is not None:
                conn.execute(
                    users.update()
                    .where(users.c.id == row.id)
                    .values(sign_on_issuer=identity.issuer, sign_on_subject=identity.subject)
                )
        placement = identity.placement
        if row is None:
            return self._new_account(conn, identity, unknown_users, pending_team)
        if row.awaiting_role:
            return ""
        if not row.active:
            return ACCOUNT_CLOSED
        if placement is None:
            return user_of(row)
        if placement.role is None:
            return NO_ROLE
        team_id = row.team_id
        if placement.team is not None:
            found = self._team_named(conn, placement.team)
            if found is None:
                return NO_TEAM
            team_id = found
        values = {
            "team_id": team_id,
            "part": placement.part or Part(row.part),
            "role": placement.role,
        }
        if values != {"team_id": row.team_id, "part": Part(row.part), "role": Role(row.role)}:
            conn.execute(
                users.update().where(users.c.id == row.id).values(**values, version=row.version + 1)
            )
        return User(row.id, team_id, row.name, row.email, values["part"], values["role"])

    def _new_account(
        self, conn: sa.Connection, identity: Identity, unknown_users: str, pending_team: str
    ) -> User | str:
        placement = identity.placement
        placed = placement is not None and placement.complete
        if not placed and unknown_users != "pending":
            return NO_ACCOUNT
        if not identity.email:
            return NO_EMAIL
        team_name = placement.team if placement and placement.team else pending_team
        team_id = self._team_named(conn, team_name)
        if team_id is None:
            return NO_TEAM
        user = User(
            str(uuid.uuid4()),
            team_id,
            identity.name or identity.email,
            identity.email,
            (placement.part if placement else None) or AWAITING_PART,
            (placement.role if placement and placed else None) or AWAITING_ROLE,
        )
        conn.execute(
            users.insert().values(
                id=user.id,
                team_id=user.team_id,
                name=user.name,
                email=user.email,
                part=user.part,
                role=user.role,
                # no password opens it: "!" is no argon2 hash
                password_hash="!sign-on",
                active=placed,
                awaiting_role=not placed,
                version=1,
                sign_on_issuer=identity.issuer,
                sign_on_subject=identity.subject,
            )
        )
        return user if placed else ""

    @staticmethod
    def _team_named(conn: sa.Connection, name: str) -> str | None:
        found = conn.execute(
            sa.select(teams.c.id).where(teams.c.name == name).order_by(teams.c.id)
        ).first()
        return found.id if found else None

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
                sa.select(*USER_COLUMNS, users.c.active, users.c.version, users.c.awaiting_role)
                .where(users.c.team_id == team_id)
                .order_by(users.c.name)
            ).all()
        return [Account(user_of(row), row.active, row.version, row.awaiting_role) for row in rows]

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
        if active:  # an administrator chose the part and role of an account made by sign-on
            values["awaiting_role"] = False
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
                if not active:
                    # ... and its tokens and calendar address for good: reopening the account
                    # must not bring back a token someone may have kept.
                    conn.execute(
                        api_tokens.update()
                        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
                        .values(revoked_at=datetime.now(UTC))
                    )
                    conn.execute(calendar_feeds.delete().where(calendar_feeds.c.user_id == user_id))
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
