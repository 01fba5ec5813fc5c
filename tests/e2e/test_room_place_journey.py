"""The room as a meeting place (issue 11): one screen at 1280x800 and 360x740, support
that never depends on the socket, alerts a facilitator cannot miss, cues for your turn,
drafts that survive a reload and a timer, and an end that asks how you are leaving."""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from circles import actions as circle_actions
from circles.models import Membership
from meetings.models import Meeting
from meetings.room.models import Room, Share
from tests.e2e.helpers import (
    enter_room,
    log_in,
    open_meeting,
    open_room_settings,
    person_action,
    use_control,
)

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
    others = [
        enter_room(new_page, meeting, f"{n}@example.org")
        for n in ("olive", "priya", "quinn", "rosa", "sven", "tariq")
    ]
    expect(fern.locator("#seats .seat")).to_have_count(8)
    use_control(fern, "Start")
    expect(fern.locator("#holder-line")).not_to_have_text(re.compile("Nobody"))
    if fern.locator("#holder-line").text_content() != "You hold the talking piece.":
        person_action(fern, "Fern", "Give the piece")
    expect(fern.locator("#holder-line")).to_have_text("You hold the talking piece.")
    fern.get_by_label("What you'd like to share").fill("Welcome, everyone. " * 12)
    fern.get_by_role("button", name="Share", exact=True).click()
    expect(milo.locator("#shares .share")).to_have_count(1)
    person_action(fern, "Milo", "Give the piece")
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.evaluate("window.scrollTo(0, 0)")
    fern.evaluate("window.scrollTo(0, 0)")
    label = "wide" if size is WIDE else "phone"
    shot(milo, f"live-holder-{label}")
    shot(fern, f"live-facilitator-{label}")
    shot(others[0], f"live-listener-{label}")

    assert_one_screen(milo, holder_name="Milo", composer=True)
    expect(milo.locator("#meeting-clock")).to_have_text(
        re.compile(r"^5\d min left in the meeting$")
    )
    in_first_viewport(milo, milo.locator("#meeting-clock"))
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
    # The soft sound is off until a facilitator asks for it, and this browser remembers.
    sound = hanna.get_by_label("Play a soft sound for support requests")
    expect(sound).not_to_be_checked()
    sound.check()
    hanna.reload()
    expect(hanna.locator("#connection")).to_have_text("Connected")
    expect(sound).to_be_checked()

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
    milo.get_by_role("button", name="Pass", exact=True).click()
    expect(milo).to_have_title(base_title)


def test_a_draft_survives_a_reload_and_a_timeout_and_is_shared_on_the_next_turn(
    small_circle, new_page
):
    meeting = small_circle
    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    milo = enter_room(new_page, meeting, "milo@example.org", **PHONE)
    use_control(fern, "Start")
    person_action(fern, "Milo", "Give the piece")
    composer = milo.get_by_label("What you'd like to share")
    expect(composer).to_be_enabled()
    composer.fill("I wanted to say something about my mum, and")

    milo.reload()
    expect(milo.locator("#connection")).to_have_text("Connected")
    expect(composer).to_have_value("I wanted to say something about my mum, and")
    expect(composer).to_be_enabled()

    # Time runs out mid-sentence: the page says so and keeps the words, unsent.
    room = Room.objects.get(pk=meeting.pk)
    deadline = timezone.now() + timedelta(seconds=2)
    room.state["holder"]["deadline"] = deadline.isoformat()
    room.next_deadline = deadline
    room.save()
    use_control(fern, "Lock the room")
    expect(milo.locator("#turn-notice")).to_contain_text("Time is up", timeout=15_000)
    expect(milo.locator("#turn-notice")).to_contain_text("kept here for your next turn")
    expect(composer).to_be_visible()
    expect(composer).to_be_disabled()
    expect(composer).to_have_value("I wanted to say something about my mum, and")
    shot(milo, "timeout-kept-phone")
    assert not Share.objects.filter(meeting=meeting).exists(), "a draft is never sent"

    person_action(fern, "Milo", "Give the piece")
    expect(composer).to_be_enabled()
    composer.press("End")
    composer.type(" how much I miss her.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(fern.locator("#shares .share-text")).to_have_text(
        ["I wanted to say something about my mum, and how much I miss her."]
    )
    expect(composer).to_have_value("")
    assert milo.evaluate("Object.keys(sessionStorage).filter(k => k.includes('draft'))") == []


def test_someone_who_entered_before_the_start_is_asked_how_they_are_leaving(
    transactional_db, new_page
):
    meeting, _users = open_meeting(
        "Morning circle",
        "Early start",
        [("fern", "Fern", Membership.Role.FACILITATOR), ("milo", "Milo", Membership.Role.MEMBER)],
        "round",
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(minutes=5))
    later = Meeting.objects.create(
        circle=meeting.circle,
        title="Next week's circle",
        starts_at=timezone.now() + timedelta(days=7),
    )
    milo = enter_room(new_page, meeting, "milo@example.org", **PHONE)
    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    expect(milo.get_by_role("heading", name="Checking out")).to_be_hidden()
    use_control(fern, "Start")
    # The meeting reaches its scheduled time while they are in it, then ends.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    fern.on("dialog", lambda dialog: dialog.accept())
    use_control(fern, "End the meeting")
    expect(milo.get_by_role("heading", name="Checking out")).to_be_visible()
    expect(milo.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    shot(milo, "ended-live-phone")

    milo.reload()
    expect(milo.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    expect(milo.get_by_role("heading", name="Checking out")).to_be_visible()
    expect(milo.get_by_role("link", name=later.title)).to_be_visible()
    for text in ("The room isn't open right now", "Nothing has been shared yet"):
        expect(milo.get_by_text(text)).to_have_count(0)
    shot(milo, "ended-reloaded-phone")
    milo.get_by_role("radio", name="Okay").check()
    milo.locator('[data-wellbeing="check-out"]').get_by_role(
        "button", name="Save my answer"
    ).click()
    expect(milo.locator('[data-wellbeing="check-out"] [data-wellbeing-status]')).to_contain_text(
        "Thank you"
    )


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_lobby_live_and_ended_rooms_pass_an_accessibility_scan(small_circle, new_page):
    meeting = small_circle
    lobby = new_page(**PHONE)
    log_in(lobby, "olive@example.org")
    lobby.goto(f"/meetings/{meeting.pk}/room/")
    expect(lobby.get_by_role("button", name="I agree, for this meeting")).to_be_visible()
    assert serious_violations(lobby) == [], "lobby, member"

    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    milo = enter_room(new_page, meeting, "milo@example.org", **WIDE)
    assert serious_violations(fern) == [], "lobby, facilitator"
    use_control(fern, "Start")
    fern.get_by_label("What you'd like to share").fill("Hello, everyone.")
    fern.get_by_role("button", name="Share", exact=True).click()
    person_action(fern, "Milo", "Give the piece")
    expect(milo.get_by_label("What you'd like to share")).to_be_enabled()
    assert serious_violations(milo) == [], "live room, member holding the piece"
    assert serious_violations(fern) == [], "live room, facilitator"

    fern.on("dialog", lambda dialog: dialog.accept())
    use_control(fern, "End the meeting")
    expect(milo.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    milo.reload()
    fern.reload()
    expect(fern.get_by_role("heading", name="This meeting has ended")).to_be_visible()
    assert serious_violations(milo) == [], "ended room, member"
    assert serious_violations(fern) == [], "ended room, facilitator"


def tabs_until(page, found, limit=40):
    """How many Tab presses from the top of the page until ``found()`` is true."""
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".skip-link").focus()  # the first Tab stop of every page
    if page.evaluate(found):
        return 1
    for presses in range(2, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(found):
            return presses
    raise AssertionError(f"not reached in {limit} Tab presses")


def test_the_keyboard_reaches_the_composer_and_a_persons_actions_in_a_few_presses(
    small_circle, new_page
):
    meeting = small_circle
    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    milo = enter_room(new_page, meeting, "milo@example.org", **WIDE)
    enter_room(new_page, meeting, "olive@example.org", **WIDE)
    use_control(fern, "Start")
    fern.get_by_label("What you'd like to share").fill("Hello, everyone.")
    fern.get_by_role("button", name="Share", exact=True).click()
    person_action(fern, "Milo", "Give the piece")
    expect(milo.get_by_label("What you'd like to share")).to_be_enabled()

    to_composer = tabs_until(milo, "document.activeElement.id === 'share-text'")
    to_write = tabs_until(milo, "document.activeElement.id === 'turn-notice-write'")
    milo.keyboard.press("Enter")
    expect(milo.get_by_label("What you'd like to share")).to_be_focused()
    # A facilitator: to the last person's seat, then Enter opens its menu on "Give the piece".
    to_seat = tabs_until(
        fern,
        "document.activeElement.closest('.seat')?.textContent.includes('Olive') ?? false",
    )
    fern.keyboard.press("Enter")
    expect(fern.get_by_role("button", name="Give the piece: Olive")).to_be_focused()
    print(
        f"Tab presses: holder to composer {to_composer}, to 'Write my share' {to_write}; "
        f"facilitator to Olive's seat {to_seat}"
    )
    assert to_write <= 12
    assert to_composer <= 25
    assert to_seat <= 15
    fern.keyboard.press("Enter")
    expect(milo.locator("#holder-line")).to_have_text("Olive holds the talking piece.")


def test_every_action_answers_on_screen(small_circle, new_page):
    meeting = small_circle
    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    milo = enter_room(new_page, meeting, "milo@example.org", **PHONE)
    olive = enter_room(new_page, meeting, "olive@example.org", **WIDE)
    use_control(fern, "Start")
    person_action(fern, "Milo", "Give the piece")
    milo.get_by_label("What you'd like to share").fill("Something I should not have said.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(olive.locator("#shares .share")).to_have_count(1)

    olive.get_by_role("button", name="Report the share by Milo").click()
    olive.get_by_role("button", name="Send report").click()
    expect(olive.locator("#private-notice")).to_contain_text("Your report was sent")
    expect(olive.locator("#shares .share-report")).to_have_text("Reported")
    expect(olive.locator("#shares .share-report")).to_be_disabled()

    fern.on("dialog", lambda dialog: dialog.accept())
    fern.get_by_role("button", name="Hide the share by Milo").click()
    expect(milo.locator("#private-notice")).to_contain_text("A facilitator hid your share")
    expect(olive.locator("#private-notice")).not_to_contain_text("hid")

    person_action(fern, "Milo", "Mute")
    expect(milo.locator("#mute-notice")).to_be_visible()
    expect(milo.locator("#mute-notice strong")).to_have_text(
        "A facilitator has muted you for this meeting."
    )
    expect(milo.locator("#mute-notice")).to_contain_text("at the latest it ends with this meeting")
    shot(milo, "muted-phone")
    person_action(fern, "Milo", "Unmute")
    expect(milo.locator("#mute-notice")).to_be_hidden()

    # The reminder of an agreement can be put away.
    open_room_settings(fern)
    fern.get_by_role("button", name="Remind", exact=True).click()
    expect(olive.locator("#reminder")).to_be_visible()
    olive.locator("#reminder").get_by_role("button", name="Dismiss").click()
    expect(olive.locator("#reminder")).to_be_hidden()


def test_a_mute_in_the_circle_reads_as_one_sentence_from_a_host_with_its_end(
    small_circle, new_page
):
    meeting = small_circle
    fern = enter_room(new_page, meeting, "fern@example.org", **WIDE)
    milo = enter_room(new_page, meeting, "milo@example.org", **PHONE)
    use_control(fern, "Start")
    membership = Membership.objects.get(circle=meeting.circle, user__email="milo@example.org")
    hanna = Membership.objects.get(circle=meeting.circle, user__email="hanna@example.org").user
    until = timezone.now() + timedelta(hours=2)

    # Off Playwright's thread (its event loop is running): the mute broadcasts to the room.
    def mute():
        try:
            circle_actions.mute_member(membership, hanna, until, "Cool off")
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as other:
        other.submit(mute).result()

    banner = milo.locator("#mute-notice")
    expect(banner).to_be_visible()
    expect(banner.locator("strong")).to_have_text(
        re.compile(r"^A host has muted you in this circle until ")
    )
    expect(banner).to_contain_text("until then.")
    expect(banner).not_to_contain_text("facilitator")
    expect(milo.locator("#composer-hint")).not_to_contain_text("facilitator")
    shot(milo, "circle-muted-phone")
