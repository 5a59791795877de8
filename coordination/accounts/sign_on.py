"""Sign-on with the organisation's OpenID provider: the authorization code flow with PKCE
(S256), `state` and `nonce`; the ID token's signature (the provider's published keys),
issuer, audience, expiry and nonce checked with Authlib's OpenID Connect claims.

The provider is found from its issuer address (`/.well-known/openid-configuration`). What
the browser must bring back (state, nonce, PKCE verifier, the page to return to) travels in
a short-lived cookie signed with the installation's secret key, so any instance can finish a
sign-on another began. Everything here blocks on the network: the handlers calling it run in
the worker threads.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from coordination.accounts.tables import SIGN_ON_SUBJECT_LENGTH
from coordination.config import SignOnSettings
from coordination.shared import bounds
from coordination.shared.bounds import NAME_LENGTH
from coordination.shared.vocabulary import Part, Role

CALLBACK_PATH = "/logga-in/oidc/callback"
# Where the provider sends the user back after its own logout.
AFTER_LOGOUT_PATH = "/logga-in"
# How long a user may take at the provider before the sign-on must begin again.
ATTEMPT_SECONDS = 600
# How long the provider's discovery document and keys are trusted before being read again.
METADATA_SECONDS = 3600
# Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60

UNAVAILABLE = (
    "Organisationens inloggning svarar inte just nu. Försök igen om en stund, eller kontakta "
    "den som sköter inloggningen."
)
START_AGAIN = (
    "Inloggningen kunde inte slutföras: den har redan använts, tagit för lång tid eller "
    "kommer inte från den här webbläsaren. Börja om från inloggningssidan."
)
NOT_ACCEPTED = (
    "Svaret från organisationens inloggning kunde inte godtas, och du har inte loggats in. "
    "Börja om från inloggningssidan."
)


class SignOnFailed(Exception):
    """The sign-on cannot go on: the message is for the user."""


@dataclass(frozen=True)
class Attempt:
    """One sign-on begun in a browser: what its callback must match."""

    state: str
    nonce: str
    verifier: str
    next_page: str
    began: int  # seconds since the epoch


def seal(attempt: Attempt, secret: str) -> str:
    """The attempt as a cookie value signed with the installation's secret key."""
    payload = base64.urlsafe_b64encode(json.dumps(asdict(attempt)).encode()).decode()
    return f"{payload}.{_signature(payload, secret)}"


def unseal(value: str, secret: str, now: float) -> Attempt | None:
    """The attempt a cookie carries, if this installation signed it and it is fresh."""
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(signature, _signature(payload, secret)):
        return None
    try:
        attempt = Attempt(**json.loads(base64.urlsafe_b64decode(payload)))
    except (ValueError, TypeError):
        return None
    return attempt if 0 <= now - attempt.began <= ATTEMPT_SECONDS else None


def _signature(payload: str, secret: str) -> str:
    key = hashlib.sha256(f"sign-on:{secret}".encode()).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Placement:
    """What the groups claim gives: a team (by name), a part and a role, or some of them."""

    team: str | None = None
    part: Part | None = None
    role: Role | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.team, self.part, self.role)


@dataclass(frozen=True)
class Identity:
    """The person the provider vouches for, as the accounts service matches them."""

    issuer: str
    subject: str
    # Only an address the provider says is verified (or all, when it is trusted to).
    email: str | None
    name: str
    # None: no groups mapping is configured; the account keeps what administrators gave it.
    placement: Placement | None


@dataclass(frozen=True)
class SignedOn:
    identity: Identity
    next_page: str


def placement(groups: object, settings: SignOnSettings) -> Placement:
    """The team, part and role the user's groups give: for each, the first group of the
    mapping the user is in."""
    if isinstance(groups, str):
        groups = [groups]
    held = {str(g) for g in groups} if isinstance(groups, list) else set()
    team = part = role = None
    for grant in settings.groups:
        if grant.group in held:
            team = team or grant.team
            part = part or grant.part
            role = role or grant.role
    return Placement(team, part, role)


class OpenIdProvider:
    """The organisation's provider, as this installation's client."""

    def __init__(self, settings: SignOnSettings, base_url: str) -> None:
        self.settings = settings
        self.redirect_uri = base_url + CALLBACK_PATH
        self.after_logout_uri = base_url + AFTER_LOGOUT_PATH
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._read_at = 0.0

    # -- the provider's documents ------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The discovery document, read again every hour; its issuer must be the configured."""
        with self._lock:
            if self._metadata is None or time.monotonic() - self._read_at > METADATA_SECONDS:
                found = self._get(self.settings.issuer + "/.well-known/openid-configuration")
                needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
                if not isinstance(found, dict) or any(not found.get(k) for k in needed):
                    raise SignOnFailed(UNAVAILABLE)
                if found["issuer"].rstrip("/") != self.settings.issuer:
                    raise SignOnFailed(UNAVAILABLE)
                self._metadata, self._keys, self._read_at = found, None, time.monotonic()
            return self._metadata

    def _key_set(self, again: bool = False) -> KeySet:
        uri = self.metadata()["jwks_uri"]
        with self._lock:
            if self._keys is None or again:
                try:
                    self._keys = KeySet.import_key_set(self._get(uri))
                except (JoseError, ValueError, TypeError) as error:
                    raise SignOnFailed(UNAVAILABLE) from error
            return self._keys

    @staticmethod
    def _get(url: str, **headers: str) -> Any:
        try:
            response = httpx.get(url, headers=headers, timeout=10)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SignOnFailed(UNAVAILABLE) from error

    # -- the flow ----------------------------------------------------------------------

    def begin(self, next_page: str) -> tuple[str, Attempt]:
        """The provider's authorization address to send the browser to, and the attempt to
        keep until it comes back."""
        attempt = Attempt(
            state=generate_token(32),
            nonce=generate_token(32),
            verifier=generate_token(64),
            next_page=next_page,
            began=int(time.time()),
        )
        url = add_params_to_uri(
            self.metadata()["authorization_endpoint"],
            [
                ("response_type", "code"),
                ("client_id", self.settings.client_id),
                ("redirect_uri", self.redirect_uri),
                ("scope", self.settings.scopes),
                ("state", attempt.state),
                ("nonce", attempt.nonce),
                ("code_challenge", create_s256_code_challenge(attempt.verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        return url, attempt

    def finish(self, attempt: Attempt | None, params: Mapping[str, str]) -> SignedOn:
        """The person the callback's code stands for, once everything checks out."""
        state = params.get("state", "")
        if attempt is None or not hmac.compare_digest(state, attempt.state):
            raise SignOnFailed(START_AGAIN)
        if params.get("error"):
            raise SignOnFailed(
                "Organisationens inloggning avbröt inloggningen. Börja om från inloggningssidan."
            )
        metadata = self.metadata()
        # RFC 9207: a provider that names itself must be the one the attempt went to.
        if params.get("iss") and params["iss"].rstrip("/") != self.settings.issuer:
            raise SignOnFailed(NOT_ACCEPTED)
        code = params.get("code", "")
        if not code:
            raise SignOnFailed(NOT_ACCEPTED)
        tokens = self._tokens(metadata["token_endpoint"], code, attempt.verifier)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignOnFailed(NOT_ACCEPTED)
        claims = self._verified(id_token, attempt.nonce, tokens.get("access_token"))
        userinfo_endpoint = metadata.get("userinfo_endpoint")
        if userinfo_endpoint and isinstance(tokens.get("access_token"), str):
            more = self._get(userinfo_endpoint, Authorization=f"Bearer {tokens['access_token']}")
            # OpenID Connect Core 5.3.2: the userinfo's sub must be the ID token's.
            if not isinstance(more, dict) or more.get("sub") != claims["sub"]:
                raise SignOnFailed(NOT_ACCEPTED)
            claims = {**more, **claims}
        return SignedOn(self._identity(claims), attempt.next_page)

    def _tokens(self, endpoint: str, code: str, verifier: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }
        auth: tuple[str, str] | None = None
        if self.settings.client_secret:
            auth = (self.settings.client_id, self.settings.client_secret)
        else:
            form["client_id"] = self.settings.client_id
        try:
            response = httpx.post(endpoint, data=form, auth=auth, timeout=10)
        except httpx.HTTPError as error:
            raise SignOnFailed(UNAVAILABLE) from error
        if response.status_code == 400:  # a used, expired or foreign code: invalid_grant
            raise SignOnFailed(START_AGAIN)
        if response.status_code != 200:
            raise SignOnFailed(UNAVAILABLE)
        try:
            found = response.json()
        except ValueError as error:
            raise SignOnFailed(UNAVAILABLE) from error
        if not isinstance(found, dict):
            raise SignOnFailed(UNAVAILABLE)
        return found

    def _verified(self, id_token: str, nonce: str, access_token: object) -> dict[str, Any]:
        algorithms = [
            a
            for a in self.metadata().get("id_token_signing_alg_values_supported", ["RS256"])
            if a != "none" and not a.startswith("HS")  # asymmetric keys only
        ]
        registry = JWSRegistry(algorithms=algorithms)
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), registry=registry)
            except InvalidKeyIdError:  # the provider turned to a new key
                token = jwt.decode(id_token, self._key_set(again=True), registry=registry)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": self.settings.issuer},
                    "aud": {"essential": True, "value": self.settings.client_id},
                },
                {
                    "nonce": nonce,
                    "client_id": self.settings.client_id,
                    **({"access_token": access_token} if isinstance(access_token, str) else {}),
                },
            )
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as error:
            raise SignOnFailed(NOT_ACCEPTED) from error
        return dict(claims)

    def _identity(self, claims: Mapping[str, Any]) -> Identity:
        subject = str(claims["sub"])
        if not subject or bounds.text_problem(subject, SIGN_ON_SUBJECT_LENGTH):
            raise SignOnFailed(NOT_ACCEPTED)
        email = claims.get("email")
        verified = claims.get("email_verified") in (True, "true") or self.settings.trust_email
        usable = isinstance(email, str) and verified and not bounds.text_problem(email, NAME_LENGTH)
        name = str(claims.get("name") or "").strip()
        return Identity(
            issuer=self.settings.issuer,
            subject=subject,
            email=email.strip().lower() if usable and isinstance(email, str) else None,
            name=name if not bounds.text_problem(name, NAME_LENGTH) else "",
            placement=(
                placement(claims.get(self.settings.groups_claim), self.settings)
                if self.settings.groups_claim
                else None
            ),
        )

    def logout_url(self) -> str | None:
        """The provider's end-session address, when it has one. Without `id_token_hint`:
        the ID token names the user (their email), and an address ends up in browser
        histories and proxy logs; the provider asks the user to confirm instead."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        return str(
            add_params_to_uri(
                endpoint,
                [
                    ("post_logout_redirect_uri", self.after_logout_uri),
                    ("client_id", self.settings.client_id),
                ],
            )
        )
