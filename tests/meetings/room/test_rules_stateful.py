"""Random people issue random commands over a clock that only moves forward.

After every step the room keeps its invariants, ``seq`` has counted every event, the
state survives a JSON round trip, and a client that applied the events to an earlier
snapshot sees exactly what a fresh snapshot shows.
"""

import copy
import json
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hearth.refusal import REFUSAL_MESSAGES
from meetings.room.commands import (
    SYSTEM,
    AcknowledgeSupport,
    Actor,
    ClearAway,
    Disconnect,
    End,
    EndTurn,
    Expire,
    Extend,
    Grant,
    Hide,
    Join,
    Lock,
    LowerHand,
    Move,
    Mute,
    OpenAlert,
    Pass,
    Pause,
    RaiseHand,
    React,
    Remove,
    Resume,
    SetMode,
    SetTurnSeconds,
    Share,
    Skip,
    Start,
    StartRound,
    SupportClosed,
    Sync,
    Unlock,
    Unmute,
)
from meetings.room.invariants import check_invariants
from meetings.room.public import public_state
from meetings.room.rules import Refused, apply, next_deadline
from meetings.room.values import MODES, REACTION_KINDS, RoomState

T0 = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)

participant_ids = st.integers(min_value=1, max_value=7)
share_ids = st.integers(min_value=1, max_value=3)
moderator_ids = st.integers(min_value=1, max_value=2)
member_ids = st.integers(min_value=3, max_value=6)
anyone = st.builds(Actor, st.none() | participant_ids)

shares = st.builds(
    Share,
    text=st.sampled_from(["I hear you.", "It was a long week.", "", "  ", "x" * 4001]),
    content_warning=st.sampled_from(["", "", "grief", "w" * 201]),
)
member_commands = st.one_of(
    st.just(Sync()),
    st.just(RaiseHand()),
    st.just(LowerHand()),
    st.just(EndTurn()),
    st.just(Pass()),
    shares,
    st.builds(React, share_id=share_ids, kind=st.sampled_from((*REACTION_KINDS, "hug"))),
    st.builds(Disconnect, participant_id=participant_ids),
    st.just(SupportClosed()),
)
support_requests = st.builds(
    OpenAlert,
    reason=st.sampled_from(["need_support", "need_support", "crisis_share", "panic"]),
    display_name=st.just("Ada"),
    participant_id=st.none() | participant_ids,
    note=st.sampled_from(["", "I'm not ok"]),
)
reactions = st.builds(React, share_id=share_ids, kind=st.sampled_from(REACTION_KINDS))
holder_commands = st.one_of(shares, st.just(EndTurn()), st.just(Pass()), st.just(SupportClosed()))
running_the_room = st.one_of(
    st.just(Start()),
    st.just(Pause()),
    st.just(Resume()),
    st.just(StartRound()),
    st.just(Skip()),
    st.builds(Extend, seconds=st.sampled_from([0, 1, 60, 600, 601])),
    st.builds(Grant, participant_id=participant_ids),
)
moderator_commands = running_the_room | st.one_of(
    st.just(End()),
    st.just(Lock()),
    st.just(Unlock()),
    st.builds(SetMode, mode=st.sampled_from((*MODES, "chaos"))),
    st.builds(SetTurnSeconds, seconds=st.sampled_from([29, 30, 45, 180, 1800, 1801])),
    st.builds(Move, participant_id=participant_ids, position=st.integers(-1, 7)),
    st.builds(Mute, participant_id=participant_ids),
    st.builds(Unmute, participant_id=participant_ids),
    st.builds(Remove, participant_id=participant_ids),
    st.builds(Hide, share_id=share_ids),
    st.builds(AcknowledgeSupport, alert_id=st.integers(min_value=0, max_value=4)),
    st.builds(ClearAway, participant_id=participant_ids),
)
any_command = st.one_of(
    member_commands,
    moderator_commands,
    st.builds(Expire, turn_id=st.integers(min_value=0, max_value=12)),
    support_requests,
)


# --- A client's reducer: what a browser does with the events ------------------------------------

HOLDER_KEYS = ("participant_id", "turn_id", "deadline", "remaining")
ROOM_KEYS = ("status", "mode", "locked", "turn_seconds")


def reduce_event(view: dict, event: dict) -> dict:
    """Bring a snapshot up to date with one event, as a client would."""
    assert event["seq"] == view["seq"] + 1
    view = copy.deepcopy(view)
    view["seq"] = event["seq"]
    REDUCERS[event["type"]](view, event)
    return view


def _room(view, event):
    view["room"] = {key: event[key] for key in ROOM_KEYS}


def _put_participant(view, event):
    arriving = event["participant"]
    people = view["participants"]
    index = next(
        (i for i, p in enumerate(people) if p["participant_id"] == arriving["participant_id"]),
        len(people),
    )
    people[index : index + 1] = [arriving]


def _update_participant(view, participant_id, **changes):
    for person in view["participants"]:
        if person["participant_id"] == participant_id:
            person.update(changes)


def _left(view, event):
    _update_participant(view, event["participant_id"], present=False)


def _seating(view, event):
    order = event["participants"]
    view["participants"].sort(key=lambda p: order.index(p["participant_id"]))


def _queue(view, event):
    view["queue"] = event["queue"]


def _turn_started(view, event):
    view["holder"] = {key: event[key] for key in ("participant_id", "turn_id", "deadline")}
    view["holder"]["remaining"] = None
    view["queue"] = event["queue"]


def _turn_ended(view, _event):
    view["holder"] = None


def _holder_changed(view, event):
    view["holder"] = {key: event[key] for key in HOLDER_KEYS}


def _away(view, event):
    _update_participant(view, event["participant_id"], away=True)


def _muted(view, event):
    _update_participant(view, event["participant_id"], muted=True)


def _unmuted(view, event):
    _update_participant(view, event["participant_id"], muted=False)


def _removed(view, event):
    view["participants"] = [
        p for p in view["participants"] if p["participant_id"] != event["participant_id"]
    ]


def _about_shares(_view, _event):
    """Shares are not part of the room snapshot."""


REDUCERS = {
    "room": _room,
    "joined": _put_participant,
    "participant_updated": _put_participant,
    "left": _left,
    "seating": _seating,
    "hand_raised": _queue,
    "hand_lowered": _queue,
    "queue": _queue,
    "turn_started": _turn_started,
    "turn_ended": _turn_ended,
    "turn_paused": _holder_changed,
    "turn_resumed": _holder_changed,
    "turn_extended": _holder_changed,
    "participant_muted": _muted,
    "participant_unmuted": _unmuted,
    "participant_removed": _removed,
    "participant_away": _away,
    "shared": _about_shares,
    "reaction": _about_shares,
    "share_hidden": _about_shares,
}


# --- The machine ---------------------------------------------------------------------------------


class TalkingCircle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.state = RoomState()
        self.now = T0
        self.events_emitted = 0
        self.client = public_state(self.state)

    def _apply(self, actor, command):
        before = self.state
        try:
            after, events = apply(before, actor, command, self.now)
        except Refused as refused:
            assert refused.code in REFUSAL_MESSAGES
            assert refused.message
            return
        assert [event["seq"] for event in events] == list(
            range(before.seq + 1, before.seq + 1 + len(events))
        )
        assert after.seq == before.seq + len(events)
        if not events:
            assert public_state(after) == public_state(before)
        json.dumps(events)
        self.events_emitted += len(events)
        for event in events:
            self.client = reduce_event(self.client, event)
        self.state = after

    @initialize(mode=st.sampled_from(MODES), started=st.booleans())
    def gather(self, mode, started):
        self.state = RoomState(mode=mode)
        self.client = public_state(self.state)
        self._apply(SYSTEM, Join(1, "Hana", "host"))
        self._apply(SYSTEM, Join(2, "Fay", "facilitator"))
        for user_id in (3, 4, 5):
            self._apply(SYSTEM, Join(user_id, "Ada", "member"))
        if started:
            self._apply(Actor(1), Start())

    @rule(
        user_id=st.integers(min_value=3, max_value=7),
        name=st.sampled_from(["Ada", "Bo"]),
        role=st.sampled_from(["member", "member", "member", "facilitator"]),
    )
    def someone_connects(self, user_id, name, role):
        self._apply(SYSTEM, Join(user_id, name, role))

    @rule(participant_id=participant_ids)
    def someone_disconnects(self, participant_id):
        self._apply(SYSTEM, Disconnect(participant_id))

    @rule()
    def the_holder_drops_out(self):
        if self.state.holder is not None:
            self._apply(SYSTEM, Disconnect(self.state.holder.participant_id))

    @rule(command=support_requests)
    def someone_asks_for_support(self, command):
        self._apply(SYSTEM, command)

    @rule()
    def the_holder_asks_for_support(self):
        holder = self.state.holder
        if holder is not None:
            self._apply(SYSTEM, OpenAlert("need_support", "Ada", holder.participant_id))

    @rule(participant_id=member_ids, command=member_commands | reactions)
    def a_member_acts(self, participant_id, command):
        self._apply(Actor(participant_id), command)

    @rule(command=holder_commands)
    def the_holder_acts(self, command):
        if self.state.holder is not None:
            self._apply(Actor(self.state.holder.participant_id), command)

    @rule(participant_id=moderator_ids, command=moderator_commands)
    def a_moderator_acts(self, participant_id, command):
        self._apply(Actor(participant_id), command)

    @rule(actor=anyone, command=any_command)
    def anyone_tries_anything(self, actor, command):
        self._apply(actor, command)

    @rule(seconds=st.integers(min_value=1, max_value=240))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)

    @rule()
    def a_due_timer_fires(self):
        due = next_deadline(self.state)
        if due is not None and due[1] <= self.now:
            self._apply(SYSTEM, Expire(due[0]))

    @rule()
    def the_client_resyncs(self):
        self.client = public_state(self.state)

    @invariant()
    def the_room_keeps_its_invariants(self):
        check_invariants(self.state)

    @invariant()
    def seq_counts_every_event_ever_emitted(self):
        assert self.state.seq == self.events_emitted

    @invariant()
    def the_state_survives_a_json_round_trip(self):
        stored = json.loads(json.dumps(self.state.to_json()))
        assert RoomState.from_json(stored) == self.state

    @invariant()
    def snapshot_plus_events_equals_a_fresh_snapshot(self):
        assert self.client == public_state(self.state)

    @invariant()
    def a_running_clock_always_has_a_timer(self):
        holder = self.state.holder
        if self.state.status == "live" and holder is not None and not holder.held:
            assert next_deadline(self.state) is not None

    @invariant()
    def the_timer_is_the_earliest_deadline(self):
        due = next_deadline(self.state)
        moments = [
            moment
            for p in self.state.participants
            if not p.removed and self.state.status != "ended"
            for moment in (
                p.away_at,
                p.leave_queue_at if p.participant_id in self.state.queue else None,
            )
            if moment is not None
        ]
        holder = self.state.holder
        if holder is not None and self.state.status == "live":
            moments += [m for m in (holder.deadline, holder.grace_deadline) if m is not None]
        assert (due is None) == (not moments)
        if due is not None:
            assert due[1] == min(moments)

    @invariant()
    def a_held_clock_belongs_to_someone_who_asked_for_support(self):
        holder = self.state.holder
        if holder is not None and holder.held:
            assert any(
                a.participant_id == holder.participant_id and a.reason == "need_support"
                for a in self.state.alerts
            )

    @invariant()
    def someone_connected_is_never_away(self):
        for p in self.state.participants:
            if p.present:
                assert not p.away


TalkingCircle.TestCase.settings = settings(
    max_examples=200, stateful_step_count=40, deadline=None, database=None
)
TestTalkingCircle = TalkingCircle.TestCase
