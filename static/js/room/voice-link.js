// One voice connection between this page and one other person (docs/voice.md): a plain
// RTCPeerConnection with one audio transceiver, signaled over the room socket.
//
// - a listener's link offers (offer()), its audio `recvonly`, to the person who may speak;
// - the speaker's link answers (accept()) `sendonly`; the microphone track is put on
//   (and taken off) its sender with replaceTrack (useTrack()), so nothing is renegotiated.
//
// Candidates gathered quickly (on a LAN, or from a nearby TURN server: milliseconds) go in
// the offer or answer itself; only those found later are sent one by one (`voice_ice`).
// That saves a room most of its signaling frames.
//
// Every step waits for the one before it (a candidate that arrives while the ICE
// servers are being fetched waits for the connection to exist), and a closed link
// ignores whatever arrives after.

const GATHER_WAIT_MS = 300;

export class VoiceLink {
  // send(type, fields) sends a signaling frame; iceConfiguration() resolves to the
  // RTCConfiguration for a new connection; onTrack(link, stream) when sound arrives;
  // onGone(link) when the connection failed or closed by itself.
  constructor(peerId, { send, iceConfiguration, onTrack, onGone }) {
    this.peerId = peerId;
    this.send = send;
    this.onTrack = onTrack;
    this.onGone = onGone;
    this.pc = null;
    this.closed = false;
    this.described = false; // our offer or answer has gone: later candidates trickle
    this.steps = iceConfiguration().then((configuration) => {
      if (this.closed) return;
      this.pc = new RTCPeerConnection(configuration);
      this.pc.addEventListener("icecandidate", ({ candidate }) => {
        if (this.closed || !this.described) return;
        this.send("voice_ice", { to: this.peerId, candidate: candidate ? candidate.toJSON() : null });
      });
      this.pc.addEventListener("track", ({ track, streams }) => {
        if (!this.closed) this.onTrack(this, streams[0] || new MediaStream([track]));
      });
      this.pc.addEventListener("connectionstatechange", () => {
        if (!this.closed && this.pc.connectionState === "failed") this.gone();
      });
    });
  }

  // Run one step after the others, on a connection that is still open.
  step(work) {
    this.steps = this.steps
      .then(() => (this.closed || this.pc === null ? undefined : work(this.pc)))
      .catch(() => this.gone());
    return this.steps;
  }

  // Listener: ask the speaker for their sound, receiving only.
  offer() {
    return this.step(async (pc) => {
      pc.addTransceiver("audio", { direction: "recvonly" });
      await pc.setLocalDescription(await pc.createOffer());
      await this.describe("voice_offer");
    });
  }

  // Listener: the speaker's answer.
  answered(sdp) {
    return this.step((pc) => pc.setRemoteDescription({ type: "answer", sdp }));
  }

  // Speaker: answer a listener's offer, sending only; `track` is the microphone when on.
  accept(sdp, track) {
    return this.step(async (pc) => {
      await pc.setRemoteDescription({ type: "offer", sdp });
      const audio = pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === "audio");
      if (!audio) throw new Error("an offer without audio");
      audio.direction = "sendonly";
      await audio.sender.replaceTrack(track);
      await pc.setLocalDescription(await pc.createAnswer());
      await this.describe("voice_answer");
    });
  }

  // Send our description once gathering is complete or has taken GATHER_WAIT_MS.
  async describe(type) {
    const pc = this.pc;
    if (pc.iceGatheringState !== "complete") {
      await new Promise((done) => {
        const timer = setTimeout(done, GATHER_WAIT_MS);
        pc.addEventListener("icegatheringstatechange", () => {
          if (pc.iceGatheringState === "complete") {
            clearTimeout(timer);
            done();
          }
        });
      });
    }
    if (this.closed) return;
    this.described = true;
    this.send(type, { to: this.peerId, sdp: pc.localDescription.sdp });
  }

  // Speaker: the microphone on (a track) or off (null), at once, without renegotiating.
  useTrack(track) {
    return this.step((pc) => Promise.all(pc.getSenders().map((sender) => sender.replaceTrack(track))));
  }

  candidate(candidate) {
    return this.step((pc) => pc.addIceCandidate(candidate || undefined));
  }

  // Hang up; `tell` sends the other side a voice_hangup (not when they hung up first).
  close({ tell }) {
    if (this.closed) return;
    this.closed = true;
    // The microphone's track belongs to the page (./voice.js), which stops it.
    if (this.pc !== null) this.pc.close();
    if (tell) this.send("voice_hangup", { to: this.peerId });
  }

  gone() {
    if (this.closed) return;
    this.close({ tell: true });
    this.onGone(this);
  }
}
