// The room as this client knows it: the last `state` snapshot with every event since
// applied in `seq` order. It mirrors tests/meetings/room/reducer.py, which proves on the
// server side that snapshot + events = a fresh snapshot.

export const REACTION_KINDS = ["heard", "thanks", "me_too", "strength"];
const GAP_WAIT_MS = 1500;

export class RoomModel {
  // onEvent(event, state) after each event; onSnapshot(state) after each snapshot;
  // requestSync() when a gap in seq does not fill by itself.
  constructor({ onEvent, onSnapshot, requestSync }) {
    this.state = null;
    this.pending = new Map();
    this.gapTimer = null;
    this.onEvent = onEvent;
    this.onSnapshot = onSnapshot;
    this.requestSync = requestSync;
  }

  snapshot(frame) {
    this.state = structuredClone(frame);
    delete this.state.type;
    this.onSnapshot(this.state);
    this.drain();
  }

  event(frame) {
    if (this.state === null || frame.seq > this.state.seq + 1) {
      this.pending.set(frame.seq, frame);
      this.armGap();
      return;
    }
    if (frame.seq <= this.state.seq) return;
    this.applyOne(frame);
    this.drain();
  }

  applyOne(event) {
    reduce(this.state, event);
    this.onEvent(event, this.state);
  }

  drain() {
    if (this.state === null) return;
    for (const seq of [...this.pending.keys()]) {
      if (seq <= this.state.seq) this.pending.delete(seq);
    }
    while (this.pending.has(this.state.seq + 1)) {
      const next = this.pending.get(this.state.seq + 1);
      this.pending.delete(next.seq);
      this.applyOne(next);
    }
    if (this.pending.size === 0 && this.gapTimer !== null) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  armGap() {
    if (this.gapTimer !== null) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.pending.size > 0) this.requestSync();
    }, GAP_WAIT_MS);
  }

  reset() {
    this.pending.clear();
    if (this.gapTimer !== null) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }
}

export function person(state, participantId) {
  return state.participants.find((p) => p.participant_id === participantId) || null;
}

function isMe(state, participantId) {
  return state.you !== null && state.you.participant_id === participantId;
}

const handlers = {
  room(state, e) {
    state.room = { status: e.status, mode: e.mode, locked: e.locked, turn_seconds: e.turn_seconds };
  },
  joined(state, e) {
    const index = state.participants.findIndex((p) => p.participant_id === e.participant.participant_id);
    if (index >= 0) state.participants[index] = e.participant;
    else {
      state.participants.push(e.participant);
      if (state.not_shared_yet) state.not_shared_yet.push(e.participant.participant_id);
    }
    if (isMe(state, e.participant.participant_id)) {
      Object.assign(state.you, {
        display_name: e.participant.display_name,
        role: e.participant.role,
        muted: e.participant.muted,
      });
    }
  },
  left(state, e) {
    const p = person(state, e.participant_id);
    if (p) p.present = false;
  },
  seating(state, e) {
    const order = new Map(e.participants.map((id, index) => [id, index]));
    state.participants.sort((a, b) => order.get(a.participant_id) - order.get(b.participant_id));
    if (state.not_shared_yet) state.not_shared_yet.sort((a, b) => order.get(a) - order.get(b));
  },
  queue(state, e) {
    state.queue = e.queue;
  },
  turn_started(state, e) {
    state.holder = { participant_id: e.participant_id, turn_id: e.turn_id, deadline: e.deadline, remaining: null };
    state.queue = e.queue;
  },
  turn_ended(state) {
    state.holder = null;
  },
  shared(state, e) {
    if (state.not_shared_yet) state.not_shared_yet = state.not_shared_yet.filter((id) => id !== e.participant_id);
    state.shares.push({
      share_id: e.share_id,
      participant_id: e.participant_id,
      display_name: e.display_name,
      text: e.text,
      content_warning: e.content_warning,
      created_at: e.created_at,
      reactions: {},
      my_reactions: [],
    });
  },
  reaction(state, e) {
    const share = state.shares.find((s) => s.share_id === e.share_id);
    if (!share) return;
    share.reactions[e.kind] = e.count;
    if (isMe(state, e.participant_id) && !share.my_reactions.includes(e.kind)) {
      share.my_reactions = [...share.my_reactions, e.kind].sort();
    }
  },
  share_hidden(state, e) {
    state.shares = state.shares.filter((s) => s.share_id !== e.share_id);
  },
  participant_muted(state, e) {
    setMuted(state, e.participant_id, true);
  },
  participant_unmuted(state, e) {
    setMuted(state, e.participant_id, false);
  },
  participant_away(state, e) {
    const p = person(state, e.participant_id);
    if (p) p.away = true;
  },
  participant_removed(state, e) {
    state.participants = state.participants.filter((p) => p.participant_id !== e.participant_id);
    if (state.not_shared_yet) state.not_shared_yet = state.not_shared_yet.filter((id) => id !== e.participant_id);
  },
  agreement_reminder() {
    // Shown by the view; the snapshot does not keep reminders.
  },
};
handlers.participant_updated = handlers.joined;
handlers.hand_raised = handlers.queue;
handlers.hand_lowered = handlers.queue;
handlers.turn_paused = turnTimer;
handlers.turn_resumed = turnTimer;
handlers.turn_extended = turnTimer;

// The broadcast events this client applies: exactly meetings.room.frames.EVENTS
// (tests/js/room_state_frames.test.mjs checks it).
export const EVENT_TYPES = Object.keys(handlers);

function turnTimer(state, e) {
  state.holder = { participant_id: e.participant_id, turn_id: e.turn_id, deadline: e.deadline, remaining: e.remaining };
}

function setMuted(state, participantId, muted) {
  const p = person(state, participantId);
  if (p) p.muted = muted;
  if (isMe(state, participantId)) {
    state.you.muted = muted;
    // The private "mute" frame says more (scope, until); until it arrives, a room mute.
    if (!muted) state.you.mute = null;
    else if (!state.you.mute) state.you.mute = { scope: "meeting", until: null };
  }
}

export function reduce(state, event) {
  state.seq = event.seq;
  const handler = handlers[event.type];
  if (handler) handler(state, event);
}
