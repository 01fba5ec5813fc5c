"""Voice in the talking circle: only the holder's microphone is live (docs/voice.md).

The server never sees sound. It forwards the browsers' WebRTC signaling to one addressee
and refuses whatever would let someone who does not hold the piece send: ``sdp`` judges a
session description, ``signaling`` who may signal whom, ``budget`` the frames' own rate,
``turn`` the TURN server's short-lived credentials, ``edge`` the socket's side of it and
``views`` the page's ICE servers.
"""
