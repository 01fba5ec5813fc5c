from datetime import timedelta

from django.utils import timezone

from hearth.demo import seed_all
from meetings import demo, permissions
from meetings.models import RSVP, Meeting, MeetingSeries
from members.models import User


def test_without_a_demo_circle_it_creates_nothing(db):
    lines = demo.seed({"users": {}})
    assert "no demo circle" in lines[0]
    assert not Meeting.objects.exists()


def test_seed_demo_opens_a_room_now_and_moves_it_on_each_run(db, client, time_machine):
    seed_all()
    meeting = Meeting.objects.get(title=demo.OPEN_TITLE)
    assert meeting.room_is_open()
    assert {person.email for person in meeting.facilitators.all()} == {"facilitator@hearth.example"}
    going = set(
        RSVP.objects.filter(meeting=meeting, response="going").values_list("user__email", flat=True)
    )
    assert going == {"alex@hearth.example", "sam@hearth.example", "jo@hearth.example"}
    assert MeetingSeries.objects.filter(title=demo.SERIES_TITLE).exists()
    assert Meeting.objects.filter(starts_at__gt=timezone.now() + timedelta(hours=1)).count() >= 3

    for email in ("alex@hearth.example", "sam@hearth.example", "jo@hearth.example"):
        person = User.objects.get(email=email)
        assert permissions.room_role(person, meeting) == "member"
        client.force_login(person)
        assert f'href="/meetings/{meeting.pk}/room/"' in client.get("/me/").content.decode()

    time_machine.move_to(timezone.now() + timedelta(days=1))
    assert not Meeting.objects.get(pk=meeting.pk).room_is_open()
    seed_all()
    assert Meeting.objects.filter(title=demo.OPEN_TITLE).count() == 1
    meeting.refresh_from_db()
    assert meeting.room_is_open()
    assert MeetingSeries.objects.filter(title=demo.SERIES_TITLE).count() == 1
