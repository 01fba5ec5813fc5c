// Voice in the talking circle (docs/voice.md): only the person holding the talking piece
// can be heard. This page follows the room's state:
//
// - the speaker (the holder, while the room is live, present and not muted) answers
//   every listener `sendonly`, and sends sound only after pressing "Speak";
// - a listener who turned sound on offers `recvonly` to the speaker, to nobody else, and
//   plays sound only from the speaker;
// - when the piece moves, the old speaker's microphone is stopped and released and every
//   connection to them hangs up at once.
//
// Listeners' microphones are never asked for. room.js calls follow(state) after every
// snapshot and event, frame(frame) for every frame (true when it was voice's), and
// stop() when the room is gone for this page.

import { VoiceLink } from "./voice-link.js";

const SIGNALS = ["voice_offer", "voice_answer", "voice_ice", "voice_hangup"];
const REFUSALS = ["voice_off", "voice_full"];
// An offer can arrive before this page has seen itself receive the piece (frames and
// events travel apart): it waits this long for the turn before it is turned down.
const EARLY_OFFER_MS = 3000;
const RETRY_MS = 2000;
const MAX_RETRIES = 3;
const SENT_KEPT = 200;
const PREFETCH_MAX_MS = 10 * 60 * 1000; // TURN credentials last two hours

export function speakerOf(state) {
  const holder = state.holder;
  if (!holder || state.room.status !== "live") return null;
  const person = state.participants.find((p) => p.participant_id === holder.participant_id);
  return person && person.present && !person.muted ? holder.participant_id : null;
}

// The first `max` present people in seat order have voice; anyone after them follows in text.
export function voicedIds(state, max) {
  return new Set(
    state.participants
      .filter((p) => p.present)
      .slice(0, max)
      .map((p) => p.participant_id),
  );
}

export class Voice {
  // onReport(turnId): the person wants to report the spoken turn under way.
  constructor(config, { meetingId, elements, send, nameOf, onReport }) {
    this.config = config;
    this.el = elements;
    this.sendFrame = send;
    this.nameOf = nameOf;
    this.state = null;
    this.soundOn = false;
    this.microphone = null; // the speaker's live track, only between Speak and Mute / the turn's end
    this.asking = false; // waiting for the browser's microphone prompt
    this.note = null; // a refusal or a problem, said until the situation changes
    this.listening = null; // the link to the speaker
    this.speaking = new Map(); // participant id -> link, while this page is the speaker
    this.early = new Map(); // participant id -> {sdp, timer}: offers ahead of our turn
    this.retries = 0;
    this.retryTimer = null;
    this.sent = new Map(); // ref -> {type, to}: to know which frame a refusal is about
    this.lastSpeaker = null;
    this.focusAfterRender = false;
    this.thisTab = !navigator.locks;
    this.stopped = false;
    this.nextConfiguration = null;
    if (navigator.locks) {
      // One tab speaks and listens for a person; another tab of the room waits its turn.
      navigator.locks.request(`hearth-voice-${meetingId}`, () => {
        this.thisTab = true;
        if (this.state) this.follow(this.state);
        return new Promise(() => {});
      });
    }
    this.el.listen.addEventListener("click", () => this.toggleSound());
    this.el.speak.addEventListener("click", () => this.speak());
    this.el.mute.addEventListener("click", () => this.muteMyself());
    this.el.report.addEventListener("click", () => {
      if (this.state?.holder) onReport(this.state.holder.turn_id);
    });
  }

  get me() {
    return this.state?.you?.participant_id ?? null;
  }

  send(type, fields) {
    const ref = this.sendFrame(type, fields);
    if (ref !== null) {
      this.sent.set(ref, { type, to: fields.to });
      if (this.sent.size > SENT_KEPT) this.sent.delete(this.sent.keys().next().value);
    }
    return ref;
  }

  // The RTCConfiguration for one new connection. Each connection gets its own fetch
  // (fresh TURN credentials), made one connection ahead so that a piece change does not
  // wait for it; one older than PREFETCH_MAX_MS is fetched again.
  iceConfiguration() {
    const waiting = this.nextConfiguration;
    const ready = waiting && Date.now() - waiting.at < PREFETCH_MAX_MS ? waiting.answer : this.fetchConfiguration();
    this.prefetch();
    return ready;
  }

  prefetch() {
    const answer = this.fetchConfiguration();
    answer.catch(() => {}); // a failure is met by the link that uses it
    this.nextConfiguration = { answer, at: Date.now() };
  }

  fetchConfiguration() {
    return fetch(this.config.ice_servers_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((answer) => ({
        iceServers: answer.iceServers || [],
        // The server says relay-only when a TURN server keeps members' addresses private.
        iceTransportPolicy: this.config.relay_only ? "relay" : answer.iceTransportPolicy || "all",
      }));
  }

  link(peerId) {
    return new VoiceLink(peerId, {
      send: (type, fields) => this.send(type, fields),
      iceConfiguration: () => this.iceConfiguration(),
      onTrack: (link, stream) => this.play(link, stream),
      onGone: (link) => this.lost(link),
    });
  }

  // --- Following the room ----------------------------------------------------------------

  follow(state) {
    this.state = state;
    if (this.stopped) return;
    if (this.thisTab && this.nextConfiguration === null) this.prefetch();
    const me = this.me;
    const voiced = voicedIds(state, this.config.max_voices);
    const speaker = speakerOf(state);
    const mine = this.thisTab && me !== null && speaker === me && voiced.has(me);
    if (!mine) this.stopSpeaking();
    else {
      for (const [peerId, offer] of this.early) {
        window.clearTimeout(offer.timer);
        this.early.delete(peerId);
        this.answer(peerId, offer.sdp);
      }
      for (const [peerId, link] of this.speaking) {
        if (!voiced.has(peerId)) {
          link.close({ tell: true });
          this.speaking.delete(peerId);
        }
      }
    }
    const hear = this.thisTab && this.soundOn && !mine && voiced.has(me) && speaker !== null && voiced.has(speaker);
    if (this.listening && (!hear || this.listening.peerId !== speaker)) this.hangUpListening({ tell: true });
    if (hear && !this.listening && this.retryTimer === null && this.note?.kind !== "refused") this.listen(speaker);
    if (speaker !== this.lastSpeaker) {
      this.lastSpeaker = speaker;
      this.retries = 0;
      if (this.note?.kind === "refused" || this.note?.kind === "lost") this.note = null;
    }
    this.render();
  }

  listen(speaker) {
    this.listening = this.link(speaker);
    this.listening.offer();
  }

  hangUpListening({ tell }) {
    this.listening?.close({ tell });
    this.listening = null;
    this.el.audio.srcObject = null;
  }

  play(link, stream) {
    // Only the speaker is ever played (a link to anyone else is never kept).
    if (link !== this.listening) return;
    this.el.audio.srcObject = stream;
    this.el.audio.play().catch(() => {});
    this.render();
  }

  lost(link) {
    if (link === this.listening) {
      this.hangUpListening({ tell: false });
      this.retryLater();
    } else if (this.speaking.get(link.peerId) === link) this.speaking.delete(link.peerId);
    this.render();
  }

  retryLater() {
    if (this.retries >= MAX_RETRIES) {
      this.note = { kind: "lost", text: "The sound couldn't connect. You can still follow in text, or reload to try again." };
      return;
    }
    this.retries += 1;
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      if (this.state) this.follow(this.state);
    }, RETRY_MS);
  }

  // --- Speaking ---------------------------------------------------------------------------

  isSpeaker() {
    return this.state !== null && this.thisTab && this.me !== null && speakerOf(this.state) === this.me;
  }

  answer(peerId, sdp) {
    this.speaking.get(peerId)?.close({ tell: false });
    const link = this.link(peerId);
    this.speaking.set(peerId, link);
    link.accept(sdp, this.microphone);
  }

  async speak() {
    if (!this.isSpeaker() || this.microphone || this.asking) return;
    this.asking = true;
    this.note = null;
    this.render();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        video: false,
      });
    } catch {
      this.asking = false;
      this.note = {
        kind: "microphone",
        text: "Your browser didn't let Hearth use the microphone, so nobody can hear you. You can still share in writing.",
      };
      this.render();
      return;
    }
    this.asking = false;
    const [track] = stream.getAudioTracks();
    // The turn may have ended while the browser asked.
    if (!this.isSpeaker()) {
      track.stop();
      this.render();
      return;
    }
    this.microphone = track;
    for (const link of this.speaking.values()) link.useTrack(track);
    this.render();
    this.el.mute.focus();
  }

  muteMyself() {
    if (!this.microphone) return;
    this.releaseMicrophone();
    this.render();
    this.el.speak.focus();
  }

  releaseMicrophone() {
    if (!this.microphone) return;
    this.microphone.stop();
    this.microphone = null;
    for (const link of this.speaking.values()) link.useTrack(null);
  }

  stopSpeaking() {
    const hadFocus = this.el.mute.contains(document.activeElement) || this.el.speak.contains(document.activeElement);
    this.releaseMicrophone();
    for (const link of this.speaking.values()) link.close({ tell: true });
    this.speaking.clear();
    // Focus on a button that disappears goes to the one that stays.
    if (hadFocus) this.focusAfterRender = true;
  }

  // --- Frames -----------------------------------------------------------------------------

  frame(frame) {
    if (frame.type === "error") return this.refused(frame);
    if (!SIGNALS.includes(frame.type)) return false;
    if (this.stopped || !this.thisTab || typeof frame.from !== "number") return true;
    const from = frame.from;
    switch (frame.type) {
      case "voice_offer":
        if (this.isSpeaker()) this.answer(from, frame.sdp);
        else this.waitForTurn(from, frame.sdp);
        break;
      case "voice_answer":
        if (this.listening?.peerId === from) this.listening.answered(frame.sdp);
        break;
      case "voice_ice":
        if (this.listening?.peerId === from) this.listening.candidate(frame.candidate);
        else this.speaking.get(from)?.candidate(frame.candidate);
        break;
      case "voice_hangup":
        this.hungUp(from);
        break;
      default:
        break;
    }
    return true;
  }

  waitForTurn(from, sdp) {
    const waiting = this.early.get(from);
    if (waiting) window.clearTimeout(waiting.timer);
    const timer = window.setTimeout(() => {
      this.early.delete(from);
      this.send("voice_hangup", { to: from });
    }, EARLY_OFFER_MS);
    this.early.set(from, { sdp, timer });
  }

  hungUp(from) {
    const early = this.early.get(from);
    if (early) {
      window.clearTimeout(early.timer);
      this.early.delete(from);
    }
    const speakingTo = this.speaking.get(from);
    if (speakingTo) {
      speakingTo.close({ tell: false });
      this.speaking.delete(from);
    }
    if (this.listening?.peerId === from) {
      this.hangUpListening({ tell: false });
      this.retryLater();
    }
    this.render();
  }

  // An `error` about one of our voice frames (true), or about something else (false).
  // Only a refused offer from our current link matters: a candidate or hang-up the
  // old holder's page sent just after the piece moved is refused harmlessly.
  refused(frame) {
    const about = frame.ref ? this.sent.get(frame.ref) : undefined;
    if (about === undefined && !REFUSALS.includes(frame.code)) return false;
    const current = about?.type === "voice_offer" && this.listening?.peerId === about.to;
    if (current || REFUSALS.includes(frame.code)) {
      this.hangUpListening({ tell: false });
      if (frame.code === "rate_limited") this.retryLater();
      else this.note = { kind: "refused", text: frame.message };
      this.render();
    }
    return true;
  }

  // The socket closed for good (removed, the room closed): everything hangs up.
  stop() {
    this.stopped = true;
    this.stopSpeaking();
    this.hangUpListening({ tell: false });
    window.clearTimeout(this.retryTimer);
    for (const offer of this.early.values()) window.clearTimeout(offer.timer);
    this.early.clear();
    this.render();
  }

  // --- The controls and the status line -----------------------------------------------------

  toggleSound() {
    this.soundOn = !this.soundOn;
    this.retries = 0;
    if (this.note?.kind !== "microphone") this.note = null;
    // Pressing the button is the gesture that lets the page play sound.
    if (this.soundOn) this.el.audio.play().catch(() => {});
    if (this.state) this.follow(this.state);
  }

  render() {
    const { listen, speak, mute } = this.el;
    const state = this.state;
    const me = this.me;
    const voiced = state ? voicedIds(state, this.config.max_voices) : new Set();
    const speaker = state ? speakerOf(state) : null;
    const mine = this.isSpeaker() && voiced.has(me);
    const full = state !== null && me !== null && !voiced.has(me) && state.participants.some((p) => p.participant_id === me);
    listen.hidden = mine || full || this.stopped || !this.thisTab;
    listen.textContent = this.soundOn ? "Turn off sound" : "Turn on sound";
    speak.hidden = !mine || this.microphone !== null;
    speak.disabled = this.asking;
    mute.hidden = !mine || this.microphone === null;
    // A spoken share leaves no text to report: the turn itself can be.
    this.el.report.hidden = this.stopped || speaker === null || speaker === me;
    this.say(this.sentence({ state, me, speaker, mine, full }));
    if (this.focusAfterRender && !listen.hidden) listen.focus();
    this.focusAfterRender = false;
  }

  sentence({ state, me, speaker, mine, full }) {
    if (this.stopped) return "Sound is off: you're no longer in the room.";
    if (!this.thisTab) return "Voice is in your other tab of this room.";
    if (full) {
      return `Voice is full in this circle (${this.config.max_voices} people). You can follow and share in text.`;
    }
    if (this.note) return this.note.text;
    if (mine) {
      if (this.asking) return "Your browser may ask to use your microphone.";
      if (this.microphone) return "Your microphone is on: the circle can hear you.";
      return "You hold the talking piece. Your microphone stays off until you press Speak. You can also share in writing.";
    }
    if (state && me !== null && state.holder?.participant_id === me) {
      return state.room.status === "live" ? "You hold the talking piece." : "The circle is paused, so nobody can be heard.";
    }
    if (!this.soundOn) return "Sound is off. Turn it on to hear whoever holds the talking piece.";
    if (speaker === null) return "Sound is on. Nobody can be heard right now.";
    const name = this.nameOf(state, speaker);
    if (this.el.audio.srcObject) return `Sound is on: you'll hear ${name} when they speak.`;
    return `Sound is on. Connecting to ${name}…`;
  }

  say(text) {
    if (this.el.status.textContent !== text) this.el.status.textContent = text;
  }
}
