from datetime import timedelta
from html import unescape

from meetings import actions
from meetings.models import Notification


def page_text(response) -> str:
    return unescape(response.content.decode())


def test_the_dashboard_lists_my_next_meetings_waitlist_places_and_notifications(
    client, member, other_member, meeting_factory
):
    soon = meeting_factory(title="Open soon", starts_in=timedelta(minutes=5))
    later = meeting_factory(title="Next week", starts_in=timedelta(days=7))
    full = meeting_factory(title="Full one", capacity=1, starts_in=timedelta(days=2))
    meeting_factory(title="Not mine", starts_in=timedelta(days=1))
    actions.rsvp(member, soon, "going")
    actions.rsvp(member, later, "going")
    actions.rsvp(other_member, full, "going")
    actions.rsvp(member, full, "going")
    client.force_login(member)
    text = page_text(client.get("/me/"))
    assert "Open soon" in text and "Next week" in text and "Not mine" not in text
    assert f'href="/meetings/{soon.pk}/room/">Enter the room' in text
    assert f"/meetings/{later.pk}/room/" in text
    assert "Full one</a>: you're number 1" in text
    assert "is full, so you're number 1 on the waitlist" in text
    assert "3 new" in text


def test_marking_notifications_read(client, member, meeting):
    actions.rsvp(member, meeting, "going")
    client.force_login(member)
    assert client.get("/meetings/notifications/read/").status_code == 405
    client.post("/meetings/notifications/read/")
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, member, meeting_factory, members_of, django_assert_max_num_queries
):
    def add_meetings(count):
        for index in range(count):
            meeting = meeting_factory(capacity=1, starts_in=timedelta(days=1 + index))
            actions.rsvp(member, meeting, "going")
            waiting = meeting_factory(capacity=1, starts_in=timedelta(days=1 + index))
            actions.rsvp(members_of(1)[0], waiting, "going")
            actions.rsvp(member, waiting, "going")

    add_meetings(1)
    client.force_login(member)
    client.get("/me/")
    with django_assert_max_num_queries(16) as few:  # 16: the follow-ups panel adds one
        client.get("/me/")
    add_meetings(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/me/")
