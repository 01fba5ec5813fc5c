"""What meetings adds to the lower apps: circle pages, the dashboard, the data export,
and giving up places when a member leaves the circle."""

from datetime import timedelta

from circles import extensions
from circles.models import Membership
from circles.signals import membership_changed
from meetings import actions, hooks
from meetings.models import RSVP, Meeting
from members.data import export_member_data
from tests.factories import CircleFactory


def test_next_meeting_times_finds_each_circle_next_meeting_in_one_query(
    circle, meeting_factory, django_assert_num_queries
):
    other = CircleFactory()
    soon = meeting_factory(starts_in=timedelta(days=1))
    meeting_factory(starts_in=timedelta(days=3))
    meeting_factory(starts_in=timedelta(hours=1), status=Meeting.Status.CANCELLED)
    meeting_factory(starts_in=-timedelta(days=1))
    empty = CircleFactory()
    elsewhere = meeting_factory(circle=other, starts_in=timedelta(days=2))
    with django_assert_num_queries(1):
        found = hooks.next_meeting_times([circle.pk, other.pk, empty.pk])
    assert found == {circle.pk: soon.starts_at, other.pk: elsewhere.starts_at}


def test_the_lookup_is_registered_with_circles(circle, meeting):
    assert extensions.next_meeting_times([circle.pk]) == {circle.pk: meeting.starts_at}


def test_the_circle_page_shows_upcoming_meetings(client, circle, facilitator, meeting):
    client.force_login(facilitator)
    text = client.get(f"/circles/{circle.slug}/").content.decode()
    assert meeting.title in text and f"/meetings/{meeting.pk}/" in text
    assert f"/circles/{circle.slug}/meetings/new/" in text


def test_members_do_not_get_the_schedule_link(client, circle, member, meeting):
    client.force_login(member)
    text = client.get(f"/circles/{circle.slug}/").content.decode()
    assert meeting.title in text and "/meetings/new/" not in text


def test_the_data_export_includes_rsvps_and_notifications(member, meeting):
    actions.rsvp(member, meeting, "going")
    data = export_member_data(member)
    assert data["rsvps"] == [
        {
            "meeting": meeting.title,
            "circle": meeting.circle.name,
            "starts_at": meeting.starts_at.isoformat(),
            "response": "going",
            "waitlisted_at": None,
            "answered_at": RSVP.objects.get().created_at.isoformat(),
        }
    ]
    assert data["notifications"][0]["kind"] == "going"


def test_a_member_who_leaves_gives_their_place_to_the_waitlist(
    circle, member, other_member, meeting_factory
):
    meeting = meeting_factory(capacity=1)
    actions.rsvp(member, meeting, "going")
    actions.rsvp(other_member, meeting, "going")
    membership = Membership.objects.get(circle=circle, user=member)
    membership.state = Membership.State.LEFT
    membership.save()
    membership_changed.send(
        sender=Membership, membership=membership, actor=member, action="circles.member.left"
    )
    answers = dict(RSVP.objects.values_list("user_id", "response"))
    assert answers == {member.pk: "not_going", other_member.pk: "going"}


def test_other_membership_changes_keep_places(circle, member, meeting):
    actions.rsvp(member, meeting, "going")
    membership = Membership.objects.get(circle=circle, user=member)
    membership_changed.send(
        sender=Membership, membership=membership, actor=None, action="circles.member.role_changed"
    )
    assert RSVP.objects.get().response == "going"


def test_deleting_an_account_gives_its_places_to_the_waitlist(
    member, other_member, meeting_factory
):
    from members.actions import delete_account

    meeting = meeting_factory(capacity=1)
    actions.rsvp(member, meeting, "going")
    actions.rsvp(other_member, meeting, "going")
    delete_account(member)
    assert dict(RSVP.objects.values_list("user_id", "response")) == {other_member.pk: "going"}
    assert Meeting.objects.get(pk=meeting.pk).going_count == 1
