"""Inställningar: how reminders are delivered, the user's access tokens for the API and the
address of their calendar feed. Every role has them: what a token reaches is decided by the
same access rules as the pages, and the feed holds only what the user may see."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from coordination.accounts.feeds import CalendarFeeds
from coordination.accounts.service import Accounts
from coordination.accounts.tokens import (
    DEFAULT_LIFETIME_DAYS,
    AccessTokens,
    TokenAlreadyCreated,
    expires_at,
    expiry_problem,
)
from coordination.config import Settings
from coordination.shared import bounds
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import TokenScope
from coordination.shared.web import Form, Page, form_of, once_of

# Where a calendar program reads a feed: `/kalender/<secret>.ics` (the cases' feed route).
FEED_PATH = "/kalender/{}.ics"


class SettingsPage:
    """The page's sections as one user sees them; each handler adds what it just did."""

    def __init__(
        self,
        page: Page,
        user: User,
        accounts: Accounts,
        tokens: AccessTokens,
        feeds: CalendarFeeds,
        clock: Clock,
    ) -> None:
        self.page, self.user, self.accounts = page, user, accounts
        self.tokens, self.feeds, self.now = tokens, feeds, clock.now()

    def __call__(self, status_code: int = 200, **context: Any) -> Response[bytes]:
        default_expiry = self.now.date() + timedelta(days=DEFAULT_LIFETIME_DAYS)
        return self.page(
            "accounts/settings.html",
            status_code,
            **{
                "digest_only": self.accounts.digest_only(self.user),
                "tokens": self.tokens.tokens_of(self.user),
                "now": self.now,
                "scopes": list(TokenScope),
                "feed_since": self.feeds.subscribed_since(self.user),
                "form": {"expires_on": default_expiry.isoformat(), "scope": TokenScope.READ.value},
                **context,
            },
        )


def _settings_page(
    page: NamedDependency[Page],
    user: NamedDependency[User],
    accounts: NamedDependency[Accounts],
    tokens: NamedDependency[AccessTokens],
    feeds: NamedDependency[CalendarFeeds],
    clock: NamedDependency[Clock],
) -> SettingsPage:
    return SettingsPage(page, user, accounts, tokens, feeds, clock)


class SettingsController(Controller):
    path = "/installningar"
    dependencies = {"settings_page": Provide(_settings_page, sync_to_thread=False)}

    @get(sync_to_thread=True)
    def settings_form(self, settings_page: NamedDependency[SettingsPage]) -> Response[bytes]:
        return settings_page()

    @post(sync_to_thread=True)
    def save_settings(
        self, data: Form, settings_page: NamedDependency[SettingsPage]
    ) -> Response[bytes]:
        s = settings_page
        s.accounts.set_digest_only(s.user, form_of(data).get("delivery") == "digest")
        return s(saved=True)

    @post("/atkomsttokens", sync_to_thread=True)
    def create_token(
        self, data: Form, settings_page: NamedDependency[SettingsPage]
    ) -> Response[bytes]:
        """A new token, shown this once. The form's one-time token is its id, so the same
        form sent twice makes one token (whose secret the first answer showed)."""
        s, form = settings_page, form_of(data)
        errors = FormErrors()
        name = errors.text(form, "name", bounds.NAME_LENGTH).strip()
        if not name and "name" not in errors:
            errors["name"] = "Ge token ett namn, till exempel vad den ska användas till."
        scope = errors.choice(form, "scope", TokenScope)
        last_day = s.now.date()
        try:
            last_day = datetime.strptime(form.get("expires_on", "").strip(), "%Y-%m-%d").date()
        except ValueError:
            errors["expires_on"] = "Ange ett datum som ÅÅÅÅ-MM-DD."
        else:
            problem = expiry_problem(last_day, s.now.date())
            if problem:
                errors["expires_on"] = problem
        if errors or scope is None:
            return s(422, form=form, errors=errors)
        try:
            token = s.tokens.create(
                s.user, name, scope, expires_at(last_day), s.now, token_id=once_of(form)
            )
        except TokenAlreadyCreated:
            return s(
                token_notice="Token skapades redan när formuläret skickades första gången och "
                "visas bara en gång. Har du inte kopierat den: återkalla den och skapa en ny."
            )
        return s(new_token=token, new_token_name=name)

    @post("/atkomsttokens/{token_id:str}/aterkalla", sync_to_thread=True)
    def revoke_token(
        self, token_id: FromPath[str], settings_page: NamedDependency[SettingsPage]
    ) -> Response[bytes]:
        s = settings_page
        mine = next((t for t in s.tokens.tokens_of(s.user) if t.id == token_id), None)
        if mine is None:
            raise NotFoundException("Du har ingen sådan åtkomsttoken.")
        if s.tokens.revoke(s.user, token_id, s.now):
            return s(token_notice=f"Token «{mine.name}» är återkallad och slutar gälla nu.")
        return s(token_notice=f"Token «{mine.name}» var redan återkallad.")

    @post("/kalender", sync_to_thread=True)
    def subscribe(
        self, settings_page: NamedDependency[SettingsPage], settings: NamedDependency[Settings]
    ) -> Response[bytes]:
        """A new address for the user's calendar feed, shown this once; the old one stops."""
        s = settings_page
        replaced = s.feeds.subscribed_since(s.user) is not None
        secret = s.feeds.subscribe(s.user, s.now)
        return s(feed_url=settings.base_url + FEED_PATH.format(secret), feed_replaced=replaced)

    @post("/kalender/aterkalla", sync_to_thread=True)
    def unsubscribe(self, settings_page: NamedDependency[SettingsPage]) -> Response[bytes]:
        s = settings_page
        had = s.feeds.unsubscribe(s.user)
        notice = "Kalenderadressen är borttagen." if had else "Du har ingen kalenderadress."
        return s(feed_notice=notice)


CONTROLLERS = [SettingsController]
