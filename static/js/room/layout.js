// The room as one screen: the shares scroll in their own region (with a "new shares" pill
// when you have scrolled up), the facilitator's panel (a side column when wide, one tap
// away on a phone) and the one menu of per-person actions on a seat.

const NEAR_BOTTOM_PX = 48;

export class SharesScroller {
  constructor(region, pill) {
    this.region = region;
    this.pill = pill;
    this.count = 0;
    region.addEventListener("scroll", () => {
      if (this.atBottom()) pill.hidden = true;
    });
    pill.addEventListener("click", () => {
      this.toBottom();
      const last = region.querySelector(".share:last-child .share-body");
      if (last) {
        last.setAttribute("tabindex", "-1");
        last.focus({ preventScroll: true });
      }
    });
  }

  atBottom() {
    const r = this.region;
    return r.scrollHeight - r.scrollTop - r.clientHeight <= NEAR_BOTTOM_PX;
  }

  toBottom() {
    this.region.scrollTop = this.region.scrollHeight;
    this.pill.hidden = true;
  }

  // Call before the list changes, then call the returned function after it.
  around(change) {
    const wasAtBottom = this.atBottom();
    const before = this.region.querySelectorAll(".share").length;
    change();
    const after = this.region.querySelectorAll(".share").length;
    if (after > before && !wasAtBottom && before > 0) this.pill.hidden = false;
    else if (after !== before || wasAtBottom) this.toBottom();
  }
}

// On a phone the panel is a sheet over the room; on a wide screen it is always there.
export class FacilitatorPanel {
  constructor(panel, toggle, close) {
    this.panel = panel;
    this.toggle = toggle;
    this.wide = window.matchMedia("(min-width: 55rem)");
    toggle.addEventListener("click", () => (this.isOpen() ? this.close() : this.open()));
    close.addEventListener("click", () => this.close(true));
    panel.addEventListener("keydown", (key) => {
      if (key.key === "Escape" && this.isOpen() && !this.wide.matches) this.close(true);
    });
  }

  isOpen() {
    return this.panel.classList.contains("panel-open");
  }

  open() {
    if (this.wide.matches) {
      this.panel.querySelector("button:not([hidden]), select, input")?.focus();
      return;
    }
    this.panel.classList.add("panel-open");
    this.toggle.setAttribute("aria-expanded", "true");
    this.panel.querySelector("h2").setAttribute("tabindex", "-1");
    this.panel.querySelector("h2").focus();
  }

  close(returnFocus = false) {
    this.panel.classList.remove("panel-open");
    this.toggle.setAttribute("aria-expanded", "false");
    if (returnFocus) this.toggle.focus();
  }
}

// The per-person actions: one small menu, filled for the seat that opened it.
export class PersonMenu {
  constructor(menu, { actionsFor, send }) {
    this.menu = menu;
    this.name = menu.querySelector("#person-menu-name");
    this.items = menu.querySelector("#person-menu-items");
    this.actionsFor = actionsFor;
    this.send = send;
    this.opener = null;
    this.participantId = null;
    menu.addEventListener("keydown", (key) => {
      if (key.key === "Escape") this.close(true);
    });
    document.addEventListener("click", (clicking) => {
      if (this.menu.hidden) return;
      if (this.menu.contains(clicking.target) || clicking.target.closest("[data-seat-menu]")) return;
      this.close(false);
    });
    window.addEventListener("resize", () => this.place());
  }

  toggleFor(button, participantId, state) {
    if (!this.menu.hidden && this.participantId === participantId) {
      this.close(true);
      return;
    }
    this.opener = button;
    this.participantId = participantId;
    this.fill(state);
    this.menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    this.place();
    this.items.querySelector("button")?.focus();
  }

  // Keep the open menu true to the room as it changes (someone muted, the piece moved).
  refresh(state, seats) {
    if (this.menu.hidden) return;
    const opener = seats.querySelector(`[data-seat-menu="${this.participantId}"]`);
    if (!opener || !state.participants.some((p) => p.participant_id === this.participantId)) {
      this.close(false);
      return;
    }
    this.opener = opener;
    opener.setAttribute("aria-expanded", "true");
    const focusKey = document.activeElement?.dataset?.focusKey;
    this.fill(state);
    const again = focusKey && this.items.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
    this.place();
  }

  fill(state) {
    const p = state.participants.find((x) => x.participant_id === this.participantId);
    if (!p) return;
    this.name.textContent = p.display_name;
    this.items.replaceChildren(
      ...this.actionsFor(state, p).map(({ text, command, fields, confirm, danger }) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `button-small ${danger ? "button-danger" : "button-quiet"}`;
        button.textContent = text;
        button.dataset.focusKey = `${command}-${text}`;
        button.setAttribute("aria-label", `${text}: ${p.display_name}`);
        button.addEventListener("click", () => {
          if (confirm && !window.confirm(confirm)) return;
          this.send(command, fields);
          this.close(true);
        });
        return button;
      }),
    );
  }

  place() {
    if (this.menu.hidden || !this.opener) return;
    const seat = this.opener.getBoundingClientRect();
    const width = this.menu.offsetWidth;
    const height = this.menu.offsetHeight;
    const left = Math.max(8, Math.min(seat.left, window.innerWidth - width - 8));
    let top = seat.bottom + 4;
    if (top + height > window.innerHeight - 8) top = Math.max(8, seat.top - height - 4);
    this.menu.style.setProperty("--menu-left", `${left}px`);
    this.menu.style.setProperty("--menu-top", `${top}px`);
  }

  close(returnFocus) {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.opener?.setAttribute("aria-expanded", "false");
    if (returnFocus) this.opener?.focus();
    this.participantId = null;
  }
}
