"""The room as a meeting place (issue 11): one screen at 1280x800 and 360x740, support
that never depends on the socket, alerts a facilitator cannot miss, cues for your turn,
drafts that survive a reload and a timer, and an end that asks how you are leaving."""

import os
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from circles.models import Membership
from meetings.models import Meeting
from meetings.room.models import Room
from tests.e2e.helpers import enter_room, open_meeting

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SHOTS = os.environ.get("HEARTH_E2E_SCREENSHOTS")  # a folder: save what the journeys saw


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


@pytest.fixture
def eight(transactional_db):
    """A facilitator (Fern) and seven members, all going to a meeting whose room is open."""
    people = [("fern", "Fern", Membership.Role.FACILITATOR)] + [
        (name.lower(), name, Membership.Role.MEMBER)
        for name in ("Milo", "Olive", "Priya", "Quinn", "Rosa", "Sven", "Tariq")
    ]
    meeting, _users = open_meeting("Evening grief circle", "Tuesday evening", people, "round")
    return meeting


def use_control(page, name):
    """A facilitator presses one of the panel's buttons: on a phone the panel is one tap
    away (and closed again afterwards), on a wide screen it is always there."""
    toggle = page.get_by_role("button", name="Facilitator controls")
    opened = toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    if opened:
        toggle.click()
    page.locator("#facilitator-panel").get_by_role("button", name=name, exact=True).click()
    if opened:
        page.locator("#panel-close").click()


def person_action(page, name, action):
    """A facilitator opens the menu on a person's seat and picks one action."""
    page.locator(f'#seats [data-seat-menu]:has(.seat-name:text-is("{name}"))').click()
    page.get_by_role("button", name=f"{action}: {name}").click()


def in_first_viewport(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{locator} is not on the page"
    assert box["x"] >= 0 and box["y"] >= 0, f"{locator} starts outside the viewport: {box}"
    assert box["x"] + box["width"] <= size["width"] + 1, f"{locator} overflows right: {box}"
    assert box["y"] + box["height"] <= size["height"] + 1, f"{locator} is below the fold: {box}"


def assert_one_screen(page, *, holder_name, composer):
    assert page.evaluate("window.scrollY") == 0
    in_first_viewport(page, page.locator("#circle"))
    in_first_viewport(page, page.locator("#seats .seat-holder"))
    expect(page.locator("#seats .seat-holder")).to_contain_text(holder_name)
    in_first_viewport(page, page.locator("#countdown"))
    in_first_viewport(page, page.locator("#shares .share").last)
    if composer:
        in_first_viewport(page, page.get_by_label("What you'd like to share"))
        in_first_viewport(page, page.get_by_role("button", name="Share", exact=True))
    in_first_viewport(page, page.get_by_role("button", name="I need support"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1280x800", "360x740"])
def test_the_first_screen_of_a_live_room_holds_the_circle_the_turn_and_the_composer(
    eight, new_page, size
):
    meeting = eight
    fern = enter_room(new_page, meeting, "fern@example.org", **size)
    milo = enter_room(new_page, meeting, "milo@example.org", **size)
    others = [enter_room(new_page, meeting, f"{n}@example.org") for n in ("olive", "priya")]
    fern.on("console", lambda m: print("CONSOLE", m.text))
    fern.on("pageerror", lambda e: print("PAGEERROR", e))
    use_control(fern, "Start")
    print("DEBUG", fern.locator("#room-status").text_content(), "|", fern.locator("#room-error").text_content(), fern.locator("#facilitator-panel").get_attribute("class"), fern.locator("#holder-line").text_content(), fern.locator("#seats").text_content())
    fern.wait_for_timeout(3000)
    print("DEBUG", fern.locator("#room-status").text_content(), "|", fern.locator("#room-error").text_content(), fern.locator("#facilitator-panel").get_attribute("class"), fern.locator("#holder-line").text_content(), fern.locator("#seats").text_content())
    shot(fern, "after-start")
    expect(fern.locator("#holder-line")).to_have_text("You hold the talking piece.")
    fern.get_by_label("What you'd like to share").fill("Welcome, everyone. " * 12)
    fern.get_by_role("button", name="Share", exact=True).click()
    expect(milo.locator("#shares .share")).to_have_count(1)
    fern.get_by_role("button", name="Pass").click()
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.evaluate("window.scrollTo(0, 0)")
    fern.evaluate("window.scrollTo(0, 0)")
    label = "wide" if size is WIDE else "phone"
    shot(milo, f"live-holder-{label}")
    shot(fern, f"live-facilitator-{label}")
    shot(others[0], f"live-listener-{label}")

    assert_one_screen(milo, holder_name="Milo", composer=True)
    assert_one_screen(fern, holder_name="Milo", composer=False)

    # A facilitator's controls are one action away (always there on a wide screen).
    if size is PHONE:
        expect(fern.get_by_role("button", name="Skip this turn")).to_be_hidden()
        fern.get_by_role("button", name="Facilitator controls").click()
        shot(fern, "panel-phone")
    in_first_viewport(fern, fern.get_by_role("button", name="Skip this turn"))
    if size is PHONE:
        fern.get_by_role("button", name="Close").click()
    # Per-person actions are a menu on the seat, not five buttons per person.
    expect(fern.get_by_role("button", name="Give the piece: Olive")).to_have_count(0)
    fern.locator('#seats [data-seat-menu]:has(.seat-name:text-is("Olive"))').click()
    shot(fern, f"person-menu-{label}")
    in_first_viewport(fern, fern.get_by_role("button", name="Give the piece: Olive"))
    fern.get_by_role("button", name="Give the piece: Olive").click()
    expect(others[0].locator("#holder-line")).to_have_text("You hold the talking piece.")
