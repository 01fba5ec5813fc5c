"""Journeys through the talking circle, one Chromium context per person, against the real
ASGI server (and the Redis channel layer when REDIS_URL is set)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circles.models import Membership
from meetings.models import Meeting
from meetings.room.models import Room, Share
from tests.e2e.helpers import enter_room, log_in, open_meeting, open_room_settings, person_action


@pytest.fixture
def circle_meeting(transactional_db):
    """A circle with a facilitator (Fern) and two members (Milo, Olive), all going to a
    meeting whose room is open now."""
    meeting, _people = open_meeting(
        "Thursday grief circle",
        "Thursday evening",
        [
            ("fern", "Fern", Membership.Role.FACILITATOR),
            ("milo", "Milo", Membership.Role.MEMBER),
            ("olive", "Olive", Membership.Role.MEMBER),
        ],
        Meeting.RoomMode.ROUND,
    )
    return meeting


def seat(page, name):
    return page.locator("#seats .seat", has_text=name)


def announcer(page):
    return page.locator("#announcer")


def test_a_round_where_each_person_shares_or_passes(circle_meeting, new_page):
    meeting = circle_meeting
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")
    olive = enter_room(new_page, meeting, "olive@example.org", width=360, height=740)
    for page in (fern, milo, olive):
        expect(page.locator("#seats .seat")).to_have_count(3)

    fern.get_by_role("button", name="Start", exact=True).click()
    for page in (fern, milo, olive):
        expect(seat(page, "Fern").locator(".talking-piece")).to_be_visible()
    expect(fern.locator("#holder-line")).to_have_text("You hold the talking piece.")
    expect(milo.locator("#queue li")).to_have_text(["Milo", "Olive"])
    expect(milo.get_by_label("What you'd like to share")).to_be_disabled()

    fern.get_by_role("button", name="Pass", exact=True).click()
    expect(announcer(olive)).to_contain_text("Milo now holds the talking piece.")
    expect(announcer(milo)).to_contain_text("It's your turn")
    composer = milo.get_by_label("What you'd like to share")
    expect(composer).to_be_enabled()
    composer.fill("My dad's birthday was this week. <b>I miss him.</b>")
    milo.get_by_label("Content warning").fill("grief")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(composer).to_have_value("")

    # Listeners see the content warning first and choose to read.
    share = olive.locator("#shares .share").first
    expect(share.locator(".share-warning-text")).to_have_text("grief")
    expect(share.locator(".share-text")).to_be_hidden()
    share.get_by_role("button", name="Show this share").click()
    expect(share.locator(".share-text")).to_have_text(
        "My dad's birthday was this week. <b>I miss him.</b>"
    )
    assert share.locator(".share-text b").count() == 0, "text is never inserted as HTML"
    share.get_by_role("button", name="Heard").click()
    expect(milo.locator("#shares .share .reaction[data-kind=heard] .reaction-count")).to_have_text(
        "1"
    )
    expect(share.get_by_role("button", name="Heard")).to_have_attribute("aria-pressed", "true")

    milo.get_by_role("button", name="End my turn").click()
    expect(announcer(fern)).to_contain_text("Olive now holds the talking piece.")
    olive.get_by_role("button", name="Pass", exact=True).click()
    expect(announcer(fern)).to_contain_text("Olive's turn passed.")
    for page in (fern, milo, olive):
        expect(page.locator("#holder-line")).to_have_text("The talking piece is free.")
    assert olive.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_timer_ends_a_turn_by_itself(circle_meeting, new_page):
    meeting = circle_meeting
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")
    open_room_settings(fern)
    fern.get_by_label("How the piece moves").select_option("queue")
    fern.get_by_role("button", name="Set").first.click()
    expect(milo.locator("#room-status")).to_contain_text("raised hands")
    milo.get_by_role("button", name="Raise my hand").click()
    expect(fern.locator("#queue li")).to_have_text(["Milo"])
    fern.get_by_role("button", name="Start", exact=True).click()
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    expect(milo.locator("#countdown")).to_contain_text("1:5")

    # Make the turn nearly over, then let any event carry the new deadline to the servers.
    room = Room.objects.get(pk=meeting.pk)
    deadline = timezone.now() + timedelta(seconds=2)
    room.state["holder"]["deadline"] = deadline.isoformat()
    room.next_deadline = deadline
    room.save()
    fern.get_by_role("button", name="Lock the room").click()

    expect(announcer(fern)).to_contain_text("Milo's turn ended: time ran out.", timeout=15_000)
    expect(milo.get_by_label("What you'd like to share")).to_be_disabled()

    # Ending the meeting ends it for everyone, and asks how they are leaving.
    fern.on("dialog", lambda dialog: dialog.accept())
    expect(milo.get_by_role("heading", name="Checking out")).to_be_hidden()
    fern.get_by_role("button", name="End the meeting").click()
    expect(milo.locator("#room-status")).to_contain_text("This meeting has ended")
    expect(milo.get_by_role("heading", name="Checking out")).to_be_visible()


def test_a_facilitator_mutes_hides_and_removes(circle_meeting, new_page):
    meeting = circle_meeting
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")
    olive = enter_room(new_page, meeting, "olive@example.org")
    fern.on("dialog", lambda dialog: dialog.accept())
    fern.get_by_role("button", name="Start", exact=True).click()
    person_action(fern, "Milo", "Give the piece")
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.get_by_label("What you'd like to share").fill("Something unkind about Olive.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(olive.locator("#shares .share")).to_have_count(1)

    fern.get_by_role("button", name="Hide the share by Milo").click()
    expect(olive.locator("#shares .share")).to_have_count(0)
    expect(milo.locator("#shares .share")).to_have_count(0)
    assert Share.objects.get(meeting=meeting).hidden_at is not None

    person_action(fern, "Milo", "Mute")
    expect(announcer(milo)).to_contain_text("A facilitator has muted you for now.")
    expect(milo.get_by_label("What you'd like to share")).to_be_disabled()
    expect(milo.get_by_role("button", name="Join the round")).to_be_disabled()
    expect(seat(olive, "Milo")).to_contain_text("muted")
    person_action(fern, "Milo", "Unmute")
    expect(milo.get_by_role("button", name="Join the round")).to_be_enabled()

    person_action(fern, "Olive", "Remove")
    expect(olive.locator("#room-status")).to_have_text(
        "A facilitator has asked you to leave this circle."
    )
    expect(fern.locator("#seats .seat")).to_have_count(2)
    olive.reload()
    expect(olive.locator("#connection")).to_have_text("Not connected")


def test_a_reload_in_the_middle_of_a_turn_restores_everything(circle_meeting, new_page):
    meeting = circle_meeting
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")
    fern.get_by_role("button", name="Start", exact=True).click()
    fern.get_by_role("button", name="Pass", exact=True).click()
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.get_by_label("What you'd like to share").fill("First part of my share.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(fern.locator("#shares .share-text")).to_have_text(["First part of my share."])

    milo.reload()
    expect(milo.locator("#connection")).to_have_text("Connected")
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    expect(milo.locator("#shares .share-text")).to_have_text(["First part of my share."])
    expect(milo.get_by_label("What you'd like to share")).to_be_enabled()
    expect(seat(fern, "Milo").locator(".talking-piece")).to_be_visible()
    expect(seat(fern, "Milo")).not_to_contain_text("away")
    milo.get_by_label("What you'd like to share").fill("And the rest, after the reload.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(fern.locator("#shares .share-text")).to_have_count(2)


def test_a_member_confirms_the_agreements_before_the_room_lets_them_in(circle_meeting, new_page):
    page = new_page()
    log_in(page, "milo@example.org")
    page.goto(f"/meetings/{circle_meeting.pk}/room/")
    expect(page.locator("#agreement-first")).to_be_visible()
    expect(page.locator("#connection")).not_to_have_text("Connected")
    page.get_by_role("button", name="I agree, for this meeting").click()
    expect(page.locator("#connection")).to_have_text("Connected")
    expect(page.locator("#agreement-first")).to_have_count(0)
    expect(page.get_by_role("heading", name="Our agreements for this meeting")).to_be_visible()

    fern = enter_room(new_page, circle_meeting, "fern@example.org")
    fern.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name="Our agreements for this meeting")).to_be_hidden()


def test_gentle_facilitation_nudges_only_the_holder_and_reminds_everyone(circle_meeting, new_page):
    meeting = circle_meeting
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")
    olive = enter_room(new_page, meeting, "olive@example.org")
    expect(fern.locator("#not-shared li")).to_have_text(["Fern", "Milo", "Olive"])

    fern.get_by_role("button", name="Start", exact=True).click()
    fern.get_by_role("button", name="Pass", exact=True).click()
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.get_by_label("What you'd like to share").fill("A hard week.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(fern.locator("#not-shared li")).to_have_text(["Fern", "Olive"])

    open_room_settings(fern)
    fern.get_by_label("Nudge the holder (only they see it)").select_option("default-1")
    fern.get_by_role("button", name="Nudge", exact=True).click()
    expect(milo.locator("#nudge-text")).to_have_text("A minute left — take your time to finish.")
    expect(announcer(fern)).to_contain_text("Your nudge went to Milo, privately.")
    expect(olive.locator("#nudge")).to_be_hidden()
    expect(fern.locator("#nudge")).to_be_hidden()

    fern.get_by_label("Remind everyone of an agreement").select_option(
        "What is said here stays here."
    )
    fern.get_by_role("button", name="Remind", exact=True).click()
    for page in (fern, milo, olive):
        expect(page.locator("#reminder-text")).to_have_text("What is said here stays here.")
    assert olive.locator("#not-shared").count() == 0
