"""What the room gives back when a member downloads their data, and forgets on deletion."""

from meetings.room import rules, snapshots, store, system
from meetings.room.data import export_room_data, forget_user
from meetings.room.models import Room, Share
from meetings.room.rules import Actor
from tests.meetings.room.conftest import make_meeting


def live_room_with_a_share(circle, facilitator, member):
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.execute(meeting.pk, Actor(2), rules.RaiseHand())
    store.execute(meeting.pk, Actor(1), rules.Start())
    store.execute(meeting.pk, Actor(2), rules.Share("Mine to take home.", "work"), user=member)
    store.execute(meeting.pk, Actor(1), rules.React(1, "thanks"), user=facilitator)
    return meeting


def test_a_member_downloads_their_shares_and_reactions(circle, facilitator, member):
    meeting = live_room_with_a_share(circle, facilitator, member)
    mine = export_room_data(member)
    assert mine["shares"] == [
        {
            "meeting": meeting.title,
            "meeting_id": meeting.pk,
            "created_at": Share.objects.get().created_at.isoformat(),
            "content_warning": "work",
            "text": "Mine to take home.",
            "hidden": False,
        }
    ]
    assert mine["reactions"] == []
    assert [r["kind"] for r in export_room_data(facilitator)["reactions"]] == ["thanks"]
    assert export_room_data(facilitator)["shares"] == []


def test_a_deleted_account_leaves_its_shares_as_a_former_member(circle, facilitator, member):
    meeting = live_room_with_a_share(circle, facilitator, member)
    assert forget_user(member) == 1
    assert forget_user(member) == 0
    member.delete()
    state = store.load_state(meeting.pk)
    assert state.participant(2).display_name == "a former member"
    frame = snapshots.snapshot(meeting.pk, state, 1)
    assert frame["shares"][0]["display_name"] == "a former member"
    assert "Milo" not in str(frame)


def test_a_deleted_account_leaves_no_name_or_note_in_support_alerts(circle, facilitator, member):
    meeting = live_room_with_a_share(circle, facilitator, member)
    system.ask_for_support(meeting.pk, member, "It's my birthday and I'm alone")
    revision = Room.objects.get(pk=meeting.pk).revision

    forget_user(member)

    alert = store.load_state(meeting.pk).alerts[-1]
    assert (alert.display_name, alert.note) == ("a former member", "")
    assert Room.objects.get(pk=meeting.pk).revision == revision + 1
