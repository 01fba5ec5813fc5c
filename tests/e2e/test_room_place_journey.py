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
from tests.e2e.helpers import enter_room, log_in, open_meeting, person_action

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
    use_control(fern, "Start")
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


@pytest.fixture
def small_circle(transactional_db):
    """Fern facilitates, Hanna hosts (and sees the moderation queue), Milo and Olive go."""
    meeting, _users = open_meeting(
        "Evening grief circle",
        "Tuesday evening",
        [
            ("fern", "Fern", Membership.Role.FACILITATOR),
            ("hanna", "Hanna", Membership.Role.HOST),
            ("milo", "Milo", Membership.Role.MEMBER),
            ("olive", "Olive", Membership.Role.MEMBER),
        ],
        "round",
    )
    return meeting


def test_support_from_a_page_whose_socket_is_closed_reaches_the_facilitators(
    small_circle, new_page
):
    meeting = small_circle
    fern = enter_room(new_page, meeting, "fern@example.org", **PHONE)
    hanna = enter_room(new_page, meeting, "hanna@example.org", **WIDE)
    base_title = fern.title()

    # Milo is still in the lobby: he has not confirmed the agreements, so no socket.
    milo = new_page(**PHONE)
    log_in(milo, "milo@example.org")
    milo.goto(f"/meetings/{meeting.pk}/room/")
    expect(milo.locator("#connection")).not_to_have_text("Connected")
    milo.get_by_role("button", name="I need support").click()
    dialog = milo.get_by_role("dialog", name="Ask for support")
    # The resources are there before anything is sent, as links.
    expect(dialog.locator('a[href^="tel:"]').first).to_be_visible()
    expect(dialog.locator('a[href^="https:"]').first).to_be_visible()
    milo.get_by_label("Anything you'd like them to know").fill("Tonight is hard.")
    dialog.get_by_role("button", name="Tell the facilitators").click()
    expect(dialog.locator("#support-result")).to_contain_text("The facilitators have been told")
    shot(milo, "support-sent-phone")

    for page in (fern, hanna):
        banner = page.get_by_role("alert").filter(has_text="Milo asked for support")
        expect(banner).to_contain_text("Tonight is hard.")
        box = banner.bounding_box()
        assert box["y"] <= 1, f"the banner is pinned to the top of the viewport: {box}"
        expect(page).to_have_title("1 support request · Hearth")
    shot(fern, "support-alert-phone")
    shot(hanna, "support-alert-wide")

    fern.get_by_role("button", name="Acknowledge: I'll check in with Milo").click()
    for page in (fern, hanna):
        expect(page.locator(".support-alert")).to_contain_text("Fern is checking in with Milo.")
        expect(page).to_have_title(base_title)

    queue = new_page(**WIDE)
    log_in(queue, "hanna@example.org")
    queue.goto("/moderation/")
    event = queue.locator("article.moderation-safety").first
    expect(event).to_contain_text("Milo")
    expect(event).to_contain_text("Tonight is hard.")


def test_a_failed_support_request_says_so_calmly_and_keeps_the_resources(small_circle, new_page):
    milo = new_page(**PHONE)
    log_in(milo, "milo@example.org")
    milo.route("**/room/support/", lambda route: route.abort())
    milo.goto(f"/meetings/{small_circle.pk}/room/")
    milo.get_by_role("button", name="I need support").click()
    dialog = milo.get_by_role("dialog", name="Ask for support")
    dialog.get_by_role("button", name="Tell the facilitators").click()
    expect(dialog.locator("#support-result")).to_contain_text("couldn't reach the facilitators")
    expect(dialog.locator('a[href^="tel:"]').first).to_be_visible()
    milo.unroute("**/room/support/")
    dialog.get_by_role("button", name="Try again").click()
    expect(dialog.locator("#support-result")).to_contain_text("The facilitators have been told")


def test_your_turn_reaches_the_title_the_screen_and_the_composer(small_circle, new_page):
    meeting = small_circle
    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    milo = enter_room(new_page, meeting, "milo@example.org", **WIDE)
    olive = enter_room(new_page, meeting, "olive@example.org", **PHONE)
    base_title = milo.title()
    use_control(fern, "Start")
    expect(milo.locator("#turn-notice")).to_contain_text("You're next")
    person_action(fern, "Olive", "Move earlier")
    expect(olive.locator("#turn-notice")).to_contain_text("You're next")
    expect(milo.locator("#turn-notice")).to_be_hidden()
    person_action(fern, "Milo", "Give the piece")
    expect(milo).to_have_title("Your turn · Hearth")
    expect(milo.locator("#turn-notice")).to_contain_text("It's your turn")
    expect(milo.get_by_label("What you'd like to share")).to_be_focused()
    # In a round nobody raised a hand, so nobody is offered to lower one.
    expect(olive.get_by_role("button", name="Lower my hand")).to_have_count(0)
    expect(olive.get_by_role("button", name="Pass when it comes to me")).to_be_visible()
    milo.get_by_role("button", name="Pass").click()
    expect(milo).to_have_title(base_title)
