"""The browser journey: a member reports a share in a room, a host hides it from the queue,
and it disappears from everyone's screen in the room at once."""

import time

import pytest
from playwright.sync_api import expect

from circles.models import Membership
from meetings.models import Meeting
from meetings.room.models import Share
from moderation.models import ModerationAction, Report
from tests.e2e.helpers import enter_room, log_in, open_meeting, person_action
from tests.factories import CircleFactory, MembershipFactory, UserFactory

# Meetings offers moderation a handle on shares with ``register_moderation_handlers()``;
# until ``MeetingsConfig.ready()`` calls it, the queue cannot hide a share.


@pytest.fixture
def room_with_host(transactional_db):
    return open_meeting(
        "Friday grief circle",
        "Friday evening",
        [
            ("hanna", "Hanna", Membership.Role.HOST),
            ("fern", "Fern", Membership.Role.FACILITATOR),
            ("milo", "Milo", Membership.Role.MEMBER),
            ("olive", "Olive", Membership.Role.MEMBER),
        ],
        Meeting.RoomMode.QUEUE,
    )


def _wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_member_reports_a_share_and_a_host_hides_it_from_the_queue(
    room_with_host,
    new_page,
):
    meeting, _people = room_with_host
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(new_page, meeting, "milo@example.org")
    olive = enter_room(new_page, meeting, "olive@example.org")
    fern.get_by_role("button", name="Start", exact=True).click()
    person_action(fern, "Milo", "Give the piece")
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.get_by_label("What you'd like to share").fill("Something unkind about Olive.")
    milo.get_by_role("button", name="Share", exact=True).click()
    expect(olive.locator("#shares .share")).to_have_count(1)

    olive.get_by_role("button", name="Report the share by Milo").click()
    olive.get_by_label("Why are you reporting it?").select_option("harassment")
    olive.get_by_label("Anything else").fill("It was about me.")
    olive.get_by_role("button", name="Send report").click()
    _wait_for(lambda: Report.objects.exists())

    hanna = new_page()
    log_in(hanna, "hanna@example.org")
    hanna.goto("/moderation/")
    card = hanna.locator("article.moderation-card").first
    expect(card).to_contain_text("Something unkind about Olive.")
    expect(card).to_contain_text("It was about me.")
    card.get_by_role("button", name="Hide the content").click()
    expect(hanna.get_by_role("status")).to_contain_text("hidden everywhere")

    for page in (olive, milo, fern):
        expect(page.locator("#shares .share")).to_have_count(0)
    assert Share.objects.get(meeting=meeting).hidden_at is not None
    report = Report.objects.get()
    assert report.state == Report.State.ACTIONED
    assert report.snapshot["text"] == "Something unkind about Olive."
    assert ModerationAction.objects.filter(action="moderation.content.hidden").count() == 1


def test_the_moderation_pages_fit_a_360_pixel_screen_and_warn_from_the_queue(
    transactional_db,
    new_page,
):
    from moderation.actions import file_report, record_action

    circle = CircleFactory(name="Narrow circle")
    host, jo, sam = (
        UserFactory(display_name=name, email=f"{name.lower()}@example.org", is_staff=staff)
        for name, staff in (("Hanna", True), ("Jo", False), ("Sam", False))
    )
    MembershipFactory(circle=circle, user=host, role=Membership.Role.HOST)
    for user in (jo, sam):
        MembershipFactory(circle=circle, user=user)
    file_report(
        sam,
        target=jo,
        reason="harassment",
        note="A rather long note " * 20,
        circle=circle,
    )
    record_action(actor=host, action="room.participant.removed", target_user=jo, circle=circle)

    hanna = new_page(width=360, height=740)
    log_in(hanna, "hanna@example.org")
    for path in ["/moderation/", "/moderation/log/", "/moderation/suspensions/"]:
        hanna.goto(path)
        assert hanna.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    hanna.goto("/moderation/")
    card = hanna.locator("article.moderation-card").first
    card.get_by_label("Reason, or your message to the member").fill("Please be kinder to Sam.")
    card.get_by_role("button", name="Warn").click()
    expect(hanna.get_by_role("status")).to_contain_text("warning was sent")

    jo_page = new_page(width=360, height=740)
    log_in(jo_page, "jo@example.org")
    expect(jo_page.get_by_role("heading", name="Messages from the moderators")).to_be_visible()
    expect(jo_page.locator("main")).to_contain_text("Please be kinder to Sam.")
    jo_page.get_by_role("link", name="Moderation and you").click()
    expect(jo_page.locator("main")).to_contain_text("Warned")
    expect(jo_page.locator("main")).not_to_contain_text("Hanna")
    assert jo_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
