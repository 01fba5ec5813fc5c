"""The voice bench: how long sound takes to follow the talking piece, and what a join costs.

For N = 3, 6 and 12 pages (one Chromium with a fake microphone, one context per person, all
with sound on) in a circle with voice on, served by the real room (daphne, PostgreSQL,
Redis), a facilitator's socket hands the piece on twenty times (`grant`). Each new holder's
page presses Speak as soon as it appears (a holder who speaks at once), and every other
page records when the first byte of audio arrives on a connection made after the change.
It prints p50/p95 of "piece changed → first audio byte at a listener" over all listeners
and changes, and the voice signaling frames that one listener turning on sound costs (and
a piece change, for the whole room). It asserts nothing about time. Results:
docs/performance.md ("Voice") and docs/voice.md.

Run: ``make bench`` (all benches) or ``BENCH_ONLY=voice make bench``; ``BENCH_VOICE_SIZES``
(default 3,6,12) and ``BENCH_VOICE_CHANGES`` (default 20) change the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass

import websockets

from bench.fanout import _ensure_database, _environment, _start
from tests.e2e.voice_media import RECORD_PEER_CONNECTIONS, VOICE_FLAGS

SIZES = tuple(int(n) for n in os.environ.get("BENCH_VOICE_SIZES", "3,6,12").split(","))
CHANGES = int(os.environ.get("BENCH_VOICE_CHANGES", "20"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    *VOICE_FLAGS,
]
FIRST_AUDIO_TIMEOUT = 20

# Bench-only additions to every page: a holder who presses Speak as soon as it shows, the
# wall-clock time each connection was made, a count of voice frames sent, and a wait for
# the first audio byte on a connection made since a given time.
BENCH_PAGE = (
    RECORD_PEER_CONNECTIONS
    + """
(() => {
  const Recorded = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Recorded {
    constructor(...args) {
      super(...args);
      this.madeAt = Date.now();
    }
  };
  window.__voiceFramesSent = 0;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && data.includes('"type":"voice_')) window.__voiceFramesSent += 1;
    return send.call(this, data);
  };
  setInterval(() => {
    const speak = document.getElementById("voice-speak");
    if (speak && !speak.hidden && !speak.disabled) speak.click();
  }, 10);
  window.__firstAudioSince = (since) => new Promise((resolve) => {
    const look = async () => {
      for (const pc of window.__voicePeers) {
        if (pc.signalingState === "closed" || pc.madeAt < since) continue;
        const stats = await pc.getStats();
        let bytes = 0;
        stats.forEach((s) => { if (s.type === "inbound-rtp") bytes += s.bytesReceived; });
        if (bytes > 0) return resolve(Date.now());
      }
      setTimeout(look, 5);
    };
    look();
  });
})();
"""
)


@dataclass
class Result:
    n: int
    latencies_ms: list[float]
    join_frames: int
    change_frames: float
    missed: int


def make_circle(size: int):
    """A circle with voice on, a facilitator and ``size - 1`` members going to a meeting."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from circles.models import Circle, Membership
    from meetings.models import RSVP, Meeting
    from members.models import User

    stamp = f"{int(time.time())}-{os.getpid()}-{size}"
    # An interrupted run may have left its people and circle behind.
    Circle.objects.filter(slug__startswith="bench-voice-").delete()
    User.objects.filter(email__startswith="voice-", email__endswith="@bench.invalid").delete()
    circle = Circle.objects.create(
        name=f"Bench voice {stamp}", slug=f"bench-voice-{stamp}", description="A benchmark."
    )
    circle.voice_enabled = True
    circle.save(update_fields=["voice_enabled"])
    people = []
    for index in range(size):
        role = Membership.Role.FACILITATOR if index == 0 else Membership.Role.MEMBER
        user = User(email=f"voice-{index}-{stamp}@bench.invalid", display_name=f"Voice {index}")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(circle=circle, user=user, role=role, state="active")
        people.append(user)
    meeting = Meeting.objects.create(
        circle=circle,
        title=f"Voice bench N={size}",
        starts_at=timezone.now() - timedelta(minutes=5),
        duration_minutes=240,
        turn_seconds=1800,
        room_mode=Meeting.RoomMode.QUEUE,
    )
    meeting.facilitators.add(people[0])
    RSVP.objects.bulk_create(
        RSVP(meeting=meeting, user=user, response=RSVP.Response.GOING) for user in people[1:]
    )

    def session(user):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return circle, meeting.pk, [session(user) for user in people], people


async def run_one(port: int, size: int) -> Result:
    from asgiref.sync import sync_to_async
    from playwright.async_api import async_playwright, expect

    circle, meeting_id, sessions, people = await sync_to_async(make_circle)(size)
    base = f"http://127.0.0.1:{port}"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        pages = []
        for session in sessions:
            context = await browser.new_context(base_url=base)
            await context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            await context.add_init_script(BENCH_PAGE)
            page = await context.new_page()
            await page.goto(f"/meetings/{meeting_id}/room/")
            agree = page.get_by_role("button", name="I agree, for this meeting")
            if await agree.count():
                await agree.click()
            await expect(page.locator("#connection")).to_have_text("Connected", timeout=30_000)
            pages.append(page)
        ids = await pages[0].evaluate(
            "[...document.querySelectorAll('#seats .seat')]"
            ".map((s) => Number(s.dataset.participantId))"
        )
        names = await pages[0].evaluate(
            "[...document.querySelectorAll('#seats .seat .seat-name')].map((s) => s.textContent)"
        )
        page_of = {ids[names.index(user.display_name)]: pages[i] for i, user in enumerate(people)}
        control = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/meetings/{meeting_id}/room/",
            origin=base,
            additional_headers={"Cookie": f"sessionid={sessions[0]}"},
        )
        drain = asyncio.create_task(_drain(control))
        # Everyone but one listener turns sound on; the facilitator takes the piece (and
        # speaks at once); then that listener turns sound on: the frames one join costs.
        for page in [pages[0], *pages[2:]]:
            await page.get_by_role("button", name="Turn on sound").click()
        await control.send(json.dumps({"type": "raise_hand"}))
        await control.send(json.dumps({"type": "start"}))
        await asyncio.sleep(2)
        join_frames = await _frames_for(pages, _turn_on(pages[1]))

        latencies, change_frames, missed = [], [], 0
        order = list(page_of)
        for change in range(CHANGES):
            target = order[(change + 1) % len(order)]
            listeners = [page for pid, page in page_of.items() if pid != target]
            before = await _sent(pages)
            since = int(time.time() * 1000)
            waits = [
                asyncio.wait_for(
                    page.evaluate("(t) => window.__firstAudioSince(t)", since), FIRST_AUDIO_TIMEOUT
                )
                for page in listeners
            ]
            await control.send(json.dumps({"type": "grant", "participant_id": target}))
            for arrival in await asyncio.gather(*waits, return_exceptions=True):
                if isinstance(arrival, BaseException):
                    missed += 1
                else:
                    latencies.append(arrival - since)
            await asyncio.sleep(0.5)
            change_frames.append(await _sent(pages) - before)
        await control.close()
        drain.cancel()
        await browser.close()
    await sync_to_async(_remove)(circle, people)
    return Result(size, latencies, join_frames, statistics.mean(change_frames), missed)


async def _drain(socket) -> None:
    """Read (and forget) whatever the room sends the facilitator's control socket."""
    async for _frame in socket:
        pass


async def _turn_on(page) -> None:
    await page.get_by_role("button", name="Turn on sound").click()
    await page.evaluate("window.__firstAudioSince(0)")
    await asyncio.sleep(1)  # the last candidates


async def _sent(pages) -> int:
    return sum([await page.evaluate("window.__voiceFramesSent") for page in pages])


async def _frames_for(pages, doing) -> int:
    before = await _sent(pages)
    await doing
    return await _sent(pages) - before


def _remove(circle, people) -> None:
    circle.delete()
    for user in people:
        user.delete()


def _quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def main() -> None:
    env = {**_environment(), "DJANGO_SETTINGS_MODULE": "bench.voice_settings"}
    _ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}"]
    server = _start("voice", [*daphne, "hearth.asgi:application"], env, True)
    print(f"Voice bench: {CHANGES} piece changes per room, one Chromium, one context per page")
    results = []
    try:
        for size in SIZES:
            result = asyncio.run(run_one(server.port, size))
            results.append(result)
            p50, p95 = _quantile(result.latencies_ms, 50), _quantile(result.latencies_ms, 95)
            print(
                f"N={size:<3} piece → first audio byte p50 {p50:6.0f} ms  p95 {p95:6.0f} ms"
                f"  ({len(result.latencies_ms)} arrivals, {result.missed} missed)"
                f"  join {result.join_frames} frames  change {result.change_frames:.1f} frames",
                flush=True,
            )
    finally:
        server.stop()
    print()
    print("| N | p50 ms | p95 ms | arrivals | missed | frames per join | frames per change |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.n} | {_quantile(r.latencies_ms, 50):.0f} | {_quantile(r.latencies_ms, 95):.0f} "
            f"| {len(r.latencies_ms)} | {r.missed} | {r.join_frames} | {r.change_frames:.1f} |"
        )


if __name__ == "__main__":
    main()
