// Check-in, check-out and agreement forms: send them without leaving the page.
// Without JavaScript they are ordinary forms that post and come back with a message.
// On success the document receives "wellbeing:saved" (detail: {kind, form}), so the room
// page can, for example, let the member in after "wellbeing:saved" with kind "agreement".
// The room page tells this module how the room is with a "room:status" event on document
// (detail: {status: "open" | "live" | "paused" | "ended"}): when it ends, "how are you
// leaving?" appears and "how are you arriving?" goes away.

const FAILED = "That didn't go through. Please check your connection and try again.";

function statusOf(form) {
  return form.querySelector("[data-wellbeing-status]");
}

function say(form, text, isError) {
  const status = statusOf(form);
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("wellbeing-status-error", Boolean(isError));
}

async function submit(event) {
  const form = event.target.closest("form[data-wellbeing-form]");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    let answer = {};
    try {
      answer = await response.json();
    } catch {
      answer = { ok: false, error: FAILED };
    }
    if (answer.ok) {
      say(form, answer.message || "Saved.", false);
      const kind = form.hasAttribute("data-wellbeing-agree") ? "agreement" : "check-in";
      if (kind === "agreement") {
        form.hidden = true;
        const note = document.createElement("p");
        note.className = "muted";
        note.setAttribute("role", "status");
        note.textContent = answer.message || "Thank you.";
        form.after(note);
      } else if (button) {
        button.textContent = "Change my answer";
      }
      document.dispatchEvent(new CustomEvent("wellbeing:saved", { detail: { kind, form } }));
    } else {
      say(form, answer.error || FAILED, true);
    }
  } catch {
    say(form, FAILED, true);
  } finally {
    if (button) button.disabled = false;
  }
}

function onRoomStatus(event) {
  if (event.detail?.status !== "ended") return;
  const checkOut = document.querySelector('[data-wellbeing="check-out"]');
  if (checkOut && checkOut.hidden) {
    checkOut.hidden = false;
    const first = checkOut.querySelector("input");
    if (first) first.focus({ preventScroll: false });
  }
  const checkIn = document.querySelector('[data-wellbeing="check-in"]');
  if (checkIn) checkIn.hidden = true;
}

if (!document.documentElement.dataset.wellbeingReady) {
  document.documentElement.dataset.wellbeingReady = "1";
  document.addEventListener("submit", submit);
  document.addEventListener("room:status", onRoomStatus);
}
