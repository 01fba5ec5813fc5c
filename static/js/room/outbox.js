// The author's outbox: a share stays here, with the ref it was first sent with, until the
// server answers it. Pure logic (no DOM, no socket), so it can be tested on its own.
//
// The server applies a command with the same participant and ref at most once and
// answers a re-send as it answered the first (docs/protocol.md, "Exactly once"): an
// `ack` {ref, seq, repeat} or the same `error` {ref}. So the page can send an entry again
// after every reconnect (and after a reload: entries are kept in sessionStorage) without
// ever sharing it twice. An acknowledged entry is done once the page's state has reached
// the ack's seq (the share is then on screen, from its `shared` event or a snapshot).
//
// Entry: {ref, fields, sent, acked, seq}. `sent`: sent on the current connection.

const STORAGE_PREFIX = "hearth.room.outbox.";

// A ref no other command of this person will ever use (refs are per participant and
// meeting on the server, and must survive reloads, so a counter would not do).
export function newRef() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Outbox {
  // storage: a Storage (window.sessionStorage) or null; key: one per meeting.
  constructor({ storage = null, key = "", makeRef = newRef } = {}) {
    this.storage = storage;
    this.key = STORAGE_PREFIX + key;
    this.makeRef = makeRef;
    this.entries = [];
    this.restore();
  }

  // Put a share in the outbox; returns its entry (send entry.fields with entry.ref).
  add(fields) {
    const entry = { ref: this.makeRef(), fields: { ...fields }, sent: false, acked: false, seq: null };
    this.entries.push(entry);
    this.save();
    return entry;
  }

  find(ref) {
    return this.entries.find((entry) => entry.ref === ref) || null;
  }

  // The entry still waiting with exactly this text, if any (a second click on Share).
  waitingWith(text) {
    return this.entries.find((entry) => entry.fields.text === text) || null;
  }

  // Entries to send on this connection: never answered, and not sent on it yet.
  unsent() {
    return this.entries.filter((entry) => !entry.acked && !entry.sent);
  }

  markSent(ref) {
    const entry = this.find(ref);
    if (entry) entry.sent = true;
  }

  // The connection dropped: whatever was not answered must be sent again on the next.
  disconnected() {
    for (const entry of this.entries) entry.sent = false;
  }

  // The server applied the command. Returns the entry (null for a ref not ours).
  acknowledge(ref, seq) {
    const entry = this.find(ref);
    if (!entry) return null;
    entry.acked = true;
    entry.seq = typeof seq === "number" ? seq : null;
    this.save();
    return entry;
  }

  // The server refused it: it leaves the outbox. Returns the entry (null if not ours).
  fail(ref) {
    const entry = this.find(ref);
    if (!entry) return null;
    this.entries = this.entries.filter((other) => other !== entry);
    this.save();
    return entry;
  }

  // The page's state is at `seq`: returns the acknowledged entries it now shows, which
  // leave the outbox.
  settle(seq) {
    const done = this.entries.filter(
      (entry) => entry.acked && (entry.seq === null || (typeof seq === "number" && seq >= entry.seq)),
    );
    if (done.length) {
      this.entries = this.entries.filter((entry) => !done.includes(entry));
      this.save();
    }
    return done;
  }

  // The meeting is over: nothing is kept, nothing will be sent.
  clear() {
    this.entries = [];
    this.save();
  }

  get size() {
    return this.entries.length;
  }

  // What the author should read about their words right now.
  describe(online) {
    if (this.entries.length === 0) return "";
    const waiting = this.entries.filter((entry) => !entry.acked).length;
    if (waiting === 0 || online) return "Sending your share…";
    return "Your share will be sent when the connection is back. Your words are kept here.";
  }

  save() {
    if (!this.storage) return;
    try {
      if (this.entries.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.entries.map(({ sent, ...kept }) => kept)));
    } catch {
      // Storage full or refused: the outbox still works for this page's lifetime.
    }
  }

  restore() {
    if (!this.storage) return;
    try {
      const kept = JSON.parse(this.storage.getItem(this.key) || "[]");
      if (!Array.isArray(kept)) return;
      this.entries = kept
        .filter((entry) => entry && typeof entry.ref === "string" && entry.fields)
        .map((entry) => ({ ...entry, sent: false }));
    } catch {
      this.entries = [];
    }
  }
}
