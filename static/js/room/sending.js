// The composer's side of the outbox (./outbox.js): sends a share with its own ref, says
// "Sending…" until the server answers, sends it again after a reconnect or a reload, and
// tells the author, on screen and politely to screen readers, whether it was shared.
// The words stay in the composer until the share is on screen; a refused share keeps
// them there with the reason.
//
// room.js calls: submit() from the composer's submit; frame(frame, state) after handling
// each frame; connection(status) when the socket's status changes; forget() when the
// meeting ends.

import { Outbox } from "./outbox.js";

const DONE_VISIBLE_MS = 6000;

export class ShareSender {
  // send(fields, ref) sends a `share` frame, returning null when offline.
  constructor({ composer, text, warning, meetingId, send, storage = window.sessionStorage }) {
    this.text = text;
    this.warning = warning;
    this.send = send;
    this.online = false;
    this.outbox = new Outbox({ storage, key: String(meetingId) });
    this.hideTimer = null;
    this.status = document.createElement("p");
    this.status.id = "share-outbox";
    this.status.className = "share-outbox";
    this.status.setAttribute("role", "status"); // a polite live region
    this.status.hidden = true;
    composer.append(this.status);
    // Words waiting from before a reload go back in the composer while they are sent.
    const waiting = this.outbox.entries[0];
    if (waiting && !this.text.value) this.restore(waiting.fields);
    this.render();
  }

  submit() {
    const fields = { text: this.text.value, content_warning: this.warning.value };
    if (!this.outbox.waitingWith(fields.text)) this.outbox.add(fields);
    this.flush();
    this.render();
  }

  frame(frame, state) {
    const seq = state ? state.seq : null;
    if (frame.type === "ack") {
      this.outbox.acknowledge(frame.ref, frame.seq);
    } else if (frame.type === "error" && frame.ref) {
      const failed = this.outbox.fail(frame.ref);
      if (failed) {
        if (!this.text.value) this.restore(failed.fields);
        this.say(`Not shared: ${frame.message} Your words are still in the box.`);
        return;
      }
    }
    for (const done of this.outbox.settle(seq)) {
      if (this.text.value === done.fields.text) this.restore({ text: "", content_warning: "" });
      this.say("Shared.", DONE_VISIBLE_MS);
    }
    if (frame.type === "state") this.flush();
    if (frame.type === "ack" || frame.type === "state") this.render();
  }

  connection(status) {
    const online = status === "open";
    if (!online && this.online) this.outbox.disconnected();
    this.online = online;
    if (status === "closed" && this.outbox.size) {
      // The socket will not come back (removed, logged out, the room closed): whatever
      // was not answered was not shared, and the words go back in the box.
      const unanswered = this.outbox.entries.filter((entry) => !entry.acked);
      for (const entry of this.outbox.entries) this.outbox.fail(entry.ref);
      if (unanswered.length && !this.text.value) this.restore(unanswered[0].fields);
      if (unanswered.length) this.say("Not shared: you're no longer connected to the room. Your words are still in the box.");
      return;
    }
    this.render();
  }

  // The meeting ended: its outbox is emptied (sessionStorage too) and nothing more is
  // sent; the words stay in the box to copy (room.js says so in the composer's hint).
  forget() {
    if (this.outbox.size === 0) return;
    this.outbox.clear();
    window.clearTimeout(this.hideTimer);
    this.status.hidden = true;
  }

  flush() {
    for (const entry of this.outbox.unsent()) {
      if (this.send(entry.fields, entry.ref) === null) return;
      this.outbox.markSent(entry.ref);
    }
  }

  restore(fields) {
    this.text.value = fields.text;
    this.warning.value = fields.content_warning || "";
    this.text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  render() {
    const text = this.outbox.describe(this.online);
    if (text) this.say(text);
  }

  say(text, hideAfter = null) {
    window.clearTimeout(this.hideTimer);
    this.status.hidden = false;
    this.status.dataset.state = this.outbox.size ? "sending" : "settled";
    if (this.status.textContent !== text) this.status.textContent = text;
    if (hideAfter !== null) {
      this.hideTimer = window.setTimeout(() => {
        if (this.outbox.size === 0) this.status.hidden = true;
      }, hideAfter);
    }
  }
}
