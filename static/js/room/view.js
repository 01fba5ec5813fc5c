// Drawing the room. Every piece of text from the server goes in with textContent.

import { LIMITS } from "./limits.js";
import { person } from "./state.js";

const ROLE_LABELS = { facilitator: "Facilitator", host: "Host", staff: "Staff", member: "" };
export const END_REASONS = {
  ended: "finished sharing",
  passed: "passed",
  skipped: "was skipped by a facilitator",
  granted_away: "handed on by a facilitator",
  muted: "ended: muted by a facilitator",
  removed: "ended",
  timeout: "ended: time ran out",
  disconnected: "ended: they lost their connection",
  room_ended: "ended with the meeting",
};
const STATUS_LABELS = {
  open: "Waiting for a facilitator to start",
  live: "In session",
  paused: "Paused",
  ended: "This meeting has ended",
};

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function nameOf(state, participantId) {
  const p = person(state, participantId);
  return p ? p.display_name : "Someone";
}

// Re-render `container` with `render()`, keeping keyboard focus on the "same" control.
export function keepingFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

export function renderStatus(refs, state) {
  let text = STATUS_LABELS[state.room.status] || state.room.status;
  if (state.room.locked) text += " · locked to newcomers";
  text += state.room.mode === "round" ? " · around the circle" : " · raised hands";
  refs.status.textContent = text;
}

export function renderSeats(refs, state, { onSeat } = {}) {
  const seats = refs.seats;
  keepingFocus(seats, () => {
    seats.replaceChildren();
    const n = state.participants.length;
    seats.style.setProperty("--n", String(Math.max(n, 1)));
    state.participants.forEach((p, index) => {
      const seat = el("li", "seat");
      seat.style.setProperty("--i", String(index));
      seat.dataset.participantId = String(p.participant_id);
      const holds = state.holder && state.holder.participant_id === p.participant_id;
      const me = state.you && state.you.participant_id === p.participant_id;
      seat.classList.toggle("seat-holder", Boolean(holds));
      seat.classList.toggle("seat-away", !p.present);
      seat.classList.toggle("seat-reconnecting", !p.present && !p.away);
      seat.classList.toggle("seat-me", Boolean(me));
      const notes = [];
      if (ROLE_LABELS[p.role]) notes.push(ROLE_LABELS[p.role]);
      if (me) notes.push("you");
      if (!p.present) notes.push(p.away ? "away" : "reconnecting");
      if (p.muted) notes.push("muted");
      if (state.queue.includes(p.participant_id)) notes.push(`waiting ${state.queue.indexOf(p.participant_id) + 1}`);
      if (onSeat) {
        // Facilitators: the seat opens this person's actions.
        const button = el("button", "seat-button");
        button.type = "button";
        button.dataset.seatMenu = String(p.participant_id);
        button.dataset.focusKey = `seat-${p.participant_id}`;
        button.setAttribute("aria-haspopup", "true");
        button.setAttribute("aria-expanded", "false");
        button.append(el("span", "seat-name", p.display_name));
        if (notes.length) button.append(el("span", "seat-note", notes.join(" · ")));
        button.addEventListener("click", () => onSeat(button, p.participant_id));
        seat.append(button);
      } else {
        seat.append(el("span", "seat-name", p.display_name));
        if (notes.length) seat.append(el("span", "seat-note", notes.join(" · ")));
      }
      if (holds) seat.append(el("span", "talking-piece", "Talking piece"));
      seats.append(seat);
    });
  });
}

export function renderHolder(refs, state) {
  const holder = state.holder;
  if (!holder) {
    refs.holderLine.textContent =
      state.room.status === "live" ? "The talking piece is free." : "Nobody holds the talking piece.";
    return;
  }
  const mine = state.you && holder.participant_id === state.you.participant_id;
  refs.holderLine.textContent = mine
    ? "You hold the talking piece."
    : `${nameOf(state, holder.participant_id)} holds the talking piece.`;
}

export function secondsLeft(holder, now = Date.now()) {
  if (!holder) return null;
  if (holder.deadline) return Math.max(0, Math.round((Date.parse(holder.deadline) - now) / 1000));
  if (holder.remaining !== null && holder.remaining !== undefined) return Math.round(holder.remaining);
  return null;
}

export function formatSeconds(total) {
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

export function renderCountdown(refs, state) {
  const left = secondsLeft(state.holder);
  if (left === null || state.room.status === "ended") {
    refs.countdown.textContent = "";
    refs.timeNote.hidden = true;
    return null;
  }
  // A live turn with no deadline is held: its holder asked for support.
  const held = state.room.status === "live" && !state.holder.deadline;
  const paused = state.room.status === "paused" || held;
  refs.countdown.textContent = paused
    ? `${formatSeconds(left)} left (${held ? "on hold" : "paused"})`
    : formatSeconds(left);
  const low = LIMITS.low_time_seconds;
  refs.countdown.classList.toggle("countdown-low", left <= low && !paused);
  // Seen, not only announced: the last seconds, and the moment time is up.
  if (!paused && left <= low) {
    refs.timeNote.textContent = left === 0 ? "Time is up" : `Less than ${low} seconds left`;
    refs.timeNote.hidden = false;
  } else refs.timeNote.hidden = true;
  return left;
}

export function renderQueue(refs, state) {
  refs.queue.replaceChildren(...state.queue.map((id) => el("li", "", nameOf(state, id))));
  refs.queueEmpty.hidden = state.queue.length > 0;
}

export function renderYourTurn(refs, state) {
  const me = state.you;
  const live = state.room.status === "live";
  const holding = Boolean(me && state.holder && state.holder.participant_id === me.participant_id);
  const waiting = Boolean(me && state.queue.includes(me.participant_id));
  const ended = state.room.status === "ended";
  const round = state.room.mode === "round";
  refs.raiseHand.hidden = waiting || holding || ended;
  refs.lowerHand.hidden = !waiting || ended;
  // In a round nobody raised a hand: they are simply waiting for the piece to come round.
  refs.lowerHand.textContent = round ? "Pass when it comes to me" : "Lower my hand";
  refs.raiseHand.textContent = round ? "Join the round" : "Raise my hand";
  refs.raiseHand.disabled = !me || me.muted;
  const canShare = holding && live && me && !me.muted;
  for (const control of [refs.shareText, refs.shareWarning, refs.shareSubmit, refs.endTurn, refs.pass]) {
    control.disabled = !canShare;
  }
  refs.composer.classList.toggle("composer-active", Boolean(canShare));
  if (ended) refs.composerHint.textContent = "This meeting has ended.";
  else if (me && me.muted) refs.composerHint.textContent = "You are muted for now: the note above says who muted you and until when.";
  else if (canShare) refs.composerHint.textContent = "The talking piece is yours. Share, or pass when you're ready.";
  else if (holding) refs.composerHint.textContent = "The circle is paused for a moment.";
  else refs.composerHint.textContent = "You can share when the talking piece comes to you.";
}

// --- Shares --------------------------------------------------------------------------

export class ShareList {
  constructor(refs, { canModerate, send, openReport }) {
    this.refs = refs;
    this.canModerate = canModerate;
    this.send = send;
    this.openReport = openReport;
    this.items = new Map();
    this.revealed = new Set();
    this.reported = new Set();
  }

  // The report went through: the share's control says so, and can't be pressed twice.
  markReported(shareId) {
    this.reported.add(shareId);
    const item = this.items.get(shareId);
    if (item) showReported(item.querySelector(".share-report"));
  }

  sync(state) {
    const wanted = new Set(state.shares.map((s) => s.share_id));
    for (const [id, item] of this.items) {
      if (!wanted.has(id)) {
        item.remove();
        this.items.delete(id);
      }
    }
    for (const share of state.shares) {
      if (!this.items.has(share.share_id)) this.add(share, state);
      this.update(share, state);
    }
    // Keep the list in share order (a resync may bring older shares back).
    const ordered = state.shares.map((s) => this.items.get(s.share_id));
    if (ordered.some((item, i) => this.refs.shares.children[i] !== item)) {
      this.refs.shares.replaceChildren(...ordered);
    }
    this.refs.sharesEmpty.hidden = state.shares.length > 0;
  }

  add(share, state) {
    const item = this.refs.template.content.firstElementChild.cloneNode(true);
    item.dataset.shareId = String(share.share_id);
    const body = item.querySelector(".share-body");
    body.setAttribute("aria-label", `Share by ${share.display_name}`);
    item.querySelector(".share-author").textContent = share.display_name;
    const time = item.querySelector(".share-time");
    time.dateTime = share.created_at;
    time.textContent = new Date(share.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    item.querySelector(".share-text").textContent = share.text;
    const warning = item.querySelector(".share-warning");
    const reveal = item.querySelector(".share-reveal");
    reveal.dataset.focusKey = `reveal-${share.share_id}`;
    // Your own shares are never hidden from you behind their warning.
    const mine = state.you && state.you.participant_id === share.participant_id;
    if (mine) this.revealed.add(share.share_id);
    if (share.content_warning && !this.revealed.has(share.share_id)) {
      warning.hidden = false;
      item.querySelector(".share-warning-text").textContent = share.content_warning;
      item.querySelector(".share-text").hidden = true;
      item.querySelector(".share-actions").hidden = true;
      reveal.addEventListener("click", () => {
        this.revealed.add(share.share_id);
        reveal.setAttribute("aria-expanded", "true");
        warning.querySelector(".share-reveal").hidden = true;
        item.querySelector(".share-text").hidden = false;
        item.querySelector(".share-actions").hidden = false;
        item.querySelector(".share-text").setAttribute("tabindex", "-1");
        item.querySelector(".share-text").focus();
      });
    } else if (share.content_warning) {
      warning.hidden = false;
      reveal.hidden = true;
      item.querySelector(".share-warning-text").textContent = share.content_warning;
    }
    for (const button of item.querySelectorAll(".reaction")) {
      button.dataset.focusKey = `react-${share.share_id}-${button.dataset.kind}`;
      button.addEventListener("click", () => {
        if (button.getAttribute("aria-pressed") === "true") return;
        this.send("react", { share_id: share.share_id, kind: button.dataset.kind });
      });
    }
    const report = item.querySelector(".share-report");
    report.setAttribute("aria-label", `Report the share by ${share.display_name}`);
    report.addEventListener("click", () => this.openReport(share.share_id, report));
    if (this.reported.has(share.share_id)) showReported(report);
    const hide = item.querySelector(".share-hide");
    if (hide) {
      hide.setAttribute("aria-label", `Hide the share by ${share.display_name}`);
      hide.addEventListener("click", () => {
        if (window.confirm("Hide this share from everyone? A copy is kept for the moderators.")) {
          this.send("hide", { share_id: share.share_id });
        }
      });
    }
    this.items.set(share.share_id, item);
    this.refs.shares.append(item);
  }

  update(share, state) {
    const item = this.items.get(share.share_id);
    const muted = Boolean(state.you && state.you.muted);
    for (const button of item.querySelectorAll(".reaction")) {
      const kind = button.dataset.kind;
      const count = share.reactions[kind] || 0;
      const mine = share.my_reactions.includes(kind);
      button.querySelector(".reaction-count").textContent = count ? String(count) : "";
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      button.disabled = muted;
    }
  }
}

function showReported(button) {
  button.textContent = "Reported";
  button.disabled = true;
  button.setAttribute("aria-label", "You reported this share");
}

// --- Facilitator panel ------------------------------------------------------------------

// The per-person actions a facilitator's menu offers for `p`, in the order they appear.
export function personActions(state, p) {
  const actions = [];
  const id = { participant_id: p.participant_id };
  const isMe = state.you && state.you.participant_id === p.participant_id;
  const queued = state.queue.indexOf(p.participant_id);
  const index = state.participants.findIndex((x) => x.participant_id === p.participant_id);
  const position = queued >= 0 ? queued : index;
  const holds = state.holder && state.holder.participant_id === p.participant_id;
  if (p.present && !p.muted && !holds) actions.push({ text: "Give the piece", command: "grant", fields: id });
  if (position > 0) actions.push({ text: "Move earlier", command: "move", fields: { ...id, position: position - 1 } });
  actions.push({ text: "Move later", command: "move", fields: { ...id, position: position + 1 } });
  if (!p.present && queued >= 0 && !isMe) {
    actions.push({ text: "Take out of the queue (away)", command: "clear_away", fields: id });
  }
  if (p.role === "member") {
    if (p.muted) actions.push({ text: "Unmute", command: "unmute", fields: id });
    else actions.push({ text: "Mute", command: "mute", fields: id });
    if (!isMe) {
      actions.push({
        text: "Remove",
        command: "remove",
        fields: id,
        confirm: `Remove ${p.display_name} from this meeting? They can't come back in.`,
        danger: true,
      });
    }
  }
  return actions;
}

export function renderControls(refs, state) {
  if (!refs.panel) return;
  const status = state.room.status;
  const show = {
    start: status === "open",
    pause: status === "live",
    resume: status === "paused",
    start_round: status === "live",
    end: status !== "ended",
    extend: Boolean(state.holder) && status !== "ended",
    skip: Boolean(state.holder) && status !== "ended",
    lock: !state.room.locked && status !== "ended",
    unlock: state.room.locked && status !== "ended",
  };
  for (const button of refs.panel.querySelectorAll("[data-command]")) {
    button.hidden = !show[button.dataset.command];
  }
  syncControl(refs.modeSelect, state.room.mode);
  syncControl(refs.secondsInput, String(state.room.turn_seconds));
}

// Show the room's setting in a control only when the setting itself changes, so a choice
// the facilitator is about to send survives other events (someone joining, a share).
function syncControl(control, value) {
  if (control.dataset.roomValue === value) return;
  control.dataset.roomValue = value;
  control.value = value;
}
