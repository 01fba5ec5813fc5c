"""A member checks in and out of a meeting and adds a strategy that a host approves."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import RSVP, Meeting
from meetings.wellbeing.models import CheckIn, Strategy
from tests.e2e.helpers import log_in
from tests.factories import CircleFactory, MembershipFactory, UserFactory

STRATEGY = "When the evening gets heavy, I text one person before 8pm."


def test_a_member_checks_in_and_out_and_adds_a_strategy_a_host_approves(
    transactional_db, server, new_page
):
    circle = CircleFactory(name="Evening grief circle", slug="evening-grief")
    host = UserFactory(display_name="Hanna Host", email="hanna@example.org")
    member = UserFactory(display_name="Milo Member", email="milo@example.org")
    MembershipFactory(circle=circle, user=host, role="host")
    MembershipFactory(circle=circle, user=member)
    meeting = Meeting.objects.create(
        circle=circle,
        title="Tuesday evening circle",
        starts_at=timezone.now() - timedelta(minutes=5),
        duration_minutes=60,
    )
    RSVP.objects.create(meeting=meeting, user=member, response=RSVP.Response.GOING)

    milo = new_page(width=360, height=740)
    log_in(milo, "milo@example.org")
    milo.goto(f"/meetings/{meeting.pk}/check-in/")
    expect(milo.get_by_role("group", name="How are you arriving?")).to_be_visible()
    milo.get_by_label("Low", exact=True).check()
    milo.get_by_role("button", name="Save my answer").click()
    expect(milo.get_by_role("status").last).to_contain_text("Only you see your answer")
    assert CheckIn.objects.get(user=member, moment="arriving").score == 2

    # The facilitator ends the meeting; Milo says how he is leaving.
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.ENDED, ended_at=timezone.now()
    )
    milo.goto(f"/meetings/{meeting.pk}/check-out/")
    milo.get_by_label("Okay", exact=True).check()
    milo.get_by_label("I\u2019d like someone to check in with me").check()
    milo.get_by_role("button", name="Save my answer").click()
    expect(milo.get_by_role("status").last).to_contain_text("how you are leaving")
    leaving = CheckIn.objects.get(user=member, moment="leaving")
    assert (leaving.score, leaving.wants_check_in) == (3, True)

    milo.goto("/me/")
    expect(milo.get_by_role("region", name="How you\u2019ve been")).to_contain_text("Arrived: Low")

    # Milo adds what helps him; an empty try is refused first.
    milo.goto(f"/circles/{circle.slug}/toolbox/add/")
    milo.get_by_role("button", name="Send for review").click()
    expect(milo.get_by_text("Write the strategy in a few words first.")).to_be_visible()
    milo.get_by_label("What helps you?").fill(STRATEGY)
    milo.get_by_label("When does it help? (optional)").select_option("evenings")
    milo.get_by_role("button", name="Send for review").click()
    expect(milo.get_by_role("status")).to_contain_text("will read it")
    expect(milo.get_by_role("region", name="Your strategies not in the toolbox")).to_contain_text(
        "Waiting for review"
    )

    hanna = new_page()
    log_in(hanna, "hanna@example.org")
    expect(hanna.get_by_role("link", name="1 new strategy to review")).to_be_visible()
    hanna.get_by_role("link", name="1 new strategy to review").click()
    expect(hanna.get_by_text(STRATEGY)).to_be_visible()
    hanna.get_by_role("button", name="Approve").click()
    expect(hanna.get_by_role("status")).to_contain_text("in the toolbox now")
    assert Strategy.objects.get().state == Strategy.State.APPROVED

    # Hanna follows up gently: Milo asked for a check-in.
    hanna.goto(f"/meetings/{meeting.pk}/insights/")
    expect(hanna.get_by_role("region", name="Gentle follow-ups")).to_contain_text("Milo Member")
    expect(hanna.get_by_role("region", name="The group")).not_to_contain_text("Low")

    milo.goto(f"/circles/{circle.slug}/toolbox/")
    expect(milo.get_by_text(STRATEGY)).to_be_visible()
    milo.get_by_role("button", name="This helped me").click()
    expect(milo.get_by_text("Helped 1 member", exact=True)).to_be_visible()
    milo.get_by_role("button", name="Save to my toolbox").click()
    milo.goto("/me/")
    expect(milo.get_by_role("region", name="My toolbox")).to_contain_text(STRATEGY)
