// The talking circle's page: connects the socket, keeps the room's state, draws it and
// tells every change that matters on screen, in the title bar and to screen readers.
// See docs/protocol.md for the frames and docs/room.md for the page.

import { SupportAlerts, PROTOCOL as ALERTS } from "./room/alerts.js";
import { Draft } from "./room/draft.js";
import { FacilitatorPanel, PersonMenu, SharesScroller } from "./room/layout.js";
import { ShareSender } from "./room/sending.js";
import { RoomSocket } from "./room/socket.js";
import { RoomModel } from "./room/state.js";
import { SupportFlow } from "./room/support.js";
import { LIMITS } from "./room/limits.js";
import { setTitle } from "./room/title.js";
import {
  END_REASONS,
  ShareList,
  nameOf,
  personActions,
  renderControls,
  renderCountdown,
  renderHolder,
  renderQueue,
  renderSeats,
  renderStatus,
  renderYourTurn,
} from "./room/view.js";

// Private frames to this person alone (docs/protocol.md).
const FRAMES = {
  shareHiddenNotice: ["your_share_hidden"],
  mute: "mute", // {scope: "meeting" | "circle", until}
};

const root = document.getElementById("room");
const byId = (id) => document.getElementById(id);
const canModerate = root.dataset.canModerate === "true";

const refs = {
  status: byId("room-status"),
  connection: byId("connection"),
  clock: byId("meeting-clock"),
  announcer: byId("announcer"),
  error: byId("room-error"),
  turnNotice: byId("turn-notice"),
  turnNoticeText: byId("turn-notice-text"),
  turnNoticeWrite: byId("turn-notice-write"),
  muteNotice: byId("mute-notice"),
  muteNoticeText: byId("mute-notice-text"),
  privateNotice: byId("private-notice"),
  privateNoticeText: byId("private-notice-text"),
  privateNoticeDismiss: byId("private-notice-dismiss"),
  ended: byId("room-ended"),
  lobby: byId("room-lobby"),
  seats: byId("seats"),
  holderLine: byId("holder-line"),
  countdown: byId("countdown"),
  timeNote: byId("time-note"),
  queue: byId("queue"),
  queueEmpty: byId("queue-empty"),
  raiseHand: byId("raise-hand"),
  lowerHand: byId("lower-hand"),
  sharesScroll: byId("shares-scroll"),
  newShares: byId("new-shares"),
  shares: byId("shares"),
  sharesEmpty: byId("shares-empty"),
  template: byId("share-template"),
  composer: byId("composer"),
  composerHint: byId("composer-hint"),
  shareText: byId("share-text"),
  shareWarning: byId("share-warning"),
  shareCount: byId("share-count"),
  shareSubmit: byId("share-submit"),
  endTurn: byId("end-turn"),
  pass: byId("pass"),
  needSupport: byId("need-support"),
  supportDialog: byId("support-dialog"),
  supportForm: byId("support-form"),
  resourcesDialog: byId("resources-dialog"),
  reportDialog: byId("report-dialog"),
  reportForm: byId("report-form"),
  panel: byId("facilitator-panel"),
  panelToggle: byId("panel-toggle"),
  panelClose: byId("panel-close"),
  personMenu: byId("person-menu"),
  alerts: byId("support-alerts"),
  alertSound: byId("alert-sound"),
  modeForm: byId("mode-form"),
  modeSelect: byId("room-mode"),
  secondsForm: byId("seconds-form"),
  secondsInput: byId("turn-seconds"),
  nudge: byId("nudge"),
  nudgeText: byId("nudge-text"),
  nudgeDismiss: byId("nudge-dismiss"),
  reminder: byId("reminder"),
  reminderText: byId("reminder-text"),
  reminderDismiss: byId("reminder-dismiss"),
  nudgeForm: byId("nudge-form"),
  remindForm: byId("remind-form"),
  notShared: byId("not-shared"),
  notSharedEmpty: byId("not-shared-empty"),
};
const live = Boolean(refs.seats); // an ended or cancelled room has no stage

let errorTimer = null;
let farewell = null;
let lastAnnouncedLow = null;

// Messages announced in the same moment (one batch of events) are read together.
let announcing = [];
function announce(text) {
  if (announcing.length === 0) {
    // Clearing first makes screen readers repeat an identical message.
    refs.announcer.textContent = "";
    window.setTimeout(() => {
      refs.announcer.textContent = announcing.join(" ");
      announcing = [];
    }, 50);
  }
  announcing.push(text);
}

function showError(text) {
  refs.error.textContent = text;
  refs.error.hidden = false;
  window.clearTimeout(errorTimer);
  errorTimer = window.setTimeout(() => {
    refs.error.hidden = true;
  }, 8000);
}

function showPrivate(text) {
  refs.privateNoticeText.textContent = text;
  refs.privateNotice.hidden = false;
}
refs.privateNoticeDismiss.addEventListener("click", () => {
  refs.privateNotice.hidden = true;
});

const socket = new RoomSocket(root.dataset.socketPath, {
  onFrame: handleFrame,
  onStatus: showConnection,
});

function send(type, fields) {
  const ref = socket.send(type, fields);
  if (ref === null) showError("You're offline for a moment. We're reconnecting…");
  return ref;
}

// Commands that must reach the room even if the socket is down when they are made (a
// holder who asked for support over HTTP has a held clock): sent once, on the next open.
const whenOpen = new Set();
function sendWhenOpen(type) {
  if (socket.send(type) === null) whenOpen.add(type);
  else whenOpen.delete(type);
}
function flushWhenOpen(state) {
  for (const type of [...whenOpen]) {
    whenOpen.delete(type);
    // A pass is only for the piece still held; support_closed is harmless otherwise.
    if (type === "pass" && !(state && holdsPiece(state))) continue;
    if (socket.send(type) === null) whenOpen.add(type);
  }
}

const alerts = refs.alerts
  ? new SupportAlerts(refs.alerts, { send, announce, soundToggle: refs.alertSound })
  : null;

const support = new SupportFlow({
  dialog: refs.supportDialog,
  form: refs.supportForm,
  path: root.dataset.supportPath,
  socketSend: (type, fields) => socket.send(type, fields),
  holdsPiece: () => Boolean(model.state && holdsPiece(model.state)),
  // A holder's clock is held while they ask for support (over the socket or HTTP);
  // closing the dialog lets it run. Offline, both wait for the socket (sendWhenOpen).
  onPass: () => sendWhenOpen("pass"),
  onClose: () => sendWhenOpen("support_closed"),
});
refs.needSupport.addEventListener("click", () => support.open());

const model = new RoomModel({
  onSnapshot: (state) => {
    drawAll(state);
    alerts?.fromSnapshot(state);
    announce(holderSentence(state));
    if (holdsPiece(state) && state.room.status === "live") yourTurn(state, { focus: true });
  },
  onEvent: (event, state) => {
    drawAll(state);
    announceEvent(event, state);
  },
  requestSync: () => socket.send("sync"),
});

const shares = live
  ? new ShareList(refs, { canModerate, send: (type, fields) => send(type, fields), openReport })
  : null;
const scroller = live ? new SharesScroller(refs.sharesScroll, refs.newShares) : null;
const draft = live ? new Draft(root.dataset.meetingId, { text: refs.shareText, warning: refs.shareWarning }) : null;
// The author's outbox: a share is kept, and sent again after a reconnect with the same
// ref, until the server answers it (./room/sending.js, ./room/outbox.js).
const sender = live
  ? new ShareSender({
      composer: refs.composer,
      text: refs.shareText,
      warning: refs.shareWarning,
      meetingId: root.dataset.meetingId,
      send: (fields, ref) => socket.send("share", fields, ref),
    })
  : null;
const menu = refs.personMenu
  ? new PersonMenu(refs.personMenu, { actionsFor: personActions, send })
  : null;
// The panel wires its own toggle and close buttons; nothing else needs a handle on it.
if (refs.panel && refs.panelToggle) new FacilitatorPanel(refs.panel, refs.panelToggle, refs.panelClose);

function openSeatMenu(button, participantId) {
  if (model.state) menu.toggleFor(button, participantId, model.state);
}

function drawAll(state) {
  tellStatus(state);
  renderStatus(refs, state);
  renderSeats(refs, state, { onSeat: menu ? openSeatMenu : undefined });
  menu?.refresh(state, refs.seats);
  renderHolder(refs, state);
  renderCountdown(refs, state);
  renderQueue(refs, state);
  renderYourTurn(refs, state);
  scroller.around(() => shares.sync(state));
  renderControls(refs, state);
  renderNotShared(state);
  renderMine(state);
}

// Facilitators only: the server sends not_shared_yet to them alone.
function renderNotShared(state) {
  if (!refs.notShared || !state.not_shared_yet) return;
  refs.notShared.replaceChildren(
    ...state.not_shared_yet.map((id) => {
      const item = document.createElement("li");
      item.textContent = nameOf(state, id);
      return item;
    }),
  );
  refs.notSharedEmpty.hidden = state.not_shared_yet.length > 0;
}

function isMe(state, participantId) {
  return state.you !== null && state.you !== undefined && state.you.participant_id === participantId;
}

function holdsPiece(state) {
  return Boolean(state.holder && isMe(state, state.holder.participant_id));
}

// What concerns this person alone: muted, next in the queue, the shares pane's empty line.
function renderMine(state) {
  const me = state.you;
  const muted = Boolean(me && me.muted);
  refs.muteNotice.hidden = !muted;
  if (muted) showMute(me.mute);
  const ended = state.room.status === "ended";
  if (ended) refs.sharesEmpty.hidden = true;
  // Words kept from a turn that ended stay in view (disabled) until the next turn.
  refs.composer.classList.toggle("composer-kept", !refs.composer.classList.contains("composer-active") && draft.hasWords());
  if (!holdsPiece(state)) {
    setTitle("turn", null);
    const next = state.room.status !== "ended" && me && state.queue[0] === me.participant_id;
    if (next && !muted) notice("next", "You're next. The talking piece comes to you after this turn.");
    else if (turnNoticeKind === "next" || turnNoticeKind === "turn") notice(null);
  }
}

// The whole mute line, its bold part included: a facilitator mutes for this meeting, a
// host mutes in the circle (for now, or until a time).
function muteSentence(mute) {
  const what = "You can listen and read, but you can't share, react or raise your hand";
  const at = (iso) => new Date(iso).toLocaleString([], { weekday: "long", hour: "2-digit", minute: "2-digit" });
  if (mute && mute.scope === "circle") {
    return mute.until
      ? [`A host has muted you in this circle until ${at(mute.until)}.`, `${what} until then.`]
      : ["A host has muted you in this circle for now.", `${what} until they unmute you.`];
  }
  return [
    "A facilitator has muted you for this meeting.",
    `${what} until they unmute you; at the latest it ends with this meeting.`,
  ];
}

function showMute(mute) {
  const [who, rest] = muteSentence(mute);
  const bold = document.createElement("strong");
  bold.textContent = who;
  refs.muteNoticeText.replaceChildren(bold, ` ${rest}`);
}

// The one visible line about your turn: "It's your turn", "You're next", "Time is up".
let turnNoticeKind = null;
function notice(kind, text) {
  turnNoticeKind = kind;
  refs.turnNotice.hidden = kind === null;
  refs.turnNotice.dataset.kind = kind || "";
  if (kind !== null) refs.turnNoticeText.textContent = text;
  refs.turnNoticeWrite.hidden = kind !== "turn";
}
refs.turnNoticeWrite.addEventListener("click", () => refs.shareText.focus());

function yourTurn(state, { focus }) {
  notice("turn", "It's your turn: you hold the talking piece.");
  setTitle("turn", "Your turn");
  if (focus && !refs.supportDialog.open) refs.shareText.focus({ preventScroll: false });
}

function holderSentence(state) {
  if (state.room.status === "ended") return "This meeting has ended.";
  if (!state.holder) return "Nobody holds the talking piece.";
  if (isMe(state, state.holder.participant_id)) return "You hold the talking piece.";
  return `${nameOf(state, state.holder.participant_id)} holds the talking piece.`;
}

function announceEvent(event, state) {
  switch (event.type) {
    case "turn_started":
      if (isMe(state, event.participant_id)) {
        announce("It's your turn: you hold the talking piece. Share when you're ready, or pass.");
        yourTurn(state, { focus: true });
      } else {
        announce(`${nameOf(state, event.participant_id)} now holds the talking piece.`);
      }
      break;
    case "turn_ended": {
      const mine = isMe(state, event.participant_id);
      const who = mine ? "Your" : `${nameOf(state, event.participant_id)}'s`;
      announce(`${who} turn ${END_REASONS[event.reason] || "ended"}.`);
      if (mine && event.reason === "timeout") {
        notice(
          "timeout",
          draft.hasWords()
            ? "Time is up. Your words weren't sent: they are kept here for your next turn."
            : "Time is up for this turn. Thank you.",
        );
      }
      break;
    }
    case "room":
      if (event.status === "live") announce("The circle is in session.");
      else if (event.status === "paused") announce("The circle is paused.");
      else if (event.status === "ended") announce("This meeting has ended. Thank you for being here.");
      break;
    case "shared":
      if (isMe(state, event.participant_id)) {
        // The composer stays editable while "Sending…": only the words shared leave it
        // (the ShareSender clears the box when its entry settles); newer words stay.
        if (refs.shareText.value === event.text) draft.clear();
        updateCount();
        scroller.toBottom();
      } else {
        announce(`${event.display_name} shared${event.content_warning ? ", with a content warning" : ""}.`);
      }
      break;
    case "participant_muted":
      if (isMe(state, event.participant_id)) announce("A facilitator has muted you for now.");
      break;
    case "participant_unmuted":
      if (isMe(state, event.participant_id)) announce("You can speak again.");
      break;
    case "agreement_reminder":
      refs.reminderText.textContent = event.text;
      refs.reminder.hidden = false;
      announce(`A reminder of our agreements: ${event.text}`);
      break;
    default:
      break;
  }
}

function handleFrame(frame) {
  if (frame.type === FRAMES.mute) {
    if (model.state?.you) {
      model.state.you.mute = { scope: frame.scope, until: frame.until };
      renderMine(model.state);
    }
    return;
  }
  if (FRAMES.shareHiddenNotice.includes(frame.type)) {
    showPrivate("A facilitator hid your share from the circle. Only the moderators can still read it.");
    return;
  }
  switch (frame.type) {
    case "state":
      model.snapshot(frame);
      if (whenOpen.size) flushWhenOpen(model.state);
      break;
    case "error":
      showError(frame.message);
      break;
    case "removed":
      farewell =
        frame.reason === "suspended"
          ? "Your account has been suspended, so you've left the circle."
          : "A facilitator has asked you to leave this circle.";
      socket.stop();
      showEnded(farewell);
      break;
    case "resources":
      if (frame.reason === "crisis_share") {
        if (!refs.resourcesDialog.open) refs.resourcesDialog.showModal();
      } else support.answered();
      break;
    case ALERTS.alert:
      alerts?.add(frame);
      break;
    case ALERTS.acknowledged:
      alerts?.acknowledged(frame);
      break;
    case "reported":
      shares.markReported(frame.share_id);
      showPrivate("Thank you. Your report was sent; the circle's hosts will look at it.");
      announce("Thank you. The circle's hosts will look at your report.");
      break;
    case "nudge":
      refs.nudgeText.textContent = frame.text;
      refs.nudge.hidden = false;
      break;
    case "nudged":
      announce(`Your nudge went to ${model.state ? nameOf(model.state, frame.participant_id) : "the holder"}, privately.`);
      break;
    case "ack": // a command applied: only the outbox (sender, below) needs it
      break;
    default:
      if (typeof frame.seq === "number") model.event(frame);
  }
  sender?.frame(frame, model.state);
}

function showConnection(status, detail) {
  sender?.connection(status);
  const labels = { connecting: "Connecting…", open: "Connected", reconnecting: "Reconnecting…" };
  refs.connection.dataset.state = status;
  if (status === "closed") {
    whenOpen.clear(); // the room will not come back on this page
    refs.connection.textContent = "Not connected";
    model.reset();
    showEnded(farewell || detail);
    return;
  }
  refs.connection.textContent = labels[status] || status;
  if (status === "reconnecting") model.reset();
}

// Removed, or refused for good: everything but "I need support" is put down.
// The check-out, the support dialog and the alerts stay usable: they don't need the room.
function showEnded(text) {
  const ended = model.state?.room.status === "ended";
  if (!ended && text) {
    refs.status.textContent = text;
    announce(text);
  }
  setTitle("turn", null);
  for (const control of root.querySelectorAll("button, input, textarea, select")) {
    if (control.id === "need-support" || control.closest("dialog, .support-alerts, .notice, [data-wellbeing]")) {
      continue;
    }
    control.disabled = true;
  }
}

// --- Controls -----------------------------------------------------------------------------

function updateCount() {
  const left = LIMITS.max_share_chars - refs.shareText.value.length;
  refs.shareCount.textContent = `${left} characters left.`;
}

if (live) {
  refs.raiseHand.addEventListener("click", () => send("raise_hand"));
  refs.lowerHand.addEventListener("click", () => send("lower_hand"));
  refs.endTurn.addEventListener("click", () => send("end_turn"));
  refs.pass.addEventListener("click", () => send("pass"));
  refs.shareText.addEventListener("input", updateCount);
  if (draft.restore()) updateCount();

  refs.composer.addEventListener("submit", (submitting) => {
    submitting.preventDefault();
    const text = refs.shareText.value;
    if (!text.trim()) {
      showError("There's nothing to share yet.");
      refs.shareText.focus();
      return;
    }
    sender.submit();
  });
}

let reportingShare = null;
function openReport(shareId) {
  reportingShare = shareId;
  refs.reportForm.reset();
  refs.reportDialog.showModal();
}
refs.reportForm.addEventListener("submit", (submitting) => {
  submitting.preventDefault();
  const fields = refs.reportForm.elements;
  if (send("report", { share_id: reportingShare, reason: fields.reason.value, note: fields.note.value }) !== null) {
    refs.reportDialog.close();
  }
});
for (const cancel of refs.reportDialog.querySelectorAll("[data-close]")) {
  cancel.addEventListener("click", () => refs.reportDialog.close());
}

if (refs.panel) {
  for (const button of refs.panel.querySelectorAll("[data-command]")) {
    button.addEventListener("click", () => {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      send(button.dataset.command, button.dataset.order ? { order: button.dataset.order } : undefined);
    });
  }
  refs.nudgeForm.addEventListener("submit", (submitting) => {
    submitting.preventDefault();
    send("nudge", { text_id: refs.nudgeForm.elements.text_id.value });
  });
  if (refs.remindForm) {
    refs.remindForm.addEventListener("submit", (submitting) => {
      submitting.preventDefault();
      send("remind", { text: refs.remindForm.elements.text.value });
    });
  }
  refs.modeForm.addEventListener("submit", (submitting) => {
    submitting.preventDefault();
    send("set_mode", { mode: refs.modeSelect.value });
  });
  refs.secondsForm.addEventListener("submit", (submitting) => {
    submitting.preventDefault();
    const seconds = Number.parseInt(refs.secondsInput.value, 10);
    const { min_turn_seconds: fewest, max_turn_seconds: most } = LIMITS;
    if (!Number.isInteger(seconds) || seconds < fewest || seconds > most) {
      showError(`Seconds per turn must be a whole number from ${fewest} to ${most}.`);
      return;
    }
    send("set_turn_seconds", { seconds });
  });
}

// The countdown and the meeting's clock tick locally; the server's deadline is the truth.
const endsAt = Date.parse(root.dataset.endsAt);
function tickClock() {
  const status = model.state?.room.status;
  if (root.dataset.ended === "true" || status === "ended" || Number.isNaN(endsAt)) {
    refs.clock.hidden = true;
    return;
  }
  const minutes = Math.ceil((endsAt - Date.now()) / 60000);
  refs.clock.hidden = false;
  refs.clock.textContent =
    minutes > 60
      ? `${Math.floor(minutes / 60)} h ${minutes % 60} min left in the meeting`
      : minutes > 0
        ? `${minutes} min left in the meeting`
        : "Past the meeting's planned end";
}
tickClock();
window.setInterval(() => {
  tickClock();
  const state = model.state;
  if (!state) return;
  const left = renderCountdown(refs, state);
  if (holdsPiece(state) && state.room.status === "live" && left === LIMITS.low_time_seconds && lastAnnouncedLow !== state.holder.turn_id) {
    lastAnnouncedLow = state.holder.turn_id;
    announce(`${left} seconds left in your turn.`);
  }
}, 1000);

// The wellbeing check-out appears when the room ends (static/js/wellbeing.js listens).
let lastStatus = null;
function tellStatus(state) {
  if (state.room.status === lastStatus) return;
  lastStatus = state.room.status;
  document.dispatchEvent(new CustomEvent("room:status", { detail: { status: lastStatus } }));
  // The agreements belong to the lobby: shown while the room is open and not yet live
  // (anyone connected here has already confirmed them if they had to).
  const agreements = document.querySelector('[data-wellbeing="agreement"]');
  if (agreements && lastStatus !== "open") agreements.hidden = true;
  if (lastStatus === "live" || lastStatus === "paused") foldLobby();
  if (lastStatus === "ended") meetingEnded();
}

function meetingEnded() {
  refs.ended.hidden = false;
  notice(null);
  setTitle("turn", null);
  refs.muteNotice.hidden = true;
  if (refs.lobby) refs.lobby.hidden = true;
  // The words stay on screen to copy, but nothing is kept once the meeting is over.
  if (draft.hasWords()) {
    const text = refs.shareText.value;
    draft.clear();
    refs.shareText.value = text;
    refs.composerHint.textContent =
      "This meeting has ended before you shared this, so it was not sent. It's still here if you'd like to copy it for yourself.";
  } else draft.clear();
  sender?.forget();
}

// --- The lobby: check in before the room, then fold it away --------------------------------

const checkIn = document.querySelector('[data-wellbeing="check-in"]');
let lobbyFold = null;
function foldLobby() {
  if (!checkIn || checkIn.hidden || lobbyFold) return;
  const answered = Boolean(checkIn.querySelector("input[type=radio]:checked"));
  lobbyFold = document.createElement("button");
  lobbyFold.type = "button";
  lobbyFold.className = "link-button lobby-fold";
  lobbyFold.setAttribute("aria-expanded", "false");
  lobbyFold.setAttribute("aria-controls", checkIn.id || "");
  foldLabel(answered);
  lobbyFold.addEventListener("click", () => {
    const open = checkIn.classList.toggle("lobby-unfolded");
    lobbyFold.setAttribute("aria-expanded", String(open));
  });
  checkIn.classList.add("lobby-folded");
  refs.status.closest(".room-status").append(lobbyFold);
}
function foldLabel(answered) {
  lobbyFold.textContent = answered ? "Checked in ✓" : "Check in";
  lobbyFold.setAttribute(
    "aria-label",
    answered ? "You checked in: change how you're arriving" : "Check in: how are you arriving?",
  );
}
if (checkIn) {
  if (!checkIn.id) checkIn.id = "room-check-in";
  // Answered already, or a facilitator who must reach the controls first: folded.
  if (checkIn.querySelector("input[type=radio]:checked") || canModerate) foldLobby();
}
if (canModerate) {
  // A facilitator is never held at the agreements; once confirmed they need not fill the screen.
  const agreements = document.querySelector('[data-wellbeing="agreement"]');
  if (agreements && !agreements.querySelector("form")) agreements.hidden = true;
}
document.addEventListener("wellbeing:saved", (saved) => {
  if (saved.detail.kind !== "check-in" || !checkIn || !checkIn.contains(saved.detail.form)) return;
  if (lobbyFold) {
    foldLabel(true);
    checkIn.classList.remove("lobby-unfolded");
    lobbyFold.setAttribute("aria-expanded", "false");
    lobbyFold.focus();
  } else {
    foldLobby();
    lobbyFold.focus();
  }
});

refs.nudgeDismiss.addEventListener("click", () => {
  refs.nudge.hidden = true;
});
refs.reminderDismiss.addEventListener("click", () => {
  refs.reminder.hidden = true;
});

// A member confirms the circle's agreements for this meeting before the room lets them
// in (the server closes with 4412 otherwise): connect once wellbeing.js says it's saved.
if (root.dataset.ended === "true") {
  refs.connection.hidden = true;
  document.dispatchEvent(new CustomEvent("room:status", { detail: { status: "ended" } }));
} else if (root.dataset.open !== "true") {
  refs.connection.textContent = "Not connected";
} else if (root.dataset.needsAgreement === "true") {
  refs.connection.textContent = "Waiting for you to confirm the agreements";
  document.addEventListener("wellbeing:saved", function entering(saved) {
    if (saved.detail.kind !== "agreement") return;
    document.removeEventListener("wellbeing:saved", entering);
    byId("agreement-first")?.remove();
    socket.connect();
  });
} else {
  socket.connect();
}
