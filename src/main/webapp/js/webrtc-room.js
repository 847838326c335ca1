// The public API of the Signalbox browser client (see the team's CLIENT.md): joinRoom() and the
// Room it returns. A full mesh: one PeerLink (RTCPeerConnection) per other peer of the room.

import { DEFAULT_MAX_FILE_BYTES } from './file-transfer.js';
import { PeerLink } from './peer-link.js';
import { defaultSignalUrl, SignalingChannel } from './signaling.js';

/**
 * @typedef {object} JoinOptions
 * @property {string} room
 * @property {string} [url] the socket; default: `<context>/signal` beside this module (the HTTP
 *   binding is at the same place over http(s), plus `/http`)
 * @property {string} [name]
 * @property {string|TokenSource} [token] a token, or a function asked for one before every `join`
 * @property {{audio?: boolean, video?: boolean}|MediaStream|null} [media] default null: data only
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] `all` (default) or `relay`
 * @property {number} [maxFileBytes] incoming files above this are declined unasked; default 256 MiB
 * @property {'auto'|'websocket'|'http'} [transport] `auto` (default) tries WebSocket and falls back
 *   to the HTTP binding when the upgrade is refused or no `welcome` comes within 5 s, and keeps
 *   that choice for the page's life; `websocket` or `http` use that binding alone
 */

/** The values of the `transport` option. */
const TRANSPORTS = ['auto', 'websocket', 'http'];

/**
 * Called for every `join` the client sends (the first, each resume, each rejoin), so a portal can
 * hand out a fresh token each time.
 * @typedef {() => (string|Promise<string>)} TokenSource
 */

/**
 * @typedef {object} RemotePeer
 * @property {string} peerId
 * @property {string} name
 * @property {MediaStream|null} stream
 * @property {RTCPeerConnectionState} connectionState
 * @property {boolean} channelOpen
 */

/**
 * The events a Room dispatches, each a CustomEvent with this `detail` (the element forwards them
 * all). The declarations (webrtc-room.d.ts) promise the same map; scripts/typescript-check.sh
 * compares the two, and checks every emit() below against this one.
 * @typedef {{
 *   'peer-joined': CustomEvent<{peer: RemotePeer}>,
 *   'peer-left': CustomEvent<{peerId: string, reason: string}>,
 *   'peer-state': CustomEvent<{peerId: string, connectionState: RTCPeerConnectionState}>,
 *   'track': CustomEvent<{peerId: string, stream: MediaStream}>,
 *   'channel': CustomEvent<{peerId: string, open: boolean}>,
 *   'chat': CustomEvent<{from: string, name: string, text: string, at: number}>,
 *   'file-offer': CustomEvent<{from: string, name: string, size: number, mime: string,
 *     accept: () => void, reject: () => void}>,
 *   'file-progress': CustomEvent<
 *     {peerId: string, name: string, sent: number, size: number, direction: 'send'}
 *     | {peerId: string, name: string, received: number, size: number, direction: 'receive'}>,
 *   'file': CustomEvent<{from: string, name: string, size: number, blob: Blob}>,
 *   'file-rejected': CustomEvent<{from: string, name: string, size: number,
 *     reason: 'too-large'|'timeout'|'declined'|'no-listener'|'cancelled'}>,
 *   'reconnecting': CustomEvent<{attempt: number}>,
 *   'reconnected': CustomEvent<{resumed: boolean}>,
 *   'error': CustomEvent<{code: string, message: string, peerId?: string, name?: string,
 *     errorCode?: number, url?: string}>,
 *   'left': CustomEvent<{reason: 'removed'|'closed'}>,
 *   'screen-share': CustomEvent<{active: true, track: MediaStreamTrack}|{active: false, track: null}>,
 * }} RoomEventMap
 */

/**
 * Joins a room; resolves after the server's `joined`.
 * @param {JoinOptions} options
 * @returns {Promise<Room>}
 */
export async function joinRoom(options) {
  if (!options || typeof options.room !== 'string') throw new TypeError('joinRoom needs { room }');
  if (options.transport !== undefined && !TRANSPORTS.includes(options.transport)) {
    throw new TypeError(`transport must be 'auto', 'websocket' or 'http', not ${JSON.stringify(options.transport)}`);
  }
  const localStream = await openMedia(options.media ?? null);
  const room = new Room(options, localStream);
  try {
    await room.start();
  } catch (error) {
    localStream?.getTracks().forEach((t) => t.stop());
    throw error;
  }
  return room;
}

/** @param {{audio?: boolean, video?: boolean}|MediaStream|null} media */
async function openMedia(media) {
  if (media === null) return null;
  if (media instanceof MediaStream) return media;
  if (!media.audio && !media.video) return null;
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: !!media.audio, video: !!media.video });
  } catch (error) {
    const denied = error instanceof DOMException && error.name === 'NotAllowedError';
    throw Object.assign(new Error(denied
      ? 'Camera or microphone access was denied.'
      : `Camera or microphone unavailable: ${error instanceof Error ? error.message : error}`),
    { code: denied ? 'media-denied' : 'media-unavailable' });
  }
}

/** The `from` of messages the portal sends (PROTOCOL.md); no peer id can equal it. */
const SERVER = '@server';

/**
 * One membership of one room. Events (CustomEvent, payload in `detail`): `peer-joined` {peer},
 * `peer-left` {peerId, reason}, `peer-state` {peerId, connectionState}, `track` {peerId, stream},
 * `chat` {from, name, text, at}, `file-offer` {from, name, size, mime, accept(), reject()},
 * `file-progress` {peerId, name, sent|received, size, direction}, `file` {from, name, size, blob},
 * `reconnecting` {attempt}, `reconnected` {resumed}, `error` {code, message}, `left` {reason}
 * when the portal removed this peer ('removed') or closed the room ('closed'); also `channel`
 * {peerId, open}, `file-rejected` {from, name, size, reason} and `screen-share` {active, track}.
 * Without a `file-offer` listener every incoming file is declined.
 */
export class Room extends EventTarget {
  /**
   * @param {JoinOptions} options
   * @param {MediaStream|null} localStream
   */
  constructor(options, localStream) {
    super();
    /** @type {string} */
    this.room = options.room;
    /** @type {string} */
    this.name = options.name ?? 'anonymous';
    /** @type {string} */
    this.peerId = '';
    /** @type {MediaStream|null} */
    this.localStream = localStream;
    /** @type {Map<string, RemotePeer>} */
    this.peers = new Map();
    /** @type {Map<string, PeerLink>} */
    this.links = new Map();
    /** @type {RTCIceServer[]} */
    this.iceServers = [];
    this.iceTransportPolicy = options.iceTransportPolicy ?? 'all';
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    /**
     * The `file-offer` listeners (and whether each is `once`): an offer nobody can answer is
     * declined at once instead of waiting out its 30 s.
     * @type {Map<EventListenerOrEventListenerObject, boolean>}
     */
    this.offerListeners = new Map();
    /** @type {MediaStreamTrack|null} */
    this.screenTrack = null;
    this.left = false;
    this.signaling = new SignalingChannel({
      url: options.url ?? defaultSignalUrl(), room: options.room, name: options.name, token: options.token,
      transport: options.transport ?? 'auto',
    });
    this.signaling.addEventListener('welcome', (e) => {
      this.iceServers = /** @type {any} */ (e).detail.iceServers ?? [];
    });
    this.signaling.addEventListener('joined', (e) => this.onJoined(/** @type {any} */ (e).detail));
    this.signaling.addEventListener('envelope', (e) => this.onEnvelope(/** @type {any} */ (e).detail));
    this.signaling.addEventListener('ended', (e) => this.onEnded(/** @type {any} */ (e).detail.reason));
    this.signaling.addEventListener('reconnecting', (e) => {
      this.emit('reconnecting', { attempt: /** @type {any} */ (e).detail.attempt });
    });
  }

  async start() {
    await this.signaling.start();
  }

  /**
   * The binding the signaling connection uses: 'websocket' or 'http' (PROTOCOL.md's HTTP
   * binding, where WebSocket is blocked); null before the first connection.
   * @returns {'websocket'|'http'|null}
   */
  get transport() {
    return this.signaling.transport;
  }

  /**
   * @template {keyof RoomEventMap} K
   * @overload
   * @param {K} type
   * @param {(this: Room, event: RoomEventMap[K]) => any} listener
   * @param {boolean|AddEventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @overload
   * @param {string} type
   * @param {EventListenerOrEventListenerObject|null} listener
   * @param {boolean|AddEventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @param {string} type
   * @param {EventListenerOrEventListenerObject|null} listener
   * @param {boolean|AddEventListenerOptions} [options]
   */
  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    if (type !== 'file-offer' || !listener) return;
    const once = typeof options === 'object' && !!options.once;
    this.offerListeners.set(listener, once);
    if (typeof options === 'object' && options.signal) {
      options.signal.addEventListener('abort', () => this.offerListeners.delete(listener), { once: true });
    }
  }

  /**
   * @template {keyof RoomEventMap} K
   * @overload
   * @param {K} type
   * @param {(this: Room, event: RoomEventMap[K]) => any} listener
   * @param {boolean|EventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @overload
   * @param {string} type
   * @param {EventListenerOrEventListenerObject|null} listener
   * @param {boolean|EventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @param {string} type
   * @param {EventListenerOrEventListenerObject|null} listener
   * @param {boolean|EventListenerOptions} [options]
   */
  removeEventListener(type, listener, options) {
    super.removeEventListener(type, listener, options);
    if (type === 'file-offer' && listener) this.offerListeners.delete(listener);
  }

  /**
   * Chat to every peer, or one: over the DataChannel, else through the server relay.
   * @param {string} text
   * @param {{to?: string}} [options]
   * @returns {{type: 'chat', text: string, at: number}} the message as sent
   */
  sendChat(text, { to } = {}) {
    /** @type {{type: 'chat', text: string, at: number}} */
    const message = { type: 'chat', text: String(text), at: Date.now() };
    const targets = to ? [to] : [...this.peers.keys()];
    for (const peerId of targets) {
      const link = this.links.get(peerId);
      if (!link || !link.sendChat(message)) {
        this.signaling.send({ type: 'message', to: peerId, data: message });
      }
    }
    return message;
  }

  /**
   * Sends a file to every peer, or one, each over its own DataChannel. Resolves when every
   * receiver confirmed every byte; rejects when one declines, closes early or does not answer.
   * @param {Blob & {name?: string}} file
   * @param {{to?: string}} [options]
   * @returns {Promise<void> & {cancel: () => void}} `cancel()` stops every transfer of this file
   */
  sendFile(file, { to } = {}) {
    const targets = to ? [to] : [...this.links.keys()];
    const sends = targets.map((peerId) => {
      const link = this.links.get(peerId);
      try {
        if (!link) throw Object.assign(new Error(`no connection to ${peerId}`), { code: 'no-connection' });
        return link.sendFile(file);
      } catch (error) {
        return Object.assign(Promise.reject(error), { cancel: () => {} });
      }
    });
    const all = Promise.all(sends).then(() => undefined);
    return Object.assign(all, { cancel: () => sends.forEach((send) => send.cancel()) });
  }

  /** @param {boolean} enabled */
  setMicrophoneEnabled(enabled) {
    this.localStream?.getAudioTracks().forEach((t) => { t.enabled = enabled; });
  }

  /** @param {boolean} enabled */
  setCameraEnabled(enabled) {
    this.localStream?.getVideoTracks().forEach((t) => { t.enabled = enabled; });
    if (this.screenTrack) this.screenTrack.enabled = enabled;
  }

  /** Sends the screen instead of the camera, to every peer, without renegotiation. */
  async shareScreen() {
    if (this.screenTrack) return this.screenTrack;
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = screen.getVideoTracks()[0];
    this.screenTrack = track;
    track.addEventListener('ended', () => this.stopScreenShare());
    await Promise.all([...this.links.values()].map((link) => link.replaceTrack(track)));
    this.emit('screen-share', { active: true, track });
    return track;
  }

  async stopScreenShare() {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    track.stop();
    const camera = this.localStream?.getVideoTracks()[0];
    if (camera) await Promise.all([...this.links.values()].map((link) => link.replaceTrack(camera)));
    this.emit('screen-share', { active: false, track: null });
  }

  /**
   * Sends one more track to every peer (this renegotiates every connection).
   * @param {MediaStreamTrack} track
   */
  addTrack(track) {
    if (!this.localStream) this.localStream = new MediaStream();
    this.localStream.addTrack(track);
    for (const link of this.links.values()) link.addTrack(track, /** @type {MediaStream} */ (this.localStream));
  }

  /** Leaves, closes every connection and stops the local tracks. */
  leave() {
    if (this.left) return;
    this.left = true;
    this.signaling.leave();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.peers.clear();
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.screenTrack?.stop();
  }

  /**
   * The portal removed this peer or closed the room: the call is over for it. Every peer
   * connection closes and the camera and microphone stop, as on leave; the signaling channel has
   * stopped already and nothing rejoins by itself.
   * @param {'removed'|'closed'} reason
   */
  onEnded(reason) {
    if (this.left) return;
    this.left = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.peers.clear();
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.screenTrack?.stop();
    this.emit('left', { reason });
  }

  /** @param {any} joined */
  onJoined(joined) {
    const fresh = !joined.resumed;
    if (joined.reconnect && fresh) {
      // The server forgot us (restarted, or the grace ran out): every connection is stale.
      for (const peerId of [...this.peers.keys()]) this.removePeer(peerId, 'timeout');
    }
    this.peerId = joined.peerId;
    this.name = joined.name;
    // In token and container mode TURN credentials come only with `joined`, afresh each time: they
    // replace welcome's list, for connections to come and, where the browser allows, for the
    // ones a resume kept (their next ICE restart gathers with them).
    if (Array.isArray(joined.iceServers)) {
      this.iceServers = joined.iceServers;
      for (const link of this.links.values()) link.setIceServers(this.iceServers);
    }
    /** @type {Set<string>} */
    const present = new Set(joined.peers.map((/** @type {any} */ p) => p.peerId));
    // On a resume the list is the truth: peers that left during the cut are gone, peers that came
    // are added and will offer to us (their offers were buffered for us).
    for (const peerId of [...this.peers.keys()]) {
      if (!present.has(peerId)) this.removePeer(peerId, 'left');
    }
    for (const peer of joined.peers) {
      if (!this.peers.has(peer.peerId)) this.addPeer(peer, fresh);
    }
    if (joined.reconnect) this.emit('reconnected', { resumed: !fresh });
  }

  /** @param {any} frame */
  onEnvelope(frame) {
    switch (frame.type) {
      case 'peer-joined':
        if (!this.peers.has(frame.peer.peerId)) this.addPeer(frame.peer, false);
        break;
      case 'peer-left':
        this.removePeer(frame.peerId, frame.reason);
        break;
      case 'signal':
        this.links.get(frame.from)?.handleSignal(frame.data ?? {});
        break;
      case 'message':
        if (frame.data && frame.data.type === 'chat') this.receiveChat(frame.from, frame.data);
        break;
      case 'error':
        this.emit('error', { code: frame.code, message: frame.message });
        break;
      default:
        break;
    }
  }

  /**
   * @param {{peerId: string, name: string}} info
   * @param {boolean} initiator
   */
  addPeer({ peerId, name }, initiator) {
    /** @type {RemotePeer} */
    const peer = { peerId, name, stream: null, connectionState: 'new', channelOpen: false };
    this.peers.set(peerId, peer);
    const link = new PeerLink({
      selfId: this.peerId, peerId, iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy,
      localStream: this.localStream, initiator, maxFileBytes: this.maxFileBytes,
      sendSignal: (data) => this.signaling.send({ type: 'signal', to: peerId, data }),
    });
    this.links.set(peerId, link);
    link.addEventListener('state', (e) => {
      peer.connectionState = /** @type {any} */ (e).detail.connectionState;
      this.emit('peer-state', { peerId, connectionState: peer.connectionState });
    });
    link.addEventListener('channel', (e) => {
      peer.channelOpen = /** @type {any} */ (e).detail.open;
      this.emit('channel', { peerId, open: peer.channelOpen });
    });
    link.addEventListener('track', (e) => {
      peer.stream = /** @type {any} */ (e).detail.stream;
      this.emit('track', { peerId, stream: /** @type {MediaStream} */ (peer.stream) });
    });
    link.addEventListener('chat', (e) => this.receiveChat(peerId, /** @type {any} */ (e).detail.message));
    link.addEventListener('file-offer', (e) => this.offerFile(peerId, /** @type {any} */ (e).detail));
    link.addEventListener('file-rejected', (e) => {
      const { name: fileName, size, reason } = /** @type {any} */ (e).detail;
      this.emit('file-rejected', { from: peerId, name: fileName, size, reason });
    });
    link.addEventListener('file-progress', (e) => {
      const { name: fileName, bytes, size, direction } = /** @type {any} */ (e).detail;
      this.emit('file-progress', direction === 'send'
        ? { peerId, name: fileName, sent: bytes, size, direction }
        : { peerId, name: fileName, received: bytes, size, direction });
    });
    link.addEventListener('file', (e) => {
      const { name: fileName, size, blob } = /** @type {any} */ (e).detail;
      this.emit('file', { from: peerId, name: fileName, size, blob });
    });
    link.addEventListener('error', (e) => this.emit('error', { ...(/** @type {any} */ (e).detail), peerId }));
    // The screen, when shared, replaces the camera for newcomers too.
    if (this.screenTrack) link.replaceTrack(this.screenTrack);
    this.emit('peer-joined', { peer });
  }

  /**
   * Asks the page about an incoming file; nobody to ask means no.
   * @param {string} from
   * @param {import('./file-transfer.js').FileOffer} offer
   */
  offerFile(from, offer) {
    if (this.offerListeners.size === 0) {
      offer.reject('no-listener');
      return;
    }
    for (const [listener, once] of this.offerListeners) {
      if (once) this.offerListeners.delete(listener);
    }
    this.emit('file-offer', {
      from, name: offer.name, size: offer.size, mime: offer.mime,
      accept: () => offer.accept(), reject: () => offer.reject('declined'),
    });
  }

  /**
   * @param {string} peerId
   * @param {string} reason
   */
  removePeer(peerId, reason) {
    const link = this.links.get(peerId);
    link?.close();
    this.links.delete(peerId);
    if (this.peers.delete(peerId)) this.emit('peer-left', { peerId, reason });
  }

  /**
   * @param {string} from
   * @param {{text?: unknown, at?: unknown}} message
   */
  receiveChat(from, message) {
    // '@server' is the portal (PROTOCOL.md): a chat-shaped message from it shows as its notice.
    const name = from === SERVER ? 'Server' : this.peers.get(from)?.name ?? 'unknown';
    const at = typeof message.at === 'number' ? message.at : Date.now();
    this.emit('chat', { from, name, text: String(message.text ?? ''), at });
  }

  /**
   * @template {keyof RoomEventMap} K
   * @param {K} type @param {RoomEventMap[K]['detail']} detail
   */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
