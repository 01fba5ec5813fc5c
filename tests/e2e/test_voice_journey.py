"""Voice in the talking circle (issue 13), in Chromium with a fake microphone: only the
holder's sound reaches the listeners, it moves with the piece, a page that tries to send
out of turn delivers nothing, and sound goes through a real coturn when one is set.

Bytes are read from each page's WebRTC statistics (``tests/e2e/voice_media.py``), matched
by SSRC to the page that sent them. Waits poll; how fast sound follows the piece is
measured by ``bench/voice.py``, not asserted here."""

import time

import pytest
from playwright.sync_api import expect

from circles.models import Membership
from moderation.models import Report
from tests.e2e.helpers import enter_room, open_meeting, person_action, use_control
from tests.e2e.voice_media import (
    bytes_received_from,
    bytes_sent,
    coturn,
    microphone_requests,
    peer_stats,
    wait_until,
)
from tests.servers import daphne, database_url_for_tests

RULE = "Only the person holding the talking piece can be heard. Nothing is recorded."
WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def voice_meeting(names):
    """A circle with voice on: Fern facilitates, ``names`` are members going; round mode,
    so Start gives Fern the piece and Pass hands it on in seat order."""
    people = [("fern", "Fern", Membership.Role.FACILITATOR)] + [
        (name.lower(), name, Membership.Role.MEMBER) for name in names
    ]
    meeting, _users = open_meeting("Evening voice circle", "Tuesday evening", people, "round")
    meeting.circle.voice_enabled = True
    meeting.circle.save(update_fields=["voice_enabled"])
    return meeting


@pytest.fixture
def four(transactional_db):
    return voice_meeting(["Milo", "Olive", "Ren"])


def turn_on_sound(page):
    page.get_by_role("button", name="Turn on sound").click()
    expect(page.get_by_role("button", name="Turn off sound")).to_be_visible()


def rising(listener, speaker):
    """``listener`` keeps receiving ``speaker``'s sound (more bytes half a second later)."""
    before = bytes_received_from(listener, speaker)
    time.sleep(0.5)
    return bytes_received_from(listener, speaker) > before > 0


def still(listener, speaker):
    """Nothing more of ``speaker``'s sound reaches ``listener`` (the same count, twice)."""
    before = bytes_received_from(listener, speaker)
    time.sleep(0.5)
    return bytes_received_from(listener, speaker) == before


def hears_only(listener, speaker, others):
    return rising(listener, speaker) and all(
        bytes_received_from(listener, other) == 0 for other in others
    )


def test_only_the_holders_voice_reaches_the_listeners_and_it_moves_with_the_piece(
    four, new_voice_page
):
    meeting = four
    fern, milo, olive, ren = (
        enter_room(new_voice_page, meeting, f"{name}@example.org")
        for name in ("fern", "milo", "olive", "ren")
    )
    everyone = {"Fern": fern, "Milo": milo, "Olive": olive, "Ren": ren}
    for page in everyone.values():
        expect(page.locator("#voice")).to_contain_text(RULE)
        turn_on_sound(page)
    fern.get_by_role("button", name="Start", exact=True).click()
    expect(fern.locator("#holder-line")).to_have_text("You hold the talking piece.")

    # Receiving the piece opens no microphone: Fern is asked to press Speak.
    expect(fern.locator("#voice-status")).to_contain_text("Your microphone stays off")
    wait_until(lambda: all(len(peer_stats(page)) == 1 for page in (milo, olive, ren)))
    assert microphone_requests(fern) == 0
    assert bytes_sent(fern) == 0
    fern.get_by_role("button", name="Speak", exact=True).click()
    expect(fern.get_by_role("button", name="Mute myself")).to_be_focused()
    expect(fern.locator("#voice-status")).to_have_text(
        "Your microphone is on: the circle can hear you."
    )
    listeners = [milo, olive, ren]
    for listener in listeners:
        others = [page for page in listeners if page is not listener]
        wait_until(lambda listener=listener, others=others: hears_only(listener, fern, others))
        # One connection each, to the holder; listeners send nothing.
        assert len(peer_stats(listener)) == 1
        assert bytes_sent(listener) == 0
    expect(milo.locator("#voice-status")).to_have_text(
        "Sound is on: you'll hear Fern when they speak."
    )
    assert len(peer_stats(fern)) == 3

    # The piece moves: Fern's sending stops and her connections close; Milo, once he
    # presses Speak, is heard by everyone else, Fern included.
    fern.get_by_role("button", name="Pass", exact=True).click()
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    wait_until(lambda: peer_stats(fern) == [] or all(e["outbound"] == {} for e in peer_stats(fern)))
    for listener in (olive, ren):
        wait_until(lambda listener=listener: still(listener, fern))
        assert bytes_received_from(listener, fern) == 0, "the old holder's link is closed"
    expect(fern.get_by_role("button", name="Speak")).to_be_hidden()
    expect(fern.get_by_role("button", name="Mute myself")).to_be_hidden()
    assert microphone_requests(milo) == 0
    milo.get_by_role("button", name="Speak", exact=True).click()
    for listener in (fern, olive, ren):
        wait_until(lambda listener=listener: rising(listener, milo))
    for listener in (olive, ren):
        assert bytes_received_from(listener, fern) == 0

    # Milo mutes himself without passing: his sound stops, the piece stays with him.
    milo.get_by_role("button", name="Mute myself").click()
    expect(milo.get_by_role("button", name="Speak", exact=True)).to_be_focused()
    for listener in (fern, olive, ren):
        wait_until(lambda listener=listener: still(listener, milo))
    expect(milo.locator("#holder-line")).to_have_text("You hold the talking piece.")
    milo.get_by_role("button", name="Speak", exact=True).click()
    wait_until(lambda: rising(olive, milo))

    # A facilitator's mute ends his sending at once; nobody else is heard instead.
    person_action(fern, "Milo", "Mute")
    expect(milo.locator("#mute-notice")).to_be_visible()
    expect(milo.get_by_role("button", name="Mute myself")).to_be_hidden()
    expect(milo.get_by_role("button", name="Speak")).to_be_hidden()
    wait_until(lambda: peer_stats(milo) == [] or bytes_sent(milo) == 0 or still(olive, milo))
    for listener in (fern, olive, ren):
        wait_until(lambda listener=listener: bytes_received_from(listener, milo) == 0)
    # Nobody but holders ever asked for a microphone.
    assert [microphone_requests(page) for page in (olive, ren)] == [0, 0]


# A page changed to send without the piece: its own socket to the room, its own offer
# with sendonly audio (a fake microphone's track), to a listener and to the holder.
FORCE_SENDING = """
async ({path, targets}) => {
  const socket = new WebSocket(`ws://${location.host}${path}`);
  const errors = [];
  await new Promise((ready) => {
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "state") ready();
      if (frame.type === "error") errors.push(frame.code);
    });
  });
  const stream = await navigator.mediaDevices.getUserMedia({audio: true});
  for (const to of targets) {
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getAudioTracks()[0], {direction: "sendonly"});
    await pc.setLocalDescription(await pc.createOffer());
    const sdp = pc.localDescription.sdp;
    socket.send(JSON.stringify({type: "voice_offer", to, sdp, ref: `rogue-${to}`}));
  }
  await new Promise((later) => setTimeout(later, 2000));
  return errors;
}
"""


def participant_id(page, name):
    return page.evaluate(
        """(name) => {
          const seat = [...document.querySelectorAll('#seats .seat')]
            .find((s) => s.querySelector('.seat-name')?.textContent === name);
          return seat ? Number(seat.dataset.participantId) : null;
        }""",
        name,
    )


def test_a_page_that_forces_sending_without_the_piece_delivers_nothing(four, new_voice_page):
    meeting = four
    fern, milo, olive, ren = (
        enter_room(new_voice_page, meeting, f"{name}@example.org")
        for name in ("fern", "milo", "olive", "ren")
    )
    for page in (milo, olive, ren):
        turn_on_sound(page)
    fern.get_by_role("button", name="Start", exact=True).click()
    fern.get_by_role("button", name="Speak", exact=True).click()
    wait_until(lambda: rising(milo, fern) and rising(ren, fern))

    targets = [participant_id(olive, "Milo"), participant_id(olive, "Fern")]
    assert None not in targets
    errors = olive.evaluate(
        FORCE_SENDING, {"path": f"/ws/meetings/{meeting.pk}/room/", "targets": targets}
    )
    assert errors == ["forbidden", "forbidden"]
    time.sleep(1)
    for page in (fern, milo, ren):
        assert bytes_received_from(page, olive) == 0
    # The honest pages still hear the holder, and only the holder.
    assert rising(milo, fern) and rising(ren, fern)
    ferns = {ssrc for entry in peer_stats(fern) for ssrc in entry["outbound"]}
    for page in (milo, ren):
        assert {ssrc for entry in peer_stats(page) for ssrc in entry["inbound"]} <= ferns


def test_a_listener_reports_the_spoken_turn_under_way_without_any_audio(four, new_voice_page):
    meeting = four
    fern, milo = (enter_room(new_voice_page, meeting, f"{n}@example.org") for n in ("fern", "milo"))
    turn_on_sound(milo)
    expect(milo.get_by_role("button", name="Report this spoken turn")).to_be_hidden()
    fern.get_by_role("button", name="Start", exact=True).click()
    fern.get_by_role("button", name="Speak", exact=True).click()
    expect(fern.get_by_role("button", name="Report this spoken turn")).to_be_hidden()
    milo.get_by_role("button", name="Report this spoken turn").click()
    dialog = milo.get_by_role("dialog", name="Report this spoken turn")
    dialog.get_by_label("Why are you reporting it?").select_option("agreements")
    dialog.get_by_role("button", name="Send report").click()
    expect(milo.locator("#private-notice")).to_contain_text("Your report about this turn was sent")
    report = Report.objects.get()
    assert report.snapshot["author_display_name"] == "Fern"
    assert "audio" in report.snapshot["text"].lower()


@pytest.fixture
def turn_hearth(transactional_db, tmp_path):
    """A real coturn and a Hearth server that hands out its credentials (TURN_URLS,
    TURN_SECRET), so pages use relay-only ICE."""
    with (
        coturn(tmp_path) as turn,
        daphne(
            tmp_path / "server.log",
            database_url_for_tests(),
            application="tests.e2e.server_app:application",
            DJANGO_SETTINGS_MODULE="tests.e2e.server_settings",
            HEARTH_E2E_MAIL_DIR=str(tmp_path),
            TURN_URLS=turn.url,
            TURN_SECRET=turn.secret,
        ) as url,
    ):
        yield url


def test_sound_goes_through_the_turn_relay_and_only_through_it(turn_hearth, voice_opener):
    meeting = voice_meeting(["Milo", "Olive"])
    open_page = voice_opener(turn_hearth)
    fern, milo, olive = (
        enter_room(open_page, meeting, f"{name}@example.org") for name in ("fern", "milo", "olive")
    )
    expect(milo.locator("#voice")).to_contain_text("nobody sees anyone else's address")
    for page in (milo, olive):
        turn_on_sound(page)
    fern.get_by_role("button", name="Start", exact=True).click()
    fern.get_by_role("button", name="Speak", exact=True).click()
    for listener in (milo, olive):
        wait_until(lambda listener=listener: rising(listener, fern), seconds=20)
        (link,) = peer_stats(listener)
        assert link["config"] == "relay"
        assert (link["local"], link["remote"]) == ("relay", "relay")
    assert {link["local"] for link in peer_stats(fern)} == {"relay"}


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1280x800", "360x740"])
def test_the_voice_controls_are_labelled_reachable_by_keyboard_and_fit_a_phone(
    four, new_voice_page, size
):
    from tests.e2e.test_room_place_journey import in_first_viewport, serious_violations, shot

    meeting = four
    fern = enter_room(new_voice_page, meeting, "fern@example.org", **size)
    milo = enter_room(new_voice_page, meeting, "milo@example.org", **size)
    label = "wide" if size is WIDE else "phone"
    listen = milo.get_by_role("button", name="Turn on sound")
    listen.focus()
    milo.keyboard.press("Enter")
    expect(milo.get_by_role("button", name="Turn off sound")).to_be_focused()
    expect(milo.get_by_role("status").filter(has_text="Sound is on")).to_have_count(1)
    use_control(fern, "Start")
    speak = fern.get_by_role("button", name="Speak", exact=True)
    speak.focus()
    fern.keyboard.press("Enter")
    expect(fern.get_by_role("button", name="Mute myself")).to_be_focused()
    expect(milo.locator("#voice-status")).to_have_text(
        "Sound is on: you'll hear Fern when they speak."
    )
    for page in (fern, milo):
        page.evaluate("window.scrollTo(0, 0)")
    shot(fern, f"voice-holder-{label}")
    shot(milo, f"voice-listener-{label}")
    for page in (fern, milo):
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        in_first_viewport(page, page.locator("#voice-status"))
        in_first_viewport(page, page.locator("#seats .seat-holder"))
        assert serious_violations(page) == []
    in_first_viewport(fern, fern.get_by_role("button", name="Mute myself"))
    # Text stays first-class: the holder's text box is in the first screen too.
    in_first_viewport(fern, fern.get_by_label("What you'd like to share"))
    in_first_viewport(milo, milo.get_by_role("button", name="Turn off sound"))
