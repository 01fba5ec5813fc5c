// What the person is typing, kept in this tab's sessionStorage per meeting until it is
// shared: a timer, a reload or a dropped connection never takes it. It is never sent to
// the server until the person presses Share.

export class Draft {
  constructor(meetingId, { text, warning }) {
    this.key = `hearth.room.${meetingId}.draft`;
    this.text = text;
    this.warning = warning;
    for (const field of [text, warning]) field.addEventListener("input", () => this.save());
  }

  // Put a kept draft back (the fields may be disabled: the words still show).
  restore() {
    const kept = this.read();
    if (!kept) return false;
    if (!this.text.value) this.text.value = kept.text || "";
    if (!this.warning.value) this.warning.value = kept.content_warning || "";
    return Boolean(kept.text);
  }

  hasWords() {
    return this.text.value.trim().length > 0;
  }

  save() {
    try {
      if (!this.text.value && !this.warning.value) sessionStorage.removeItem(this.key);
      else {
        sessionStorage.setItem(
          this.key,
          JSON.stringify({ text: this.text.value, content_warning: this.warning.value }),
        );
      }
    } catch {
      // Storage full or refused (private mode): the words stay in the box.
    }
  }

  read() {
    try {
      return JSON.parse(sessionStorage.getItem(this.key) || "null");
    } catch {
      return null;
    }
  }

  // Shared, or the meeting ended: nothing more to keep.
  clear() {
    this.text.value = "";
    this.warning.value = "";
    try {
      sessionStorage.removeItem(this.key);
    } catch {
      // Nothing kept.
    }
  }
}
