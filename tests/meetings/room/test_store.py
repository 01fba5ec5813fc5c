"""The store: one locked transaction per command, shares kept, events after commit, and
the proof that a snapshot plus the events since equals a fresh snapshot."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hearth import on_commit
from meetings.room import commands, snapshots, store
from meetings.room.commands import (
    SYSTEM,
    Actor,
    Disconnect,
    EndTurn,
    Expire,
    Extend,
    Grant,
    Hide,
    Lock,
    LowerHand,
    Move,
    Mute,
    Pass,
    Pause,
    RaiseHand,
    React,
    Remove,
    Report,
    Resume,
    SetMode,
    SetTurnSeconds,
    Skip,
    Start,
    StartRound,
    Unlock,
    Unmute,
)
from meetings.room.models import Room, Share
from meetings.room.rules import Refused
from meetings.room.values import MODES, REACTION_KINDS, RoomState
from tests.meetings.room.conftest import make_meeting
from tests.meetings.room.reducer import apply_event


@pytest.fixture
def quiet_meeting(circle, facilitator, member, other_member, host):
    return make_meeting(circle, facilitators=[facilitator], going=[member, other_member])


def test_the_first_join_creates_the_room_from_the_meetings_settings(quiet_meeting, member):
    participant, frame, outcome = store.join(quiet_meeting.pk, member, "member")
    room = Room.objects.get(pk=quiet_meeting.pk)
    assert participant.participant_id == 1
    assert frame["room"] == {
        "status": "open",
        "mode": "queue",
        "locked": False,
        "turn_seconds": 120,
    }
    assert {**room.state, "shares": room.shares} == outcome.state.to_json()
    assert room.seq == 1


def test_a_refused_command_changes_nothing(quiet_meeting, member):
    participant, _, _ = store.join(quiet_meeting.pk, member, "member")
    before = Room.objects.get(pk=quiet_meeting.pk).state
    with pytest.raises(Refused) as refusal:
        store.execute(quiet_meeting.pk, Actor(participant.participant_id), Start())
    assert refusal.value.code == "forbidden"
    assert Room.objects.get(pk=quiet_meeting.pk).state == before


def test_events_are_broadcast_only_after_commit(quiet_meeting, member, monkeypatch):
    sent = []
    monkeypatch.setattr(on_commit, "_send", lambda group, message: sent.append(group))
    with transaction.atomic():
        store.join(quiet_meeting.pk, member, "member")
        assert sent == []
    assert sent == []  # the test's own transaction has not committed yet


def test_the_broadcast_carries_ready_text_and_what_consumers_need(
    quiet_meeting, member, facilitator, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(on_commit, "_send", lambda group, message: sent.append((group, message)))
    store.join(quiet_meeting.pk, facilitator, "facilitator")
    milo, _, _ = store.join(quiet_meeting.pk, member, "member")
    store.execute(quiet_meeting.pk, Actor(milo.participant_id), RaiseHand())
    with django_capture_on_commit_callbacks(execute=True):
        store.execute(quiet_meeting.pk, Actor(1), Start())
    [(group, message)] = sent
    assert group == f"room.{quiet_meeting.pk}"
    assert message["type"] == "room.events"
    assert message["first_seq"] == 4
    assert message["last_seq"] == 5
    assert all(isinstance(frame, str) for frame in message["frames"])
    assert '"type":"turn_started"' in message["frames"][1]
    assert message["deadline"][0] == 1
    assert message["removed"] == []


def test_a_share_keeps_its_text_in_the_database_and_never_in_the_state(
    quiet_meeting, member, facilitator, caplog
):
    store.join(quiet_meeting.pk, facilitator, "facilitator")
    _milo, _, _ = store.join(quiet_meeting.pk, member, "member")
    store.execute(quiet_meeting.pk, Actor(2), RaiseHand())
    store.execute(quiet_meeting.pk, Actor(1), Start())
    secret = "A very private sentence about my brother."
    caplog.clear()
    with caplog.at_level("DEBUG"):
        outcome = store.execute(quiet_meeting.pk, Actor(2), commands.Share(secret), user=member)
    assert outcome.events[0]["text"] == secret
    assert Share.objects.get(meeting=quiet_meeting).text == secret
    assert secret not in str(Room.objects.get(pk=quiet_meeting.pk).state)
    assert secret not in caplog.text
    logged = [r.command for r in caplog.records if r.getMessage() == "room.command"]
    assert logged == ["Share"]


def test_expire_is_a_no_op_before_the_deadline_and_exactly_once_after(
    quiet_meeting, member, facilitator
):
    store.join(quiet_meeting.pk, facilitator, "facilitator")
    store.join(quiet_meeting.pk, member, "member")
    store.execute(quiet_meeting.pk, Actor(2), RaiseHand())
    now = timezone.now()
    store.execute(quiet_meeting.pk, Actor(1), Start(), now=now)
    assert store.expire(quiet_meeting.pk, 1, now + timedelta(seconds=119)) is None
    first = store.expire(quiet_meeting.pk, 1, now + timedelta(seconds=121))
    second = store.expire(quiet_meeting.pk, 1, now + timedelta(seconds=122))
    assert [event["type"] for event in first.events] == ["turn_ended"]
    assert first.events[0]["reason"] == "timeout"
    assert second is None
    room = Room.objects.get(pk=quiet_meeting.pk)
    assert room.next_deadline is None
    assert room.state["holder"] is None


def test_the_backstop_expires_every_due_room(quiet_meeting, member, facilitator):
    store.join(quiet_meeting.pk, facilitator, "facilitator")
    store.join(quiet_meeting.pk, member, "member")
    store.execute(quiet_meeting.pk, Actor(2), RaiseHand())
    now = timezone.now()
    store.execute(quiet_meeting.pk, Actor(1), Start(), now=now)
    assert store.expire_due(now + timedelta(seconds=60)) == 0
    assert store.expire_due(now + timedelta(seconds=121)) == 1
    assert store.expire_due(now + timedelta(seconds=122)) == 0


def test_a_holder_who_drops_keeps_the_piece_for_the_grace_period(
    quiet_meeting, member, facilitator
):
    store.join(quiet_meeting.pk, facilitator, "facilitator")
    store.join(quiet_meeting.pk, member, "member")
    store.execute(quiet_meeting.pk, Actor(2), RaiseHand())
    now = timezone.now()
    store.execute(quiet_meeting.pk, Actor(1), Start(), now=now)
    store.leave(quiet_meeting.pk, 2, now=now + timedelta(seconds=5))
    room = Room.objects.get(pk=quiet_meeting.pk)
    assert room.next_deadline == now + timedelta(seconds=35)
    assert store.expire(quiet_meeting.pk, 1, now + timedelta(seconds=34)) is None
    outcome = store.expire(quiet_meeting.pk, 1, now + timedelta(seconds=35))
    assert outcome.events[0]["reason"] == "disconnected"


def test_a_report_outside_the_holder_is_checked_by_the_rules(quiet_meeting, member):
    store.join(quiet_meeting.pk, member, "member")
    with pytest.raises(Refused) as refusal:
        store.execute(quiet_meeting.pk, Actor(1), Report(share_id=3, reason="spam"), user=member)
    assert refusal.value.code == "not_found"


# --- Snapshot + events = fresh snapshot ----------------------------------------------------


def _commands(rng: random.Random, state: RoomState):
    pids = [p.participant_id for p in state.participants] or [1]
    shares = [s.share_id for s in state.shares] or [1]
    turn = state.holder.turn_id if state.holder else state.next_turn_id - 1
    pid, share = rng.choice(pids), rng.choice(shares)
    return rng.choice(
        [
            RaiseHand(),
            RaiseHand(),
            LowerHand(),
            commands.Share("Words shared in the circle.", rng.choice(["", "grief"])),
            commands.Share("More words."),
            EndTurn(),
            Pass(),
            React(share, rng.choice(REACTION_KINDS)),
            Start(),
            Pause(),
            Resume(),
            StartRound(),
            SetMode(rng.choice(MODES)),
            SetTurnSeconds(rng.choice([30, 60, 300])),
            Extend(),
            Grant(pid),
            Skip(),
            Move(pid, rng.randrange(4)),
            Mute(pid),
            Unmute(pid),
            Remove(pid),
            Lock(),
            Unlock(),
            Hide(share),
            Expire(turn),
            Disconnect(pid),
            "join",
        ]
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_snapshot_plus_the_events_since_equals_a_fresh_snapshot(
    quiet_meeting, facilitator, member, other_member, host, seed
):
    rng = random.Random(seed)
    people = [
        (facilitator, "facilitator"),
        (member, "member"),
        (other_member, "member"),
        (host, "host"),
    ]
    now = timezone.now()
    views = {}  # participant id -> the snapshot as that participant's client keeps it
    users = {}

    def welcome(user, role):
        participant, frame, outcome = store.join(quiet_meeting.pk, user, role, now=now)
        users[participant.participant_id] = user
        return participant, frame, outcome.events

    def catch_up(events, state):
        for pid in list(views):
            for event in events:
                views[pid] = apply_event(views[pid], event)
            fresh = snapshots.snapshot(quiet_meeting.pk, state, pid)
            assert views[pid] == fresh

    for user, role in people[:3]:
        participant, frame, events = welcome(user, role)
        catch_up(events, store.load_state(quiet_meeting.pk))
        views[participant.participant_id] = frame

    for _ in range(150):
        now += timedelta(seconds=rng.choice([1, 5, 40, 200]))
        state = store.load_state(quiet_meeting.pk)
        command = _commands(rng, state)
        actor_pid = rng.choice(sorted(users))
        if state.holder is not None and rng.random() < 0.3:
            actor_pid = state.holder.participant_id
            command = commands.Share("Something said while holding the piece.", "")
        elif state.shares and rng.random() < 0.15:
            command = React(rng.choice(state.shares).share_id, rng.choice(["heard", "thanks"]))
        system = isinstance(command, Expire | Disconnect)
        try:
            if command == "join":
                participant, frame, events = welcome(*rng.choice(people))
            else:
                actor = SYSTEM if system else Actor(actor_pid)
                outcome = store.execute(
                    quiet_meeting.pk, actor, command, user=users[actor_pid], now=now
                )
                events = outcome.events
        except Refused:
            continue
        state = store.load_state(quiet_meeting.pk)
        assert state.seq == (max(v["seq"] for v in views.values()) + len(events) if views else 0)
        catch_up(events, state)
        for participant in state.participants:
            if participant.removed:
                views.pop(participant.participant_id, None)
            elif participant.participant_id not in views:
                views[participant.participant_id] = snapshots.snapshot(
                    quiet_meeting.pk, state, participant.participant_id
                )
    assert views
