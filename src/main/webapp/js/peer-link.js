// One RTCPeerConnection to one remote peer, negotiated with the W3C perfect-negotiation pattern.

import { DEFAULT_MAX_FILE_BYTES, receiveFile, sendFile } from './file-transfer.js';

/** How long a connection may stay `disconnected` before an ICE restart repairs it. */
const DISCONNECTED_GRACE_MS = 5000;
/**
 * CLIENT.md: a connection not `connected` this long after its first offer (sent or received) is
 * rebuilt: an ICE restart first, then, after as long again, a new RTCPeerConnection.
 */
export const CONNECT_DEADLINE_MS = 10_000;
/** New RTCPeerConnections one link may build, for its deadline or for a remote that rebuilt. */
export const MAX_REBUILDS = 4;

/**
 * The DTLS certificate fingerprint of a description: a new one means a new RTCPeerConnection on
 * the other side, which no existing connection can follow.
 * @param {string|undefined|null} sdp
 */
function fingerprintOf(sdp) {
  return /^a=fingerprint:(.+)$/m.exec(sdp ?? '')?.[1].trim() ?? null;
}

/**
 * @typedef {object} PeerLinkOptions
 * @property {string} selfId this peer's id; the lower id of a pair is the polite peer
 * @property {string} peerId the remote peer
 * @property {RTCIceServer[]} iceServers
 * @property {RTCIceTransportPolicy} iceTransportPolicy
 * @property {MediaStream|null} localStream
 * @property {boolean} initiator true when this side joined later and offers media first
 * @property {(data: object) => void} sendSignal sends `data` to the remote peer via the server
 * @property {number} [maxFileBytes] larger incoming files are declined unasked
 */

/**
 * Events: `state` {connectionState}, `track` {stream}, `chat` {message}, `channel` {open},
 * `file-offer` (a {@link import('./file-transfer.js').FileOffer}), `file-rejected` {name, size,
 * reason}, `file-progress` {name, bytes, size, direction}, `file` {name, size, blob}, `error`,
 * `message` {message} for every JSON object with a string `type` on the chat channel (chat,
 * media, and types of newer clients), `rebuilt` {rebuilds, reason} when a new
 * RTCPeerConnection replaced the old one.
 */
export class PeerLink extends EventTarget {
  /** @param {PeerLinkOptions} options */
  constructor({
    selfId, peerId, iceServers, iceTransportPolicy, localStream, initiator, sendSignal,
    maxFileBytes = DEFAULT_MAX_FILE_BYTES,
  }) {
    super();
    this.maxFileBytes = maxFileBytes;
    this.peerId = peerId;
    this.polite = selfId < peerId;
    this.sendSignal = sendSignal;
    this.localStream = localStream;
    /** @type {RTCConfiguration} */
    this.configuration = { iceServers, iceTransportPolicy };
    /**
     * What each kind's sender carries instead of the local stream's track (the screen instead of
     * the camera), so that a rebuilt connection sends the same.
     * @type {Map<string, MediaStreamTrack>}
     */
    this.outgoing = new Map();
    /** ICE restarts this side started after the connection failed, stayed disconnected or late. */
    this.iceRestarts = 0;
    /** New RTCPeerConnections built after the first one (CLIENT.md's 10-second rule, or the remote's). */
    this.rebuilds = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.disconnectedTimer = undefined;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.deadlineTimer = undefined;
    /** Offers that met an offer of ours (glare); the polite side yields, the impolite ignores. */
    this.collisions = 0;
    /** Signals are applied one at a time, in arrival order. */
    this.signals = Promise.resolve();
    this.closed = false;
    /**
     * Files being sent: closing the connection closes their channels without a `close` event,
     * so their promises are rejected here.
     * @type {Set<import('./file-transfer.js').FileSend>}
     */
    this.sending = new Set();
    this.remoteStream = new MediaStream();
    /** @type {RTCPeerConnection} */
    this.pc = /** @type {any} */ (undefined);
    /** @type {RTCDataChannel} */
    this.chat = /** @type {any} */ (undefined);
    this.connect({ offering: initiator });
    if (initiator) this.attachLocalMedia();
  }

  /**
   * Builds the RTCPeerConnection and its negotiated chat channel, and listens to them. Every
   * listener first checks that its connection is still the current one: a rebuilt link's old
   * connection says nothing more.
   * @param {{offering: boolean}} options false: wait for the remote's first offer
   */
  connect({ offering }) {
    const pc = new RTCPeerConnection(this.configuration);
    this.pc = pc;
    // Negotiated by both sides at once, so chat needs no extra round of negotiation.
    const chat = pc.createDataChannel('chat', { negotiated: true, id: 0 });
    this.chat = chat;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    /**
     * The side that did not initiate waits for the initiator's first offer instead of offering
     * its chat channel at the same moment: Chromium fails to start SCTP when that first glare is
     * settled by a rollback ("Failed to start SCTP transport").
     */
    this.awaitingFirstOffer = !offering;
    /** Whether this connection ever reached `connected` with its chat channel open. */
    this.established = false;
    /** 0: the deadline has not passed; 1: it passed once and ICE was restarted. */
    this.deadlineStage = 0;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const current = () => pc === this.pc && !this.closed;

    pc.addEventListener('negotiationneeded', () => {
      // Skipped, not lost: the browser asks again once the first exchange leaves it stable.
      if (current() && !this.awaitingFirstOffer) this.offer();
    });
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (current()) this.sendSignal({ candidate: candidate ? candidate.toJSON() : null });
    });
    pc.addEventListener('track', ({ track }) => {
      if (!current()) return;
      const stream = this.remoteStream;
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
      track.addEventListener('unmute', () => {
        if (current()) this.emit('track', { stream });
      });
      this.emit('track', { stream });
    });
    pc.addEventListener('connectionstatechange', () => {
      if (!current()) return;
      const state = pc.connectionState;
      clearTimeout(this.disconnectedTimer);
      if (state === 'failed') {
        this.restartIce();
      } else if (state === 'disconnected') {
        // Often transient (a lost packet burst, a network switch); when it lasts, repairing now
        // beats waiting for 'failed', which Chromium may take long to declare, or never.
        this.disconnectedTimer = setTimeout(() => {
          if (current() && pc.connectionState === 'disconnected') this.restartIce();
        }, DISCONNECTED_GRACE_MS);
      }
      this.checkEstablished();
      this.emit('state', { connectionState: state });
    });
    // A STUN or TURN server that answers with an error (401: wrong or expired credentials) is
    // reported once per server and code, so a relay-only call says why it cannot connect
    // instead of hanging. Unreachable servers (701) are left to ICE, which tries the others.
    /** @type {Set<string>} */
    const reported = new Set();
    pc.addEventListener('icecandidateerror', (event) => {
      if (!current()) return;
      const { errorCode, errorText, url } = /** @type {RTCPeerConnectionIceErrorEvent} */ (event);
      const key = `${url} ${errorCode}`;
      if (errorCode >= 700 || reported.has(key)) return;
      reported.add(key);
      this.emit('error', {
        code: 'ice-server-refused', errorCode, url,
        message: `${url} refused this connection: ${errorCode} ${errorText}`,
      });
    });
    pc.addEventListener('datachannel', ({ channel }) => {
      if (!current()) return;
      if (channel.label === 'file') {
        receiveFile(channel, {
          maxFileBytes: this.maxFileBytes,
          onOffer: (offer) => this.emit('file-offer', offer),
          onRejected: (rejected) => this.emit('file-rejected', rejected),
          onProgress: (progress) => this.emit('file-progress', { ...progress, direction: 'receive' }),
          onFile: (file) => this.emit('file', file),
          onError: (error) => this.emit('error', error),
        });
      }
    });
    chat.addEventListener('open', () => {
      if (!current()) return;
      this.checkEstablished();
      this.emit('channel', { open: true });
    });
    chat.addEventListener('close', () => {
      if (current()) this.emit('channel', { open: false });
    });
    chat.addEventListener('message', (event) => {
      if (!current()) return;
      try {
        const message = JSON.parse(event.data);
        if (message && typeof message.type === 'string') this.emit('message', { message });
        if (message && message.type === 'chat') this.emit('chat', { message });
      } catch {
        // Not ours: the wire format says unknown messages are ignored.
      }
    });
  }

  /** Reached `connected` with the chat channel open: the 10-second rule is satisfied. */
  checkEstablished() {
    if (this.established || this.pc.connectionState !== 'connected' || !this.channelOpen) return;
    this.established = true;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  /**
   * Starts the 10-second clock at this connection's first offer, sent or received. A connection
   * that is `connected` with its chat channel open by then is left alone (the channel counts
   * because a connection whose SCTP failed to start is `connected` and still useless).
   */
  startDeadline() {
    if (this.deadlineTimer !== undefined || this.established || this.closed) return;
    const pc = this.pc;
    this.deadlineTimer = setTimeout(() => this.deadlinePassed(pc), CONNECT_DEADLINE_MS);
  }

  /** @param {RTCPeerConnection} pc the connection whose clock ran out */
  deadlinePassed(pc) {
    this.deadlineTimer = undefined;
    if (pc !== this.pc || this.closed) return;
    this.checkEstablished();
    if (this.established) return;
    if (this.deadlineStage === 0) {
      this.deadlineStage = 1;
      this.restartIce();
      this.deadlineTimer = setTimeout(() => this.deadlinePassed(pc), CONNECT_DEADLINE_MS);
    } else if (this.rebuilds < MAX_REBUILDS) {
      this.rebuild({ offering: true, reason: 'deadline' });
    } else {
      this.emit('error', {
        code: 'peer-unreachable',
        message: `no connection to ${this.peerId} after ${this.rebuilds} new connections and ICE restarts`,
      });
    }
  }

  /**
   * Replaces the RTCPeerConnection with a new one: the same negotiated chat channel (id 0), the
   * same outgoing tracks. `offering`: this side offers at once (its own deadline passed);
   * otherwise it answers the offer that made it rebuild (the remote rebuilt first).
   * @param {{offering: boolean, reason: 'deadline'|'remote-rebuilt'}} options
   */
  rebuild({ offering, reason }) {
    const old = this.pc;
    const wasOpen = this.channelOpen;
    this.rebuilds += 1;
    for (const send of this.sending) {
      send.cancel(Object.assign(new Error('the connection to the peer was rebuilt'), { code: 'file-aborted' }));
    }
    clearTimeout(this.disconnectedTimer);
    this.remoteStream = new MediaStream();
    this.connect({ offering });
    old.close();
    if (wasOpen) this.emit('channel', { open: false });
    this.emit('state', { connectionState: this.pc.connectionState });
    this.emit('rebuilt', { rebuilds: this.rebuilds, reason });
    // Tracks added to a connection that will offer: negotiationneeded sends that offer. An
    // answering one puts them on the transceivers of the offer it is about to apply.
    if (offering) this.attachLocalMedia();
  }

  restartIce() {
    if (this.closed) return;
    this.iceRestarts += 1;
    this.pc.restartIce();
  }

  get connectionState() {
    return this.pc.connectionState;
  }

  get channelOpen() {
    return this.chat.readyState === 'open';
  }

  /**
   * Sends one message of the wire format (`{type: 'chat', ...}`, `{type: 'media', ...}`) on the
   * chat channel; false when the channel is not open.
   * @param {object} message
   */
  sendChat(message) {
    if (!this.channelOpen) return false;
    this.chat.send(JSON.stringify(message));
    return true;
  }

  /**
   * @param {Blob & {name?: string}} file
   * @returns {import('./file-transfer.js').FileSend}
   */
  sendFile(file) {
    const send = sendFile(this.pc, file, {
      onProgress: (progress) => this.emit('file-progress', { ...progress, direction: 'send' }),
    });
    this.sending.add(send);
    const settled = () => this.sending.delete(send);
    send.then(settled, settled);
    return send;
  }

  /**
   * Uses `iceServers` from now on (fresh TURN credentials from a `joined`), for candidates
   * gathered later: ICE restarts included. A connection that refuses keeps its old list.
   * @param {RTCIceServer[]} iceServers
   */
  setIceServers(iceServers) {
    if (this.closed) return;
    this.configuration = { ...this.configuration, iceServers };
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (error) {
      this.emit('error', { code: 'ice-servers', message: `could not apply new ICE servers: ${error}` });
    }
  }

  /**
   * Applies one signal from the remote peer (perfect negotiation).
   * @param {{description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit|null}} data
   */
  handleSignal(data) {
    this.signals = this.signals.then(() => this.apply(data)).catch((error) => {
      this.emit('error', { code: 'negotiation', message: String(error) });
    });
    return this.signals;
  }

  /** @param {{description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit|null}} data */
  async apply({ description, candidate }) {
    if (this.closed) return;
    if (description) {
      const isOffer = description.type === 'offer';
      if (description.type === 'answer' && this.pc.signalingState === 'stable') {
        // Answers an offer of a connection this side has since replaced (or a repeated one).
        return;
      }
      const readyForOffer =
        !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = isOffer && !readyForOffer;
      if (collision) this.collisions += 1;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      if (isOffer && this.mustRebuildFor(description, collision)) {
        this.rebuild({ offering: false, reason: 'remote-rebuilt' });
      }
      // A rebuild for the deadline may replace the connection while this awaits: what was meant
      // for the old one is then dropped.
      const pc = this.pc;
      this.settingRemoteAnswer = description.type === 'answer';
      try {
        await pc.setRemoteDescription(description);
      } finally {
        if (pc === this.pc) this.settingRemoteAnswer = false;
      }
      if (pc !== this.pc || this.closed) return;
      if (isOffer) {
        this.startDeadline();
        this.attachLocalMedia();
        await pc.setLocalDescription();
        if (pc !== this.pc || this.closed) return;
        this.sendSignal({ description: pc.localDescription?.toJSON() });
        this.awaitingFirstOffer = false;
      }
    } else if (candidate !== undefined) {
      try {
        await this.pc.addIceCandidate(candidate ?? undefined);
      } catch (error) {
        if (!this.ignoreOffer && !this.isStale(candidate) && !this.closed) throw error;
      }
    }
  }

  /**
   * Whether an offer needs a new RTCPeerConnection here: it comes from a new connection of the
   * remote (another DTLS fingerprint than the one this connection negotiated), or it collides
   * with this side's very first offer, which the polite side would otherwise settle by a
   * rollback that Chromium cannot start SCTP after. Bounded by {@link MAX_REBUILDS}.
   * @param {RTCSessionDescriptionInit} offer
   * @param {boolean} collision
   */
  mustRebuildFor(offer, collision) {
    if (this.rebuilds >= MAX_REBUILDS) return false;
    const known = fingerprintOf(this.pc.remoteDescription?.sdp);
    const offered = fingerprintOf(offer.sdp);
    if (known && offered && known !== offered) return true;
    return collision && !this.pc.remoteDescription;
  }

  /**
   * A candidate for another ICE generation or another connection than the current one (its
   * username fragment is not the remote description's): late, and harmless to drop.
   * @param {RTCIceCandidateInit|null} candidate
   */
  isStale(candidate) {
    const ufrag = candidate?.usernameFragment;
    const sdp = this.pc.remoteDescription?.sdp;
    return !!ufrag && (!sdp || !sdp.includes(`a=ice-ufrag:${ufrag}\r`) && !sdp.includes(`a=ice-ufrag:${ufrag}\n`));
  }

  async offer() {
    if (this.closed) return;
    const pc = this.pc;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      if (pc !== this.pc) return;
      this.sendSignal({ description: pc.localDescription?.toJSON() });
      if (pc.localDescription?.type === 'offer') this.startDeadline();
    } catch (error) {
      if (pc === this.pc) this.emit('error', { code: 'negotiation', message: String(error) });
    } finally {
      if (pc === this.pc) this.makingOffer = false;
    }
  }

  /**
   * Sends each local track on one transceiver of its kind: a transceiver the remote offered
   * (no renegotiation), else a new one (which renegotiates). A kind with an `outgoing` track
   * (the screen) sends that instead.
   */
  attachLocalMedia() {
    if (!this.localStream) return;
    const stream = this.localStream;
    for (const own of stream.getTracks()) {
      const track = this.outgoing.get(own.kind) ?? own;
      if (this.pc.getSenders().some((s) => s.track === track)) continue;
      const free = this.pc.getTransceivers().find((t) => t.receiver.track.kind === track.kind
        && !t.sender.track && t.mid !== null && t.currentDirection !== 'stopped');
      if (free) {
        free.direction = 'sendrecv';
        free.sender.replaceTrack(track);
        free.sender.setStreams?.(stream);
      } else {
        this.pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
      }
    }
  }

  /**
   * Sends `track` instead of `previous` (by default: the outgoing track of its kind), without
   * renegotiation. A sender not attached yet takes it when the connection's media is attached.
   * @param {MediaStreamTrack} track
   * @param {MediaStreamTrack|null} [previous]
   */
  async replaceTrack(track, previous = null) {
    if (this.localStream?.getTracks().includes(track)) this.outgoing.delete(track.kind);
    else this.outgoing.set(track.kind, track);
    const senders = this.pc.getTransceivers().map((t) => t.sender);
    const sender = (previous && senders.find((s) => s.track === previous))
      ?? senders.find((s) => s.track?.kind === track.kind);
    if (sender && sender.track !== track) await sender.replaceTrack(track);
  }

  /** Adds one more outgoing track (renegotiates). */
  addTrack(/** @type {MediaStreamTrack} */ track, /** @type {MediaStream} */ stream) {
    this.pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
  }

  close() {
    this.closed = true;
    for (const send of this.sending) {
      send.cancel(Object.assign(new Error('the connection to the peer closed'), { code: 'file-aborted' }));
    }
    clearTimeout(this.disconnectedTimer);
    clearTimeout(this.deadlineTimer);
    this.chat.close();
    this.pc.close();
  }

  /** @param {string} type @param {object} detail */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
