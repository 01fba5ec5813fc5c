from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from circles.models import Membership
from meetings import actions
from meetings.models import RSVP, Meeting
from tests.e2e.helpers import log_in
from tests.factories import CircleFactory, MembershipFactory, UserFactory


def test_a_member_is_waitlisted_for_a_full_meeting_and_promoted_when_someone_cancels(
    transactional_db, server, new_page
):
    circle = CircleFactory(name="Thursday grief circle", slug="thursday-grief")
    facilitator = UserFactory(email="fern@example.org", display_name="Fern")
    first = UserFactory(email="ash@example.org", display_name="Ash")
    second = UserFactory(email="bea@example.org", display_name="Bea")
    MembershipFactory(circle=circle, user=facilitator, role=Membership.Role.FACILITATOR)
    MembershipFactory(circle=circle, user=first)
    MembershipFactory(circle=circle, user=second)
    meeting = Meeting.objects.create(
        circle=circle,
        title="Thursday evening",
        starts_at=timezone.now() + timedelta(days=2),
        capacity=1,
    )
    meeting.facilitators.set([facilitator])
    actions.rsvp(first, meeting, "going")

    bea = new_page()
    log_in(bea, "bea@example.org")
    bea.goto(f"/meetings/{meeting.pk}/")
    expect(bea.get_by_role("heading", level=1)).to_have_text("Thursday evening")
    expect(bea.get_by_text("0 of 1 place left")).to_be_visible()
    bea.get_by_role("button", name="I'm going").click()
    expect(bea.get_by_role("status")).to_contain_text("on the waitlist")
    expect(bea.get_by_text("You're number 1 on the waitlist")).to_be_visible()

    ash = new_page()
    log_in(ash, "ash@example.org")
    ash.goto(f"/meetings/{meeting.pk}/")
    expect(ash.get_by_text("You're going.")).to_be_visible()
    ash.get_by_role("button", name="I can't come after all").click()
    expect(ash.get_by_role("status")).to_contain_text("can't come")

    bea.reload()
    expect(bea.get_by_text("You're going.")).to_be_visible()
    bea.goto("/me/")
    expect(bea.get_by_text("A place opened up")).to_be_visible()
    assert "A place opened up" in server.last_mail_body("bea@example.org")
    assert RSVP.objects.get(meeting=meeting, user=second).response == "going"
    assert RSVP.objects.get(meeting=meeting, user=first).response == "not_going"
