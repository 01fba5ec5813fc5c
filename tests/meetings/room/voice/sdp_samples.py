"""Session descriptions shaped like Chromium's, for the gate's tests."""

SESSION = (
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
)


def audio_section(direction: str | None, mid: int = 0) -> str:
    stated = f"a={direction}\r\n" if direction else ""
    return (
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "a=rtcp:9 IN IP4 0.0.0.0\r\n"
        "a=ice-ufrag:Kx8j\r\n"
        "a=ice-pwd:4dUu3lVbJ6cE9h0oCvN8HkS2\r\n"
        "a=ice-options:trickle\r\n"
        "a=fingerprint:sha-256 5A:1F:0C:3E:AA:41:9B:77:10:2D:CC:8E:61:F4:39:0B:22:7A:"
        "E5:D0:93:48:6C:1E:BF:70:05:A2:9E:33:C8:14\r\n"
        "a=setup:actpass\r\n"
        f"a=mid:{mid}\r\n"
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
        f"{stated}"
        "a=rtcp-mux\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
        "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    )


def offer(direction: str | None, session_direction: str | None = None) -> str:
    """One audio section stating ``direction`` (None: it states none)."""
    session = SESSION + (f"a={session_direction}\r\n" if session_direction else "")
    return session + audio_section(direction)


def data_channel_section() -> str:
    return (
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        "a=mid:1\r\n"
        "a=sctp-port:5000\r\n"
    )
