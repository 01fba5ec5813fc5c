"""The author's outbox, in Chromium against the real server: a share sent while the socket
drops is shared exactly once, and its author sees "Sending…" and then "Shared."."""

import json

import pytest
from playwright.sync_api import expect

from circles.models import Membership
from hearth import on_commit
from meetings.models import Meeting
from meetings.room import store, system
from meetings.room.commands import SYSTEM, Actor, Mute, RaiseHand, Start
from meetings.room.models import CommandRecord, Share
from tests.e2e.helpers import log_in, open_meeting
from tests.meetings.room.conftest import agree

SLOW = 20_000  # ms: a reconnect waits 0.5-1 s, then 1-2 s, 2-4 s…

# Installed before the page's own scripts: a test switch that keeps the socket from
# connecting (as if the network were gone), and one that drops the connection right
# after (or instead of) the next `share` frame, before the server can answer it.
NETWORK_SWITCHES = """
(() => {
  const Real = window.WebSocket;
  window.__offline = false;
  window.__dropAfterShare = null;  // "after": send it, then drop; "instead": drop it
  class Switched extends Real {
    constructor(url, protocols) {
      super(window.__offline ? "ws://127.0.0.1:9/" : url, protocols);
      window.__socket = this;
    }
    send(data) {
      const share = typeof data === "string" && JSON.parse(data).type === "share";
      const drop = share ? window.__dropAfterShare : null;
      if (drop !== "instead") super.send(data);
      if (drop) {
        window.__dropAfterShare = null;
        window.__droppedRef = JSON.parse(data).ref;
        this.close();
      }
    }
  }
  window.WebSocket = Switched;
})();
"""


@pytest.fixture
def milo_holds(transactional_db):
    """Fern facilitates; Milo holds the talking piece (given before anyone's page opens)."""
    meeting, people = open_meeting(
        "Outbox circle",
        "Tuesday evening",
        [("fern", "Fern", Membership.Role.FACILITATOR), ("milo", "Milo", Membership.Role.MEMBER)],
        Meeting.RoomMode.QUEUE,
    )
    agree(people["milo"], meeting)  # the room is live: no lobby to confirm them in
    with on_commit.collecting_sends():  # nobody is connected to hear them
        store.join(meeting.pk, people["fern"], "facilitator")
        store.join(meeting.pk, people["milo"], "member")
        store.execute(meeting.pk, Actor(2), RaiseHand())
        store.execute(meeting.pk, Actor(1), Start())
        store.leave(meeting.pk, 1)
        store.leave(meeting.pk, 2)
    return meeting


def enter_room(new_page, meeting, email, **size):
    """Log in and open the live room (everyone here is let in without the lobby)."""
    page = new_page(**size)
    log_in(page, email)
    page.goto(f"/meetings/{meeting.pk}/room/")
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


def switched_page(new_page):
    def open_page(**size):
        page = new_page(**size)
        page.add_init_script(NETWORK_SWITCHES)
        return page

    return open_page


def share(page, text):
    composer = page.get_by_label("What you'd like to share")
    expect(composer).to_be_enabled()
    composer.fill(text)
    page.get_by_role("button", name="Share", exact=True).click()


@pytest.mark.parametrize("drop", ["after", "instead"])
def test_a_share_sent_as_the_socket_drops_is_shared_exactly_once_and_the_author_sees_it(
    milo_holds, new_page, drop
):
    meeting = milo_holds
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(switched_page(new_page), meeting, "milo@example.org", width=360, height=740)
    words = f"Said once, whatever the network does ({drop})."

    milo.evaluate(f"window.__dropAfterShare = {json.dumps(drop)}")
    share(milo, words)

    expect(milo.locator("#connection")).to_have_text("Connected", timeout=SLOW)
    status = milo.locator("#share-outbox")
    expect(status).to_have_text("Shared.", timeout=SLOW)
    expect(status).to_have_attribute("role", "status")
    expect(milo.get_by_label("What you'd like to share")).to_have_value("")
    for page in (milo, fern):
        expect(page.locator("#shares .share .share-text")).to_have_text([words])
    assert Share.objects.filter(meeting=meeting).count() == 1
    ref = milo.evaluate("window.__droppedRef")
    # The re-send used the first ref: one record of it, applied (no refusal).
    assert list(CommandRecord.objects.filter(ref=ref).values_list("code", flat=True)) == [""]


def test_a_share_written_offline_waits_visibly_and_survives_a_reload(milo_holds, new_page):
    meeting = milo_holds
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(switched_page(new_page), meeting, "milo@example.org")
    words = "Written while the network was gone."

    milo.evaluate("window.__offline = true; window.__dropAfterShare = 'instead'")
    share(milo, words)
    status = milo.locator("#share-outbox")
    expect(status).to_contain_text("will be sent when the connection is back")
    expect(status).to_be_visible()
    milo.screenshot(path="/tmp/outbox-offline-1280.png")
    expect(milo.get_by_label("What you'd like to share")).to_have_value(words)
    assert not Share.objects.filter(meeting=meeting).exists()

    milo.reload()  # the network comes back with the reload; the words were kept
    expect(milo.locator("#share-outbox")).to_have_text("Shared.", timeout=SLOW)
    for page in (milo, fern):
        expect(page.locator("#shares .share .share-text")).to_have_text([words])
    assert Share.objects.filter(meeting=meeting).count() == 1


def test_a_share_refused_after_the_reconnect_gives_the_words_back_with_the_reason(
    milo_holds, new_page
):
    meeting = milo_holds
    milo = enter_room(switched_page(new_page), meeting, "milo@example.org")
    words = "Sent as my turn ran out."

    milo.evaluate("window.__offline = true; window.__dropAfterShare = 'instead'")
    share(milo, words)
    expect(milo.locator("#share-outbox")).to_contain_text("will be sent")
    with on_commit.collecting_sends():  # Milo is offline: his next state will tell him
        store.execute(meeting.pk, SYSTEM, Mute(2))  # meanwhile, he is muted
    milo.evaluate("window.__offline = false")

    status = milo.locator("#share-outbox")
    expect(status).to_contain_text("Not shared:", timeout=SLOW)
    expect(status).to_contain_text("Your words are still in the box.")
    expect(milo.get_by_label("What you'd like to share")).to_have_value(words)
    assert not Share.objects.filter(meeting=meeting).exists()


def test_a_share_that_can_never_be_sent_says_so_and_keeps_the_words(milo_holds, new_page):
    meeting = milo_holds
    milo = enter_room(switched_page(new_page), meeting, "milo@example.org")
    words = "Sent just before I was asked to leave."

    milo.evaluate("window.__offline = true; window.__dropAfterShare = 'instead'")
    share(milo, words)
    expect(milo.locator("#share-outbox")).to_contain_text("will be sent")
    with on_commit.collecting_sends():  # Milo is offline: the server refuses him next time
        system.remove_user(meeting.pk, milo_user_id(meeting))
    milo.evaluate("window.__offline = false")

    status = milo.locator("#share-outbox")
    expect(status).to_contain_text("Not shared: you're no longer connected", timeout=SLOW)
    expect(milo.get_by_label("What you'd like to share")).to_have_value(words)
    assert not Share.objects.filter(meeting=meeting).exists()


def test_words_typed_while_a_share_waits_stay_in_the_box_when_it_is_shared(milo_holds, new_page):
    meeting = milo_holds
    fern = enter_room(new_page, meeting, "fern@example.org")
    milo = enter_room(switched_page(new_page), meeting, "milo@example.org")
    words = "The first thing I wanted to say."

    milo.evaluate("window.__offline = true; window.__dropAfterShare = 'instead'")
    share(milo, words)
    expect(milo.locator("#share-outbox")).to_contain_text("will be sent")
    composer = milo.get_by_label("What you'd like to share")
    composer.fill("And then something else, still being written")
    milo.evaluate("window.__offline = false")

    expect(fern.locator("#shares .share .share-text")).to_have_text([words], timeout=SLOW)
    expect(milo.locator("#shares .share .share-text")).to_have_text([words])
    expect(composer).to_have_value("And then something else, still being written")
    milo.reload()
    expect(milo.locator("#connection")).to_have_text("Connected")
    expect(composer).to_have_value("And then something else, still being written")
    assert Share.objects.filter(meeting=meeting).count() == 1


def test_a_holder_who_asked_for_support_offline_gets_their_clock_back_on_closing_it(
    milo_holds, new_page
):
    meeting = milo_holds
    milo = enter_room(switched_page(new_page), meeting, "milo@example.org")
    milo.evaluate("window.__offline = true; window.__socket.close()")
    expect(milo.locator("#connection")).not_to_have_text("Connected")

    milo.get_by_role("button", name="I need support").click()
    dialog = milo.get_by_role("dialog", name="Ask for support")
    dialog.get_by_role("button", name="Tell the facilitators").click()
    expect(dialog.locator("#support-result")).to_contain_text("told", timeout=SLOW)
    assert store.load_state(meeting.pk).holder.held, "asking over HTTP holds the clock"
    dialog.locator("[data-close]").first.click()
    expect(dialog).to_be_hidden()

    milo.evaluate("window.__offline = false")
    expect(milo.locator("#connection")).to_have_text("Connected", timeout=SLOW)
    expect(milo.locator("#countdown")).not_to_be_empty()
    for _ in range(50):
        if not store.load_state(meeting.pk).holder.held:
            break
        milo.wait_for_timeout(100)
    assert not store.load_state(meeting.pk).holder.held, "closing the dialog let the clock run"


def milo_user_id(meeting):
    return store.load_state(meeting.pk).participant(2).user_id


def test_the_outbox_logic(transactional_db, new_page):
    """outbox.js on its own (pure logic), run in the browser that runs the page."""
    page = new_page()
    page.goto("/healthz")
    result = page.evaluate(
        """async () => {
      const { Outbox } = await import("/static/js/room/outbox.js");
      const memory = new Map();
      const storage = {
        getItem: (k) => (memory.has(k) ? memory.get(k) : null),
        setItem: (k, v) => memory.set(k, v),
        removeItem: (k) => memory.delete(k),
      };
      let n = 0;
      const box = new Outbox({ storage, key: "7", makeRef: () => `r${++n}` });
      const a = box.add({ text: "A", content_warning: "" });
      const b = box.add({ text: "B", content_warning: "" });
      const out = {};
      out.unsent = box.unsent().map((e) => e.ref);
      box.markSent("r1"); box.markSent("r2");
      out.afterSend = box.unsent().length;
      box.disconnected();
      out.afterDrop = box.unsent().map((e) => e.ref);
      out.ackUnknown = box.acknowledge("nope", 3);
      box.acknowledge("r1", 10);
      out.resendAfterAck = box.unsent().map((e) => e.ref);
      out.settleEarly = box.settle(9).length;
      out.settled = box.settle(10).map((e) => e.ref);
      out.failed = box.fail("r2").fields.text;
      out.empty = box.size;
      out.stored = memory.has("hearth.room.outbox.7");
      box.add({ text: "C", content_warning: "cw" });
      const again = new Outbox({ storage, key: "7" });
      out.restored = again.entries.map((e) => [e.ref, e.fields.text, e.sent]);
      again.acknowledge("r3", null);
      out.noSeq = again.settle(null).map((e) => e.ref);
      out.real = new Outbox().makeRef() !== new Outbox().makeRef();
      return out;
    }"""
    )
    assert result == {
        "unsent": ["r1", "r2"],
        "afterSend": 0,
        "afterDrop": ["r1", "r2"],
        "ackUnknown": None,
        "resendAfterAck": ["r2"],
        "settleEarly": 0,
        "settled": ["r1"],
        "failed": "B",
        "empty": 0,
        "stored": False,
        "restored": [["r3", "C", False]],
        "noSeq": ["r3"],
        "real": True,
    }
