// Support requests, for facilitators: one banner per request pinned to the top of the
// viewport, the tab's title ("1 support request · Hearth"), an optional soft sound, and
// every facilitator sees who acknowledged it. A banner stays until acknowledged.
//
// The frame and command names live in PROTOCOL, the one place to adjust them.

import { setTitle } from "./title.js";

export const PROTOCOL = {
  alert: "support_alert", // {alert_id, reason, participant_id, display_name, note, share_id?}
  acknowledged: "support_acknowledged", // {alert_id, by: {participant_id, display_name}}
  acknowledge: "acknowledge_support", // client → server {alert_id}
  snapshotKey: "support_alerts", // in a facilitator's `state`: the open and acknowledged alerts
};
const SOUND_KEY = "hearth.room.alertSound";

function alertId(frame) {
  return frame.alert_id ?? frame.id ?? null;
}

function acknowledgerName(frame) {
  const by = frame.acknowledged_by ?? frame.by ?? null;
  if (by && typeof by === "object") return by.display_name || "A facilitator";
  return by || frame.display_name || "A facilitator";
}

export class SupportAlerts {
  constructor(container, { send, announce, soundToggle, youName }) {
    this.container = container;
    this.send = send;
    this.announce = announce;
    this.youName = youName;
    this.items = new Map(); // alert id (or a local key) → {node, open}
    this.localKey = 0;
    this.soundToggle = soundToggle;
    this.audio = null;
    if (soundToggle) {
      soundToggle.checked = this.soundOn();
      soundToggle.addEventListener("change", () => {
        try {
          localStorage.setItem(SOUND_KEY, soundToggle.checked ? "on" : "off");
        } catch {
          // Not remembered; the toggle still works for this page.
        }
        if (soundToggle.checked) this.chime();
      });
    }
    new ResizeObserver(() => this.reserveSpace()).observe(container);
  }

  soundOn() {
    try {
      return localStorage.getItem(SOUND_KEY) === "on";
    } catch {
      return false;
    }
  }

  // A soft two-note chime, made on the spot (no file to fetch), only when asked for.
  chime() {
    try {
      this.audio = this.audio || new AudioContext();
      const ctx = this.audio;
      const now = ctx.currentTime;
      [523.25, 659.25].forEach((frequency, index) => {
        const tone = ctx.createOscillator();
        const gain = ctx.createGain();
        tone.type = "sine";
        tone.frequency.value = frequency;
        const start = now + index * 0.25;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.12, start + 0.05);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
        tone.connect(gain).connect(ctx.destination);
        tone.start(start);
        tone.stop(start + 0.65);
      });
    } catch {
      // No audio here; the banner and the title still tell.
    }
  }

  // From a facilitator's snapshot: the alerts still open (and those acknowledged).
  fromSnapshot(state) {
    const list = state[PROTOCOL.snapshotKey];
    if (!Array.isArray(list)) return;
    for (const frame of list) this.add(frame, { quiet: true });
  }

  add(frame, { quiet = false } = {}) {
    const id = alertId(frame);
    const key = id === null ? `local-${this.localKey++}` : String(id);
    if (this.items.has(key)) {
      if (frame.acknowledged_by) this.acknowledged({ ...frame, alert_id: id });
      return;
    }
    const node = document.createElement("div");
    node.className = "support-alert";
    node.dataset.alertId = key;
    const text = document.createElement("p");
    text.className = "support-alert-text";
    const name = frame.display_name || "Someone";
    text.textContent =
      frame.reason === "crisis_share"
        ? `${name} shared something that may need a gentle, private check-in.`
        : `${name} asked for support${frame.note ? `: “${frame.note}”` : "."}`;
    const status = document.createElement("p");
    status.className = "support-alert-status";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button-small support-ack";
    if (id === null) {
      button.textContent = "Dismiss";
      button.addEventListener("click", () => this.remove(key));
    } else {
      button.textContent = "I'm on it";
      button.setAttribute("aria-label", `Acknowledge: I'll check in with ${name}`);
      button.addEventListener("click", () => {
        if (this.send(PROTOCOL.acknowledge, { alert_id: id }) !== null) {
          button.disabled = true;
          status.textContent = "Letting the other facilitators know…";
        }
      });
    }
    node.append(text, status, button);
    this.container.append(node);
    this.items.set(key, { node, open: true, name });
    if (frame.acknowledged_by) this.acknowledged({ ...frame, alert_id: id });
    this.update();
    if (!quiet && this.soundOn()) this.chime();
  }

  acknowledged(frame) {
    const key = String(alertId(frame));
    const item = this.items.get(key);
    if (!item) return;
    item.open = false;
    const who = acknowledgerName(frame);
    item.node.classList.add("support-alert-done");
    item.node.querySelector(".support-alert-status").textContent =
      `${who} is checking in with ${item.name}.`;
    const button = item.node.querySelector(".support-ack");
    button.disabled = false;
    button.textContent = "Dismiss";
    button.removeAttribute("aria-label");
    button.replaceWith(button.cloneNode(true));
    item.node.querySelector(".support-ack").addEventListener("click", () => this.remove(key));
    this.announce(`${who} acknowledged ${item.name}'s request for support.`);
    this.update();
  }

  remove(key) {
    const item = this.items.get(key);
    if (!item) return;
    item.node.remove();
    this.items.delete(key);
    this.update();
  }

  openCount() {
    return [...this.items.values()].filter((item) => item.open).length;
  }

  update() {
    const open = this.openCount();
    setTitle("alerts", open ? `${open} support request${open === 1 ? "" : "s"}` : null);
    this.reserveSpace();
  }

  // The banners are fixed to the top of the viewport; the page keeps room for them so
  // they never cover what someone is reading.
  reserveSpace() {
    document.body.style.setProperty("--alerts-height", `${this.container.offsetHeight}px`);
    document.body.classList.toggle("has-support-alerts", this.items.size > 0);
  }
}
