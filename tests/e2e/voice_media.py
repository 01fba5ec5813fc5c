"""What voice journeys (and ``bench/voice.py``) need around the browser: Chromium's fake
microphone, a way to read every page's WebRTC statistics, and a real coturn.

Statistics are matched by SSRC: the audio a listener receives on an ``inbound-rtp`` comes
from the page whose ``outbound-rtp`` has the same SSRC, so "how many bytes of B's voice
reached A" needs no help from the page's own code.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

VOICE_FLAGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]

# Run before the page's own scripts: remembers every RTCPeerConnection the page makes,
# and counts the times it asked for the microphone.
RECORD_PEER_CONNECTIONS = """
(() => {
  const Original = window.RTCPeerConnection;
  const made = [];
  window.__voicePeers = made;
  window.__microphoneRequests = 0;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      made.push(this);
    }
  };
  const media = navigator.mediaDevices;
  if (media) {
    const ask = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      window.__microphoneRequests += 1;
      return ask(constraints);
    };
  }
})();
"""


def microphone_requests(page) -> int:
    """How many times the page asked the browser for the microphone."""
    return page.evaluate("window.__microphoneRequests")


# Every open connection's audio: bytes in and out per SSRC, and the selected candidate
# pair's local and remote candidate types ("host", "srflx", "relay").
READ_STATS = """
async () => {
  const result = [];
  for (const pc of window.__voicePeers || []) {
    if (pc.signalingState === "closed") continue;
    const report = await pc.getStats();
    const config = pc.getConfiguration().iceTransportPolicy;
    const entry = {inbound: {}, outbound: {}, local: null, remote: null, config};
    const byId = new Map();
    report.forEach((stat) => byId.set(stat.id, stat));
    report.forEach((stat) => {
      if (stat.kind !== "audio" && stat.mediaType !== "audio") {
        if (stat.type === "transport" && stat.selectedCandidatePairId) {
          const pair = byId.get(stat.selectedCandidatePairId);
          entry.local = byId.get(pair.localCandidateId)?.candidateType ?? null;
          entry.remote = byId.get(pair.remoteCandidateId)?.candidateType ?? null;
        }
        return;
      }
      if (stat.type === "inbound-rtp") entry.inbound[stat.ssrc] = stat.bytesReceived;
      if (stat.type === "outbound-rtp") entry.outbound[stat.ssrc] = stat.bytesSent;
    });
    result.push(entry);
  }
  return result;
}
"""


def peer_stats(page) -> list[dict]:
    """The page's open voice connections, as ``READ_STATS`` describes them."""
    return page.evaluate(READ_STATS)


def bytes_sent(page) -> int:
    """Audio bytes this page has sent on its open connections."""
    return sum(sum(entry["outbound"].values()) for entry in peer_stats(page))


def bytes_received_from(listener, speaker) -> int:
    """Audio bytes ``listener`` has received, on its open connections, from ``speaker``."""
    theirs = {ssrc for entry in peer_stats(speaker) for ssrc in entry["outbound"]}
    return sum(
        count
        for entry in peer_stats(listener)
        for ssrc, count in entry["inbound"].items()
        if ssrc in theirs
    )


def wait_until(check, seconds: float = 10.0, every: float = 0.1):
    """Poll ``check`` until it returns something true; fail with what it last returned."""
    deadline = time.monotonic() + seconds
    last = check()
    while not last and time.monotonic() < deadline:
        time.sleep(every)
        last = check()
    assert last, f"still not true after {seconds} s: {check.__doc__ or check}"
    return last


# --- coturn --------------------------------------------------------------------------------

TURNSERVER = "/usr/bin/turnserver"


@dataclass
class Turn:
    url: str
    secret: str
    log: Path


def _free_udp_and_tcp_port() -> int:
    while True:
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
        with socket.socket(type=socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


@contextmanager
def coturn(directory: Path, relay_ports: tuple[int, int] = (49152, 59999)) -> Iterator[Turn]:
    """A real coturn on 127.0.0.1 with the TURN REST API's shared secret (the same as
    Hearth's ``TURN_SECRET``), relaying between loopback peers, until the block ends."""
    port = _free_udp_and_tcp_port()
    secret = secrets.token_urlsafe(24)
    log = directory / "turnserver.log"
    command = [
        TURNSERVER,
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        f"--listening-port={port}",
        "--use-auth-secret",
        f"--static-auth-secret={secret}",
        "--realm=hearth.test",
        f"--min-port={relay_ports[0]}",
        f"--max-port={relay_ports[1]}",
        "--no-cli",
        "--no-tls",
        "--no-dtls",
        "--allow-loopback-peers",
        "--fingerprint",
        f"--log-file={log}",
        "--simple-log",
        "--no-stdout-log",
        f"--pidfile={directory / 'turnserver.pid'}",
        f"--db={directory / 'turndb'}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for_turn(port, process, log)
        yield Turn(url=f"turn:127.0.0.1:{port}?transport=udp", secret=secret, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_turn(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"coturn did not start on port {port}; see {log}")
