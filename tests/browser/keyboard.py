"""Driving a page with the keyboard alone: Tab to a control (which proves it can be reached),
then type, tick with Space, or press Enter."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

TABS = 250  # more than any page of the service has controls


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus; fail if it never gets it."""
    target.wait_for()
    for _ in range(TABS):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {target}")


def type_into(page: Page, field: Locator, text: str) -> None:
    """Tab to a text field, clear it and type."""
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def choose(page: Page, select: Locator, label: str) -> None:
    """Tab to a select and pick the option whose label starts with `label`, with the arrow
    keys (as a keyboard user does), checking what got chosen."""
    tab_to(page, select)
    labels: list[str] = select.evaluate("s => [...s.options].map(o => o.label)")
    found = [i for i, text in enumerate(labels) if text.startswith(label)]
    assert found, f"no option {label!r} in {labels}"
    wanted = found[0]
    current: int = select.evaluate("s => s.selectedIndex")
    key = "ArrowDown" if wanted > current else "ArrowUp"
    for _ in range(abs(wanted - current)):
        page.keyboard.press(key)
    chosen: int = select.evaluate("s => s.selectedIndex")
    assert chosen == wanted, f"{label!r} not chosen in {select}"


def tick(page: Page, box: Locator) -> None:
    tab_to(page, box)
    if not box.is_checked():
        page.keyboard.press("Space")


def press(page: Page, control: Locator) -> None:
    """Tab to a link or button and press Enter."""
    tab_to(page, control)
    page.keyboard.press("Enter")
