// The room's WebSocket: reconnects by itself with backoff; the server answers every new
// connection with a full `state`, so a reconnect is also a resync. A connection counts as
// open once that `state` has arrived: one that brings none within a few seconds (its
// server lost Redis on the way, say) is closed and tried again.

import { newRef } from "./outbox.js";

const FINAL_CLOSES = {
  4401: "Please log in again to rejoin the circle.",
  4403: "You can't join this circle's room.",
  4404: "This meeting doesn't exist any more.",
  4409: "The room is closed right now.",
  4412: "Please confirm the circle's agreements for this meeting first, then reload the page.",
  4413: "Something sent to the room was too big, so the connection closed. Please reload the page.",
};
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
const STATE_WAIT_MS = 5000;
const NO_STATE_CLOSE = 4000;

export class RoomSocket {
  constructor(path, { onFrame, onStatus }) {
    this.path = path;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.stateTimer = null;
    this.stopped = false;
    window.addEventListener("online", () => this.retryNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.retryNow();
    });
  }

  url() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + this.path;
  }

  connect() {
    if (this.stopped) return;
    this.onStatus("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.stateTimer = setTimeout(() => {
        if (this.ws === ws) ws.close(NO_STATE_CLOSE, "no state");
      }, STATE_WAIT_MS);
    });
    ws.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "state" && this.ws === ws && this.stateTimer !== null) {
        clearTimeout(this.stateTimer);
        this.stateTimer = null;
        this.attempt = 0;
        this.onStatus("open");
      }
      this.onFrame(frame);
    });
    ws.addEventListener("close", (closing) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.stateTimer);
      this.stateTimer = null;
      if (closing.code in FINAL_CLOSES) {
        this.stopped = true;
        this.onStatus("closed", FINAL_CLOSES[closing.code], closing.code);
        return;
      }
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.attempt += 1;
    this.onStatus("reconnecting", delay);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  retryNow() {
    if (this.stopped || this.ws !== null || this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  // Send a frame; returns its ref (echoed in any error it causes, and in the `ack` of a
  // command applied), or null when offline. Refs are random: the server applies a
  // command with a ref it has seen from this person before at most once, so a ref must
  // never be reused (a counter would start again at every reload). A caller re-sending a
  // command passes the ref it first used.
  send(type, fields = {}, ref = newRef()) {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN) return null;
    this.ws.send(JSON.stringify({ type, ref, ...fields }));
    return ref;
  }

  stop() {
    this.stopped = true;
    if (this.ws !== null) this.ws.close();
  }
}
