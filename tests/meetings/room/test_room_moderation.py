"""The room's calls into moderation: reports with snapshots, support requests, crisis
phrases, blocked words, the audit log, and moderation hiding a reported share."""

import pytest

from meetings.room import broadcasts, rules, store, system
from meetings.room.models import Share
from meetings.room.protocol import Report as ReportFrame
from meetings.room.rules import Actor, Refused
from moderation.models import BlockedWord, CrisisPhrase, ModerationAction, Report, SafetyEvent
from moderation.registry import handler_for
from tests.meetings.room.conftest import make_meeting


@pytest.fixture
def live(circle, facilitator, member, other_member):
    """A live room: facilitator (1), member (2, holding the piece), other member (3)."""
    meeting = make_meeting(circle, facilitators=[facilitator], going=[member, other_member])
    store.join(meeting.pk, facilitator, "facilitator")
    store.join(meeting.pk, member, "member")
    store.join(meeting.pk, other_member, "member")
    store.execute(meeting.pk, Actor(2), rules.RaiseHand())
    store.execute(meeting.pk, Actor(1), rules.Start())
    return meeting


def share(meeting, user, text, content_warning=""):
    return store.execute(meeting.pk, Actor(2), rules.Share(text, content_warning), user=user)


def test_a_report_files_a_moderation_report_with_a_snapshot(live, member, other_member):
    share(live, member, "What was said.", "family")
    outcome = store.execute(
        live.pk, Actor(3), ReportFrame(1, "harassment", "It felt unkind."), user=other_member
    )
    assert outcome.replies == [{"type": "reported", "share_id": 1}]
    report = Report.objects.get()
    assert report.reporter == other_member
    assert report.reported_user == member
    assert report.reason == "harassment"
    assert report.snapshot["text"] == "What was said."
    assert report.snapshot["content_warning"] == "family"
    assert report.snapshot["author_display_name"] == "Milo Member"
    assert report.snapshot["meeting_id"] == live.pk
    assert report.target == Share.objects.get()


def test_a_report_with_an_unknown_reason_is_a_bad_request(live, member, other_member):
    share(live, member, "What was said.")
    with pytest.raises(Refused) as refusal:
        store.execute(live.pk, Actor(3), ReportFrame(1, "boring"), user=other_member)
    assert refusal.value.code == "bad_request"
    assert not Report.objects.exists()


def test_asking_for_support_records_a_safety_event_with_the_members_note(live, other_member):
    outcome = store.execute(live.pk, Actor(3), rules.NeedSupport("rough night"), user=other_member)
    event = SafetyEvent.objects.get()
    assert (event.kind, event.user, event.note) == ("need_support", other_member, "rough night")
    assert event.meeting_id == live.pk
    assert outcome.replies[0]["type"] == "resources"
    assert outcome.events == []


def test_a_crisis_phrase_posts_the_share_and_sends_resources_privately(
    live, member, circle, monkeypatch
):
    CrisisPhrase.objects.create(phrase="want to disappear", language="")
    alerts = []
    monkeypatch.setattr(
        broadcasts, "_send_after_commit", lambda group, frames: alerts.append(frames)
    )
    outcome = share(live, member, "Some days I want to disappear.")
    assert [event["type"] for event in outcome.events] == ["shared"]
    [resources] = outcome.replies
    assert resources["type"] == "resources"
    assert (resources["reason"], resources["alert_id"]) == ("crisis_share", 1)
    assert resources["text"] == circle.crisis_resources_text
    [[alert]] = alerts
    assert alert["type"] == "support_alert"
    assert alert["share_id"] == 1
    assert "disappear" not in str(alert)
    event = SafetyEvent.objects.get()
    assert (event.kind, event.user, event.note) == ("crisis_match", member, "")


def test_a_share_with_a_blocked_word_is_refused_and_not_kept(live, member):
    BlockedWord.objects.create(word="rotten")
    with pytest.raises(Refused) as refusal:
        share(live, member, "You are all rotten.")
    assert refusal.value.code == "bad_request"
    assert "rotten" in refusal.value.message
    assert not Share.objects.exists()


def test_every_facilitator_command_is_written_to_the_audit_log(
    live, facilitator, member, other_member
):
    share(live, member, "Something.")
    for command in (
        rules.Extend(),
        rules.Mute(3),
        rules.Unmute(3),
        rules.Hide(1),
        rules.Lock(),
        rules.Pause(),
        rules.Resume(),
        rules.Remove(3),
        rules.End(),
    ):
        store.execute(live.pk, Actor(1), command, user=facilitator)
    actions = list(ModerationAction.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "room.started",
        "room.turn.extended",
        "room.participant.muted",
        "room.participant.unmuted",
        "room.share.hidden",
        "room.locked",
        "room.paused",
        "room.resumed",
        "room.participant.removed",
        "room.ended",
    ]
    removal = ModerationAction.objects.get(action="room.participant.removed")
    assert (removal.actor, removal.target_user, removal.meeting_id) == (
        facilitator,
        other_member,
        live.pk,
    )
    hidden = ModerationAction.objects.get(action="room.share.hidden")
    assert hidden.target_user == member
    assert "Something" not in str(hidden.extra)


def test_moderation_hides_a_reported_share_through_the_registered_handler(live, member, staff):
    system.register_moderation_handlers()
    share(live, member, "To be hidden by moderation.")
    row = Share.objects.get()
    handler = handler_for("meetings.share")
    assert handler.describe(row.pk) == {"exists": True, "hidden": False}
    handler.hide(row.pk, staff)
    handler.hide(row.pk, staff)  # safe to repeat
    row.refresh_from_db()
    assert row.hidden_at is not None
    assert store.load_state(live.pk).share(1).hidden
    assert handler.describe(row.pk) == {"exists": True, "hidden": True}


def test_moderation_can_hide_a_share_after_the_room_has_ended(live, member, facilitator, staff):
    system.register_moderation_handlers()
    share(live, member, "Said before the end.")
    store.execute(live.pk, Actor(1), rules.End(), user=facilitator)
    row = Share.objects.get()
    handler_for("meetings.share").hide(row.pk, staff)
    row.refresh_from_db()
    assert row.hidden_at is not None
    assert row.hidden_by == staff


def test_a_purged_share_cannot_be_hidden(live, member, staff):
    system.register_moderation_handlers()
    share(live, member, "Gone soon.")
    row = Share.objects.get()
    row.delete()
    with pytest.raises(Share.DoesNotExist):
        handler_for("meetings.share").hide(row.pk, staff)


def test_a_ban_from_the_circle_takes_anyone_out_of_its_live_rooms(
    live, circle, member, facilitator
):
    assert system.remove_from_live_rooms(member.pk, circle.pk) == 1
    assert system.remove_from_live_rooms(member.pk, circle.pk) == 0
    assert store.load_state(live.pk).participant(2).removed
    assert system.remove_from_live_rooms(facilitator.pk, circle.pk) == 1
    assert store.load_state(live.pk).participant(1).removed
