// "I need support" works whenever the page is open: over the socket when it is connected,
// otherwise (or when the socket gives no answer) over HTTP. The crisis resources are in
// the dialog from the start, so the person sees them whatever happens to the request.

const SOCKET_ANSWER_MS = 5000;
// What the page says once the facilitators know: the server's words (whether a follow-up
// may come depends on the member's settings), or this if the page has none.
const SENT = "The facilitators have been told.";
const FAILED =
  "We couldn't reach the facilitators just now. The help above is there whatever happens. " +
  "You can try again.";

export class SupportFlow {
  // socketSend(type, fields) returns a ref, or null when the socket isn't connected.
  constructor({ dialog, form, path, socketSend, holdsPiece, onPass, onOpen, onClose }) {
    this.dialog = dialog;
    this.form = form;
    this.path = path;
    this.socketSend = socketSend;
    this.holdsPiece = holdsPiece;
    this.onPass = onPass;
    this.onOpen = onOpen;
    this.onClose = onClose;
    this.result = form.querySelector("#support-result");
    this.submit = form.querySelector("#support-send");
    this.piece = form.querySelector("#support-piece");
    this.waiting = null;
    form.addEventListener("submit", (submitting) => {
      submitting.preventDefault();
      this.request();
    });
    for (const cancel of dialog.querySelectorAll("[data-close]")) {
      cancel.addEventListener("click", () => dialog.close());
    }
    dialog.addEventListener("close", () => this.onClose?.());
  }

  open() {
    this.say("", false);
    this.submit.textContent = "Tell the facilitators";
    this.submit.disabled = false;
    this.submit.hidden = false;
    this.piece.hidden = !this.holdsPiece();
    if (!this.dialog.open) this.dialog.showModal();
    this.onOpen?.();
  }

  say(text, failed) {
    this.result.textContent = text;
    this.result.classList.toggle("support-result-failed", Boolean(failed));
  }

  // The socket's answer to need_support (the `resources` frame) arrived.
  answered() {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(true);
    }
  }

  viaSocket(note) {
    if (this.socketSend("need_support", { note }) === null) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting = resolve;
      window.setTimeout(() => {
        if (this.waiting === resolve) {
          this.waiting = null;
          resolve(false);
        }
      }, SOCKET_ANSWER_MS);
    });
  }

  // POST /meetings/<id>/room/support/ (docs/protocol.md): form-encoded, CSRF in a header.
  // Resolves to {sent, message}: a 429 means a facilitator already has the request.
  async viaHttp(note) {
    const token = this.form.elements.csrfmiddlewaretoken?.value || "";
    try {
      const response = await fetch(this.path, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token },
        body: new URLSearchParams({ note }),
      });
      if (response.ok) return { sent: true };
      let message = null;
      try {
        message = (await response.json())?.error?.message || null;
      } catch {
        message = null;
      }
      return { sent: response.status === 429, message };
    } catch {
      return { sent: false, message: null };
    }
  }

  async request() {
    const note = this.form.elements.note.value;
    const passing = !this.piece.hidden && this.form.elements.piece.value === "pass";
    this.submit.disabled = true;
    this.say("Sending…", false);
    const answer = (await this.viaSocket(note)) ? { sent: true } : await this.viaHttp(note);
    if (answer.sent) {
      this.say(answer.message || this.result.dataset.supportPromise || SENT, false);
      this.form.elements.note.value = "";
      this.submit.hidden = true;
      if (passing) this.onPass();
    } else {
      this.say(answer.message ? `${answer.message} ${FAILED}` : FAILED, true);
      this.submit.textContent = "Try again";
      this.submit.disabled = false;
    }
  }
}
