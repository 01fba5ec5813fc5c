// The talking circle's page: connects the socket, keeps the room's state, draws it and
// announces every change of turn. See docs/protocol.md for the frames.

import { ShareSender } from "./room/sending.js";
import { RoomSocket } from "./room/socket.js";
import { RoomModel } from "./room/state.js";
import {
  END_REASONS,
  ShareList,
  nameOf,
  renderControls,
  renderCountdown,
  renderHolder,
  renderPeople,
  renderQueue,
  renderSeats,
  renderStatus,
  renderYourTurn,
} from "./room/view.js";

const root = document.getElementById("room");
const byId = (id) => document.getElementById(id);

const refs = {
  status: byId("room-status"),
  connection: byId("connection"),
  announcer: byId("announcer"),
  error: byId("room-error"),
  seats: byId("seats"),
  holderLine: byId("holder-line"),
  countdown: byId("countdown"),
  queue: byId("queue"),
  queueEmpty: byId("queue-empty"),
  raiseHand: byId("raise-hand"),
  lowerHand: byId("lower-hand"),
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
  resourcesText: byId("resources-text"),
  resourcesIntro: byId("resources-intro"),
  reportDialog: byId("report-dialog"),
  reportForm: byId("report-form"),
  panel: document.querySelector(".facilitator-panel"),
  people: byId("people"),
  alerts: byId("support-alerts"),
  modeForm: byId("mode-form"),
  modeSelect: byId("room-mode"),
  secondsForm: byId("seconds-form"),
  secondsInput: byId("turn-seconds"),
  nudge: byId("nudge"),
  nudgeText: byId("nudge-text"),
  nudgeDismiss: byId("nudge-dismiss"),
  reminder: byId("reminder"),
  reminderText: byId("reminder-text"),
  nudgeForm: byId("nudge-form"),
  remindForm: byId("remind-form"),
  notShared: byId("not-shared"),
  notSharedEmpty: byId("not-shared-empty"),
};

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

const socket = new RoomSocket(root.dataset.socketPath, {
  onFrame: handleFrame,
  onStatus: showConnection,
});

const model = new RoomModel({
  onSnapshot: (state) => {
    drawAll(state);
    announce(holderSentence(state));
  },
  onEvent: (event, state) => {
    drawAll(state);
    announceEvent(event, state);
  },
  requestSync: () => socket.send("sync"),
});

// The author's outbox: a share is kept, and sent again after a reconnect with the same
// ref, until the server answers it (./room/sending.js, ./room/outbox.js).
const sender = new ShareSender({
  composer: refs.composer,
  text: refs.shareText,
  warning: refs.shareWarning,
  meetingId: root.dataset.socketPath,
  send: (fields, ref) => socket.send("share", fields, ref),
});

const shares = new ShareList(refs, {
  canModerate: root.dataset.canModerate === "true",
  send: (type, fields) => send(type, fields),
  openReport,
});

function send(type, fields) {
  const ref = socket.send(type, fields);
  if (ref === null) showError("You're offline for a moment. We're reconnecting…");
  return ref;
}

function drawAll(state) {
  tellStatus(state);
  renderStatus(refs, state);
  renderSeats(refs, state);
  renderHolder(refs, state);
  renderCountdown(refs, state);
  renderQueue(refs, state);
  renderYourTurn(refs, state);
  shares.sync(state);
  renderPeople(refs, state, send);
  renderControls(refs, state);
  renderNotShared(state);
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
  return state.you !== null && state.you.participant_id === participantId;
}

function holderSentence(state) {
  if (state.room.status === "ended") return "This circle has ended.";
  if (!state.holder) return "Nobody holds the talking piece.";
  if (isMe(state, state.holder.participant_id)) return "You hold the talking piece.";
  return `${nameOf(state, state.holder.participant_id)} holds the talking piece.`;
}

function announceEvent(event, state) {
  switch (event.type) {
    case "turn_started":
      announce(
        isMe(state, event.participant_id)
          ? "It's your turn: you hold the talking piece. Share when you're ready, or pass."
          : `${nameOf(state, event.participant_id)} now holds the talking piece.`,
      );
      break;
    case "turn_ended": {
      const who = isMe(state, event.participant_id) ? "Your" : `${nameOf(state, event.participant_id)}'s`;
      announce(`${who} turn ${END_REASONS[event.reason] || "ended"}.`);
      break;
    }
    case "room":
      if (event.status === "live") announce("The circle is in session.");
      else if (event.status === "paused") announce("The circle is paused.");
      else if (event.status === "ended") announce("This circle has ended. Thank you for being here.");
      break;
    case "shared":
      // The author's composer is cleared by the outbox (sender) once the share is shown.
      if (!isMe(state, event.participant_id)) {
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
  switch (frame.type) {
    case "state":
      model.snapshot(frame);
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
      showResources(frame);
      break;
    case "support_alert":
      showSupportAlert(frame);
      break;
    case "ack": // a command applied: only the outbox (sender, below) needs it
      break;
    case "reported":
      announce("Thank you. The circle's hosts will look at your report.");
      break;
    case "nudge":
      refs.nudgeText.textContent = frame.text;
      refs.nudge.hidden = false;
      break;
    case "nudged":
      announce(`Your nudge went to ${model.state ? nameOf(model.state, frame.participant_id) : "the holder"}, privately.`);
      break;
    default:
      if (typeof frame.seq === "number") model.event(frame);
  }
  sender.frame(frame, model.state);
}

function showConnection(status, detail) {
  sender.connection(status);
  const labels = { connecting: "Connecting…", open: "Connected", reconnecting: "Reconnecting…" };
  refs.connection.dataset.state = status;
  if (status === "closed") {
    refs.connection.textContent = "Not connected";
    model.reset();
    showEnded(farewell || detail);
    return;
  }
  refs.connection.textContent = labels[status] || status;
  if (status === "reconnecting") model.reset();
}

function showEnded(text) {
  refs.status.textContent = text;
  announce(text);
  for (const control of root.querySelectorAll("button, input, textarea, select")) {
    if (control.id !== "need-support" && !control.closest("dialog")) control.disabled = true;
  }
}

function showResources(frame) {
  refs.resourcesIntro.textContent =
    frame.reason === "crisis_share"
      ? "What you shared sounded heavy. The facilitators have been told privately, and here is where to find help right now."
      : refs.resourcesIntro.dataset.supportPromise;
  refs.resourcesText.textContent = frame.text;
  if (!refs.resourcesDialog.open) refs.resourcesDialog.showModal();
}

function showSupportAlert(frame) {
  if (!refs.alerts) return;
  const item = document.createElement("p");
  item.className = "support-alert";
  const text =
    frame.reason === "crisis_share"
      ? `${frame.display_name} shared something that may need a gentle, private check-in.`
      : `${frame.display_name} asked for support${frame.note ? `: “${frame.note}”` : "."}`;
  item.append(document.createTextNode(text + " "));
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "button-small button-quiet";
  dismiss.textContent = "Dismiss";
  dismiss.addEventListener("click", () => item.remove());
  item.append(dismiss);
  refs.alerts.append(item);
}

// --- Controls -----------------------------------------------------------------------------

refs.raiseHand.addEventListener("click", () => send("raise_hand"));
refs.lowerHand.addEventListener("click", () => send("lower_hand"));
refs.endTurn.addEventListener("click", () => send("end_turn"));
refs.pass.addEventListener("click", () => send("pass"));

function updateCount() {
  const left = 4000 - refs.shareText.value.length;
  refs.shareCount.textContent = `${left} characters left.`;
}
refs.shareText.addEventListener("input", updateCount);

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

refs.needSupport.addEventListener("click", () => refs.supportDialog.showModal());
refs.supportForm.addEventListener("submit", (submitting) => {
  submitting.preventDefault();
  const note = refs.supportForm.elements.note.value;
  refs.supportDialog.close();
  if (send("need_support", { note }) !== null) refs.supportForm.reset();
});

let reportingShare = null;
function openReport(shareId) {
  reportingShare = shareId;
  refs.reportForm.reset();
  refs.reportDialog.showModal();
}
refs.reportForm.addEventListener("submit", (submitting) => {
  submitting.preventDefault();
  const fields = refs.reportForm.elements;
  send("report", { share_id: reportingShare, reason: fields.reason.value, note: fields.note.value });
  refs.reportDialog.close();
});

for (const dialog of [refs.supportDialog, refs.reportDialog]) {
  for (const cancel of dialog.querySelectorAll("[data-close]")) {
    cancel.addEventListener("click", () => dialog.close());
  }
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
    if (!Number.isInteger(seconds) || seconds < 30 || seconds > 1800) {
      showError("Seconds per turn must be a whole number from 30 to 1800.");
      return;
    }
    send("set_turn_seconds", { seconds });
  });
}

// The countdown ticks locally between events; the server's deadline is the truth.
window.setInterval(() => {
  const state = model.state;
  if (!state) return;
  const left = renderCountdown(refs, state);
  const mine = state.holder && isMe(state, state.holder.participant_id);
  if (mine && state.room.status === "live" && left === 30 && lastAnnouncedLow !== state.holder.turn_id) {
    lastAnnouncedLow = state.holder.turn_id;
    announce("30 seconds left in your turn.");
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
}

refs.nudgeDismiss.addEventListener("click", () => {
  refs.nudge.hidden = true;
});

// A member confirms the circle's agreements for this meeting before the room lets them
// in (the server closes with 4412 otherwise): connect once wellbeing.js says it's saved.
if (root.dataset.open !== "true") {
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
