"""A client of the room, in Python: applies events to a ``state`` snapshot the way
``static/js/room/state.js`` does, so tests can prove snapshot + events = fresh snapshot."""

import copy


def apply_event(snapshot: dict, event: dict) -> dict:
    """The snapshot after ``event`` (a new dict; the old one is left as it was)."""
    state = copy.deepcopy(snapshot)
    assert event["seq"] == state["seq"] + 1, f"seq gap: {state['seq']} then {event['seq']}"
    state["seq"] = event["seq"]
    handler = HANDLERS[event["type"]]
    handler(state, event)
    return state


def _person(state, participant_id):
    return next(p for p in state["participants"] if p["participant_id"] == participant_id)


def _is_me(state, participant_id):
    return state["you"] is not None and state["you"]["participant_id"] == participant_id


def _room(state, event):
    state["room"] = {key: event[key] for key in ("status", "mode", "locked", "turn_seconds")}


def _joined(state, event):
    person = event["participant"]
    for index, known in enumerate(state["participants"]):
        if known["participant_id"] == person["participant_id"]:
            state["participants"][index] = person
            break
    else:
        state["participants"].append(person)
        if "not_shared_yet" in state:
            state["not_shared_yet"].append(person["participant_id"])
    if _is_me(state, person["participant_id"]):
        state["you"].update(
            display_name=person["display_name"], role=person["role"], muted=person["muted"]
        )


def _left(state, event):
    _person(state, event["participant_id"])["present"] = False


def _seating(state, event):
    order = {pid: index for index, pid in enumerate(event["participants"])}
    state["participants"].sort(key=lambda p: order[p["participant_id"]])
    if "not_shared_yet" in state:
        state["not_shared_yet"].sort(key=order.__getitem__)


def _queue(state, event):
    state["queue"] = event["queue"]


def _turn_started(state, event):
    state["holder"] = {
        "participant_id": event["participant_id"],
        "turn_id": event["turn_id"],
        "deadline": event["deadline"],
        "remaining": None,
    }
    state["queue"] = event["queue"]


def _turn_ended(state, event):
    state["holder"] = None


def _turn_timer(state, event):
    state["holder"] = {
        key: event[key] for key in ("participant_id", "turn_id", "deadline", "remaining")
    }


def _not_shared(state, participant_id):
    if "not_shared_yet" in state:
        state["not_shared_yet"] = [pid for pid in state["not_shared_yet"] if pid != participant_id]


def _shared(state, event):
    _not_shared(state, event["participant_id"])
    state["shares"].append(
        {
            "share_id": event["share_id"],
            "participant_id": event["participant_id"],
            "display_name": event["display_name"],
            "text": event["text"],
            "content_warning": event["content_warning"],
            "created_at": event["created_at"],
            "reactions": {},
            "my_reactions": [],
        }
    )


def _reaction(state, event):
    share = next(s for s in state["shares"] if s["share_id"] == event["share_id"])
    share["reactions"][event["kind"]] = event["count"]
    share["reactions"] = {
        kind: share["reactions"][kind]
        for kind in ("heard", "thanks", "me_too", "strength")
        if kind in share["reactions"]
    }
    if _is_me(state, event["participant_id"]):
        share["my_reactions"] = sorted({*share["my_reactions"], event["kind"]})


def _share_hidden(state, event):
    state["shares"] = [s for s in state["shares"] if s["share_id"] != event["share_id"]]


def _muted(value):
    def handler(state, event):
        _person(state, event["participant_id"])["muted"] = value
        if _is_me(state, event["participant_id"]):
            state["you"]["muted"] = value
            # The private ``mute`` frame tells more; a room mute until it arrives.
            if not value:
                state["you"]["mute"] = None
            elif state["you"].get("mute") is None:
                state["you"]["mute"] = {"scope": "meeting", "until": None}

    return handler


def _away(state, event):
    _person(state, event["participant_id"])["away"] = True


def _removed(state, event):
    state["participants"] = [
        p for p in state["participants"] if p["participant_id"] != event["participant_id"]
    ]
    _not_shared(state, event["participant_id"])


def _reminder(state, event):
    """A reminder is shown, not kept: the snapshot is unchanged."""


HANDLERS = {
    "agreement_reminder": _reminder,
    "room": _room,
    "joined": _joined,
    "participant_updated": _joined,
    "left": _left,
    "seating": _seating,
    "hand_raised": _queue,
    "hand_lowered": _queue,
    "queue": _queue,
    "turn_started": _turn_started,
    "turn_ended": _turn_ended,
    "turn_paused": _turn_timer,
    "turn_resumed": _turn_timer,
    "turn_extended": _turn_timer,
    "shared": _shared,
    "reaction": _reaction,
    "share_hidden": _share_hidden,
    "participant_muted": _muted(True),
    "participant_unmuted": _muted(False),
    "participant_removed": _removed,
    "participant_away": _away,
}
