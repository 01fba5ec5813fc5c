"""Care between meetings, in the browser: a member asks for support in the room, the
facilitator opens a follow-up from the insights page once the meeting is over, and the
member reads it on /me/, answers and closes it. Screenshots of every new page at
1280x800 and 360x740 go to /tmp/followups-*.png."""

import pytest
from playwright.sync_api import expect

from circles.models import Membership
from meetings.followups.models import FollowUp
from meetings.models import Meeting
from tests.e2e.helpers import enter_room, log_in, open_meeting

SIZES = {"wide": (1280, 800), "phone": (360, 740)}
OPENING = "Hi Milo, I saw you asked for support tonight. I'm here if you'd like to talk."
ANSWER = "Thank you Fern. It was a hard day, but I feel a bit better now."


@pytest.fixture
def meeting(transactional_db):
    meeting, _people = open_meeting(
        "Thursday grief circle",
        "Thursday evening",
        [
            ("fern", "Fern", Membership.Role.FACILITATOR),
            ("milo", "Milo", Membership.Role.MEMBER),
            ("hanna", "Hanna", Membership.Role.HOST),
        ],
        Meeting.RoomMode.ROUND,
    )
    return meeting


def shoot(page, name):
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"/tmp/followups-{name}-{size}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} is wider than the screen at {width} px"


def test_a_member_who_asked_for_support_gets_a_follow_up_reads_answers_and_closes_it(
    meeting, new_page, server
):
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")

    # In the room: Milo asks for support, and is told a follow-up may come.
    milo.get_by_role("button", name="I need support").click()
    milo.get_by_label("Anything you'd like them to know").fill("Rough week.")
    milo.get_by_role("button", name="Tell the facilitators").click()
    expect(milo.locator("#support-result")).to_contain_text("may send you a private follow-up")
    expect(fern.locator("#support-alerts")).to_contain_text("Rough week.")

    # Fern ends the meeting, then opens the insights page and follows up.
    fern.on("dialog", lambda dialog: dialog.accept())
    fern.get_by_role("button", name="End the meeting").click()
    expect(milo.locator("#room-status")).to_contain_text("This meeting has ended")
    fern.goto(f"/meetings/{meeting.pk}/insights/")
    reason = fern.locator(".followup-reason", has_text="asked for support")
    expect(reason).to_contain_text("Waiting")
    shoot(fern, "insights")
    reason.get_by_role("link", name="Send a follow-up").click()
    expect(fern.get_by_role("heading", level=1)).to_have_text("Send a follow-up to Milo")
    shoot(fern, "open")
    fern.get_by_role("button", name="Send the follow-up").click()
    expect(fern.locator(".field-errors")).to_contain_text("Write a message first.")
    fern.get_by_label("Your message").fill(OPENING)
    fern.get_by_role("button", name="Send the follow-up").click()
    expect(fern.locator(".messages")).to_contain_text("Milo will be told")
    expect(fern.locator(".followup-message")).to_contain_text(OPENING)

    # The email says only that there is a message, and where.
    body = server.last_mail_body("milo@example.org")
    assert "You have a message on Hearth" in body
    assert OPENING not in body and "Thursday" not in body and "support" not in body

    # Milo finds it on /me/, reads it, answers and closes it.
    milo.goto("/me/")
    expect(milo.locator("#my-notifications").locator("..")).to_contain_text(
        "You have a message on Hearth."
    )
    expect(milo.locator("#my-follow-ups").locator("..")).to_contain_text("A message from")
    shoot(milo, "me")
    milo.get_by_role("link", name="You have a message on Hearth.").first.click()
    expect(milo.get_by_role("heading", level=1)).to_have_text("A message from your circle")
    expect(milo.locator(".followup-message").first).to_contain_text(OPENING)
    expect(milo.locator(".followup-message").first).to_contain_text("Fern")
    milo.get_by_label("Your message").fill(ANSWER)
    milo.get_by_role("button", name="Send", exact=True).click()
    expect(milo.locator(".followup-message").last).to_contain_text(ANSWER)
    shoot(milo, "thread")
    milo.get_by_role("button", name="Close this follow-up").click()
    expect(milo.locator(".followup-closed")).to_contain_text("Closed by Milo")
    expect(milo.get_by_label("Your message")).to_have_count(0)
    shoot(milo, "closed")

    # Fern sees it answered and closed; the insights page says who followed up.
    fern.goto(f"/meetings/{meeting.pk}/insights/")
    expect(fern.locator(".followup-reason", has_text="asked for support")).to_contain_text(
        "Followed up by Fern (closed)"
    )
    thread = FollowUp.objects.get()
    assert thread.closed_at is not None and thread.messages.count() == 2

    # The circle's host sees in the moderation queue that Fern followed the request up.
    hanna = new_page()
    log_in(hanna, "hanna@example.org")
    hanna.goto("/moderation/")
    expect(hanna.locator(".moderation-safety").first).to_contain_text(
        "Followed up by Fern (closed)."
    )
    shoot(hanna, "queue")

    # Milo turns follow-ups off; the settings page says what that means.
    milo.goto("/me/settings/")
    milo.get_by_label("Don't contact me after meetings").check()
    milo.get_by_role("button", name="Save settings").click()
    expect(milo.locator(".messages")).to_contain_text("Your settings are saved.")
    shoot(milo, "settings")
