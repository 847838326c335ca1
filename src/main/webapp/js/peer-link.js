// One RTCPeerConnection to one remote peer, negotiated with the W3C perfect-negotiation pattern.

import { DEFAULT_MAX_FILE_BYTES, receiveFile, sendFile } from './file-transfer.js';

/** How long a connection may stay `disconnected` before an ICE restart repairs it. */
const DISCONNECTED_GRACE_MS = 5000;

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
 * reason}, `file-progress` {name, bytes, size, direction}, `file` {name, size, blob}, `error`.
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
    this.remoteStream = new MediaStream();
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    // Negotiated by both sides at once, so chat needs no extra round of negotiation.
    this.chat = this.pc.createDataChannel('chat', { negotiated: true, id: 0 });
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    /**
     * The side that did not initiate waits for the initiator's first offer instead of offering
     * its chat channel at the same moment: Chromium fails to start SCTP when that first glare is
     * settled by a rollback ("Failed to start SCTP transport").
     */
    this.awaitingFirstOffer = !initiator;
    /** ICE restarts this side started after the connection failed or stayed disconnected. */
    this.iceRestarts = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.disconnectedTimer = undefined;
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

    this.pc.addEventListener('negotiationneeded', () => {
      // Skipped, not lost: the browser asks again once the first exchange leaves it stable.
      if (!this.awaitingFirstOffer) this.offer();
    });
    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      this.sendSignal({ candidate: candidate ? candidate.toJSON() : null });
    });
    this.pc.addEventListener('track', ({ track }) => {
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      track.addEventListener('unmute', () => this.emit('track', { stream: this.remoteStream }));
      this.emit('track', { stream: this.remoteStream });
    });
    this.pc.addEventListener('connectionstatechange', () => {
      const state = this.pc.connectionState;
      clearTimeout(this.disconnectedTimer);
      if (state === 'failed') {
        this.restartIce();
      } else if (state === 'disconnected') {
        // Often transient (a lost packet burst, a network switch); when it lasts, repairing now
        // beats waiting for 'failed', which Chromium may take long to declare, or never.
        this.disconnectedTimer = setTimeout(() => {
          if (this.pc.connectionState === 'disconnected') this.restartIce();
        }, DISCONNECTED_GRACE_MS);
      }
      this.emit('state', { connectionState: state });
    });
    // A STUN or TURN server that answers with an error (401: wrong or expired credentials) is
    // reported once per server and code, so a relay-only call says why it cannot connect
    // instead of hanging. Unreachable servers (701) are left to ICE, which tries the others.
    /** @type {Set<string>} */
    const reported = new Set();
    this.pc.addEventListener('icecandidateerror', (event) => {
      const { errorCode, errorText, url } = /** @type {RTCPeerConnectionIceErrorEvent} */ (event);
      const key = `${url} ${errorCode}`;
      if (errorCode >= 700 || reported.has(key)) return;
      reported.add(key);
      this.emit('error', {
        code: 'ice-server-refused', errorCode, url,
        message: `${url} refused this connection: ${errorCode} ${errorText}`,
      });
    });
    this.pc.addEventListener('datachannel', ({ channel }) => {
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
    this.chat.addEventListener('open', () => this.emit('channel', { open: true }));
    this.chat.addEventListener('close', () => this.emit('channel', { open: false }));
    this.chat.addEventListener('message', (event) => {
      try {
        const message = JSON.parse(event.data);
        if (message && message.type === 'chat') this.emit('chat', { message });
      } catch {
        // Not ours: the wire format says unknown messages are ignored.
      }
    });

    if (initiator) this.attachLocalMedia();
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

  /** @param {object} message a `{type: 'chat', ...}` object; false when the channel is not open */
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
      const readyForOffer =
        !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      if (collision) this.collisions += 1;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === 'answer';
      await this.pc.setRemoteDescription(description);
      this.settingRemoteAnswer = false;
      if (description.type === 'offer') {
        this.attachLocalMedia();
        await this.pc.setLocalDescription();
        this.sendSignal({ description: this.pc.localDescription?.toJSON() });
        this.awaitingFirstOffer = false;
      }
    } else if (candidate !== undefined) {
      try {
        await this.pc.addIceCandidate(candidate ?? undefined);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  async offer() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendSignal({ description: this.pc.localDescription?.toJSON() });
    } catch (error) {
      this.emit('error', { code: 'negotiation', message: String(error) });
    } finally {
      this.makingOffer = false;
    }
  }

  /**
   * Sends each local track on one transceiver of its kind: a transceiver the remote offered
   * (no renegotiation), else a new one (which renegotiates).
   */
  attachLocalMedia() {
    if (!this.localStream) return;
    for (const track of this.localStream.getTracks()) {
      if (this.pc.getSenders().some((s) => s.track === track)) continue;
      const free = this.pc.getTransceivers().find((t) => t.receiver.track.kind === track.kind
        && !t.sender.track && t.mid !== null && t.currentDirection !== 'stopped');
      if (free) {
        free.direction = 'sendrecv';
        free.sender.replaceTrack(track);
        free.sender.setStreams?.(this.localStream);
      } else {
        this.pc.addTransceiver(track, { direction: 'sendrecv', streams: [this.localStream] });
      }
    }
  }

  /**
   * Sends `track` instead of the outgoing track of its kind, without renegotiation.
   * @param {MediaStreamTrack} track
   */
  async replaceTrack(track) {
    const sender = this.pc.getTransceivers()
      .map((t) => t.sender)
      .find((s) => s.track?.kind === track.kind);
    if (sender) await sender.replaceTrack(track);
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
    this.chat.close();
    this.pc.close();
  }

  /** @param {string} type @param {object} detail */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
