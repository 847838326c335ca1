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
 * @property {MediaChoice|MediaStream|null} [media] default null: data only; `{audio, video}` opens
 *   the microphone and camera (each `true` or the constraints of `getUserMedia`, such as
 *   `{deviceId: {exact: id}}`); a MediaStream (a page's own preview) is sent as it is
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] `all` (default) or `relay`
 * @property {number} [maxFileBytes] incoming files above this are declined unasked; default 256 MiB
 * @property {'auto'|'websocket'|'http'} [transport] `auto` (default) tries WebSocket and falls back
 *   to the HTTP binding when the upgrade is refused or no `welcome` comes within 5 s, and keeps
 *   that choice for the page's life; `websocket` or `http` use that binding alone
 */

/**
 * What `joinRoom` opens: each of `audio` and `video` is `true` (any device), the constraints of
 * `getUserMedia` (a chosen device: `{deviceId: {exact: id}}`), or false/absent (none).
 * @typedef {{audio?: boolean|MediaTrackConstraints, video?: boolean|MediaTrackConstraints}} MediaChoice
 */

/**
 * What a peer sends: microphone on, camera (or screen) on, screen shared. A muted track is still
 * sent (as silence or black), so this is what tells the others.
 * @typedef {{audio: boolean, video: boolean, screen: boolean}} MediaState
 */

/**
 * One `peer-stats` sample: round-trip time in ms, the fraction of incoming RTP packets lost since
 * the last sample (0..1) and the incoming media bitrate in kbit/s over it; null where unknown (no
 * media, or the first sample).
 * @typedef {{rttMs: number|null, packetLoss: number|null, bitrateKbps: number|null}} PeerStats
 */

/** `peer-stats` this often, for each connected peer. */
const STATS_INTERVAL_MS = 2000;
/** Audio levels are read this often, while any audio is sent or received. */
const SPEAKING_POLL_MS = 250;
/**
 * Speaking starts at this audio level (linear 0..1, 1 = full scale; 0.05 is about -26 dBFS, well
 * above a quiet room's noise) and ends once the level stayed below SPEAKING_STOP for
 * SPEAKING_HOLD_MS: the gap between the two levels and the hold keep the pauses between words
 * from flapping the state.
 */
const SPEAKING_START = 0.05;
const SPEAKING_STOP = 0.02;
const SPEAKING_HOLD_MS = 1000;

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
 * @property {MediaState|null} media what the peer last said it sends; null before it said
 * @property {PeerStats|null} stats the last `peer-stats` sample, or null before the first
 * @property {boolean} speaking whether its audio level is above the speaking threshold
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
 *   'peer-media': CustomEvent<{peerId: string, audio: boolean, video: boolean, screen: boolean}>,
 *   'local-media': CustomEvent<{audio: boolean, video: boolean, screen: boolean}>,
 *   'peer-stats': CustomEvent<{peerId: string, rttMs: number|null, packetLoss: number|null,
 *     bitrateKbps: number|null}>,
 *   'speaking': CustomEvent<{peerId: string, level: number, speaking: boolean}>,
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

/** @param {MediaChoice|MediaStream|null} media */
async function openMedia(media) {
  if (media === null) return null;
  if (media instanceof MediaStream) return media;
  if (!media.audio && !media.video) return null;
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: media.audio ?? false, video: media.video ?? false });
  } catch (error) {
    throw mediaError(error);
  }
}

/**
 * The client's Error for a getUserMedia failure: `media-denied` or `media-unavailable`.
 * @param {unknown} error
 */
function mediaError(error) {
  const denied = error instanceof DOMException && error.name === 'NotAllowedError';
  return Object.assign(new Error(denied
    ? 'Camera or microphone access was denied.'
    : `Camera or microphone unavailable: ${error instanceof Error ? error.message : error}`),
  { code: denied ? 'media-denied' : 'media-unavailable' });
}

/**
 * Reads one getStats() report of a connection into a sample, with the previous sample of the
 * same connection for the rates.
 * @param {RTCStatsReport} report
 * @param {StatsCounters|undefined} previous
 * @param {number} now performance.now() when the report came
 * @returns {{stats: PeerStats, counters: StatsCounters}}
 */
function readStats(report, previous, now) {
  /** @type {string|null} */
  let selectedPair = null;
  report.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) selectedPair = r.selectedCandidatePairId;
  });
  /** @type {number|null} */
  let pairRtt = null;
  /** @type {number|null} */
  let remoteRtt = null;
  let inbound = false;
  let lost = 0;
  let received = 0;
  let bytes = 0;
  report.forEach((r) => {
    if (r.type === 'candidate-pair' && typeof r.currentRoundTripTime === 'number'
      && (r.id === selectedPair || (selectedPair === null && r.nominated && r.state === 'succeeded'))) {
      pairRtt = r.currentRoundTripTime * 1000;
    } else if (r.type === 'remote-inbound-rtp' && typeof r.roundTripTime === 'number') {
      remoteRtt = Math.max(remoteRtt ?? 0, r.roundTripTime * 1000);
    } else if (r.type === 'inbound-rtp') {
      inbound = true;
      lost += Math.max(0, r.packetsLost ?? 0);
      received += r.packetsReceived ?? 0;
      bytes += r.bytesReceived ?? 0;
    }
  });
  const rtt = pairRtt ?? remoteRtt;
  /** @type {PeerStats} */
  const stats = { rttMs: rtt === null ? null : Math.round(rtt * 10) / 10, packetLoss: null, bitrateKbps: null };
  if (inbound && previous?.inbound) {
    const lostNow = Math.max(0, lost - previous.lost);
    const total = lostNow + Math.max(0, received - previous.received);
    if (total > 0) stats.packetLoss = Math.min(1, lostNow / total);
    const elapsed = now - previous.at;
    // bytes * 8 / ms is kbit/s.
    if (elapsed > 0) stats.bitrateKbps = Math.round((Math.max(0, bytes - previous.bytes) * 8) / elapsed);
  }
  return { stats, counters: { at: now, inbound, lost, received, bytes } };
}

/**
 * The totals a rate is computed from, kept per RTCPeerConnection (a rebuilt one starts afresh).
 * @typedef {{at: number, inbound: boolean, lost: number, received: number, bytes: number}} StatsCounters
 */

/**
 * The audio level (0..1) of the first report of `type` and kind audio, or null.
 * @param {RTCStatsReport} report @param {string} type
 */
function audioLevelIn(report, type) {
  /** @type {number|null} */
  let level = null;
  report.forEach((r) => {
    if (level === null && r.type === type && r.kind === 'audio' && typeof r.audioLevel === 'number') level = r.audioLevel;
  });
  return level;
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
 * Version 1.1: `peer-media` {peerId, audio, video, screen} when a peer says what it sends,
 * `local-media` {audio, video, screen} when this peer's own state changes, `peer-stats`
 * {peerId, rttMs, packetLoss, bitrateKbps} every 2 s per connected peer, `speaking` {peerId,
 * level, speaking} when a peer (or this one, with `room.peerId`) starts or stops speaking.
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
    /** The state last announced to the peers (and in `local-media`). */
    this.announcedMedia = JSON.stringify(this.localMedia);
    /**
     * Device switches run one after the other.
     * @type {Promise<unknown>}
     */
    this.switching = Promise.resolve();
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.statsTimer = undefined;
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.speakingTimer = undefined;
    this.statsBusy = false;
    this.speakingBusy = false;
    /** @type {WeakMap<RTCPeerConnection, StatsCounters>} */
    this.statsCounters = new WeakMap();
    /**
     * Who speaks, by peerId (this peer's own id included), and since when each was quiet.
     * @type {Map<string, {speaking: boolean, quietSince: number|null}>}
     */
    this.voices = new Map();
    // A device that goes away (unplugged, revoked) ends its track: the peers learn it is off.
    localStream?.getTracks().forEach((track) => this.watchTrack(track));
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
    this.announceMedia();
  }

  /** @param {boolean} enabled */
  setCameraEnabled(enabled) {
    this.localStream?.getVideoTracks().forEach((t) => { t.enabled = enabled; });
    if (this.screenTrack) this.screenTrack.enabled = enabled;
    this.announceMedia();
  }

  /** Sends the screen instead of the camera, to every peer, without renegotiation. */
  async shareScreen() {
    if (this.screenTrack) return this.screenTrack;
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = screen.getVideoTracks()[0];
    const camera = this.localStream?.getVideoTracks()[0] ?? null;
    this.screenTrack = track;
    track.addEventListener('ended', () => this.stopScreenShare());
    await Promise.all([...this.links.values()].map((link) => link.replaceTrack(track, camera)));
    this.emit('screen-share', { active: true, track });
    this.announceMedia();
    return track;
  }

  async stopScreenShare() {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    track.stop();
    // The camera of now: a camera switched during the share comes back, not the old one.
    const camera = this.localStream?.getVideoTracks()[0];
    if (camera) await Promise.all([...this.links.values()].map((link) => link.replaceTrack(camera, track)));
    this.emit('screen-share', { active: false, track: null });
    this.announceMedia();
  }

  /**
   * This peer's own state, as sent to the others in `{"type":"media"}`: `audio` the microphone
   * is on, `video` the camera (or the shared screen) is on, `screen` the screen is shared.
   * @returns {MediaState}
   */
  get localMedia() {
    const audio = this.localStream?.getAudioTracks()[0];
    const video = this.screenTrack ?? this.localStream?.getVideoTracks()[0];
    return {
      audio: !!audio && audio.enabled && audio.readyState === 'live',
      video: !!video && video.enabled && video.readyState === 'live',
      screen: !!this.screenTrack,
    };
  }

  /** Tells every peer (and the page, `local-media`) when this peer's own state changed. */
  announceMedia() {
    const media = this.localMedia;
    const json = JSON.stringify(media);
    if (json === this.announcedMedia || this.left) return;
    this.announcedMedia = json;
    for (const link of this.links.values()) link.sendChat({ type: 'media', ...media });
    this.emit('local-media', media);
    this.updateTimers();
  }

  /**
   * The cameras, microphones and speakers this page may use (labels only after a permission).
   * @returns {Promise<MediaDeviceInfo[]>}
   */
  async listDevices() {
    return navigator.mediaDevices.enumerateDevices();
  }

  /**
   * Sends the camera `deviceId` instead of the current one, to every peer, without renegotiation
   * (see {@link switchDevice}). While the screen is shared the screen stays; the new camera is
   * sent when the share stops.
   * @param {string} deviceId
   * @returns {Promise<MediaStreamTrack>} the new camera track
   */
  setCamera(deviceId) {
    return this.switchDevice('video', deviceId);
  }

  /**
   * Sends the microphone `deviceId` instead of the current one (see {@link switchDevice}).
   * @param {string} deviceId
   * @returns {Promise<MediaStreamTrack>} the new microphone track
   */
  setMicrophone(deviceId) {
    return this.switchDevice('audio', deviceId);
  }

  /**
   * Switches one after the other: a second call waits for the first.
   * @param {'audio'|'video'} kind @param {string} deviceId
   * @returns {Promise<MediaStreamTrack>}
   */
  switchDevice(kind, deviceId) {
    const run = () => this.replaceDevice(kind, deviceId);
    const next = this.switching.then(run, run);
    this.switching = next.catch(() => undefined);
    return next;
  }

  /**
   * Opens `deviceId` with the constraints the current track was opened with, gives the new track
   * the old one's mute state, puts it on every connection's sender (`replaceTrack`: no
   * renegotiation) and into `room.localStream` in place of the old one (the same MediaStream
   * object), then stops the old track. The old track stays in use when the device cannot open.
   * @param {'audio'|'video'} kind @param {string} deviceId
   * @returns {Promise<MediaStreamTrack>}
   */
  async replaceDevice(kind, deviceId) {
    const what = kind === 'audio' ? 'microphone' : 'camera';
    const stream = this.localStream;
    const old = stream?.getTracks().find((t) => t.kind === kind);
    if (this.left) throw Object.assign(new Error(`left the room: no ${what} to switch`), { code: 'left' });
    if (!stream || !old) {
      throw Object.assign(new Error(`this call sends no ${what}: join with one to switch it`), { code: 'no-track' });
    }
    if (old.readyState === 'live' && old.getSettings().deviceId === deviceId) return old;
    /** @type {MediaTrackConstraints} */
    const constraints = { ...old.getConstraints(), deviceId: { exact: deviceId } };
    /** @type {MediaStreamTrack} */
    let track;
    try {
      const opened = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: constraints } : { video: constraints });
      [track] = opened.getTracks();
    } catch (error) {
      throw mediaError(error);
    }
    if (this.left) {
      track.stop();
      throw Object.assign(new Error(`left the room while the ${what} opened`), { code: 'left' });
    }
    track.enabled = old.enabled;
    this.watchTrack(track);
    stream.addTrack(track);
    stream.removeTrack(old);
    const screenInstead = kind === 'video' && this.screenTrack;
    if (!screenInstead) {
      await Promise.all([...this.links.values()].map((link) => link.replaceTrack(track, old)));
    }
    old.stop();
    this.announceMedia();
    return track;
  }

  /** @param {MediaStreamTrack} track a local track, whose end changes what this peer sends */
  watchTrack(track) {
    track.addEventListener('ended', () => this.announceMedia());
  }

  /** Runs the stats and audio-level timers while they have something to measure. */
  updateTimers() {
    const active = !this.left && this.links.size > 0;
    if (active && this.statsTimer === undefined) {
      this.statsTimer = setInterval(() => this.pollStats(), STATS_INTERVAL_MS);
    } else if (!active && this.statsTimer !== undefined) {
      clearInterval(this.statsTimer);
      this.statsTimer = undefined;
    }
    const audio = active && this.hasAudio();
    if (audio && this.speakingTimer === undefined) {
      this.speakingTimer = setInterval(() => this.pollSpeaking(), SPEAKING_POLL_MS);
    } else if (!audio && this.speakingTimer !== undefined) {
      clearInterval(this.speakingTimer);
      this.speakingTimer = undefined;
      this.voices.clear();
    }
  }

  /** Whether any audio is sent or received. */
  hasAudio() {
    if (this.localStream?.getAudioTracks().some((t) => t.readyState === 'live')) return true;
    return [...this.links.values()].some((link) => link.pc.getReceivers()
      .some((r) => r.track.kind === 'audio' && r.track.readyState === 'live'));
  }

  /** `peer-stats` for every connected peer: one getStats() each, never two rounds at once. */
  async pollStats() {
    if (this.statsBusy) return;
    this.statsBusy = true;
    try {
      await Promise.all([...this.links].map(async ([peerId, link]) => {
        const { pc } = link;
        if (pc.connectionState !== 'connected') return;
        const report = await pc.getStats();
        const peer = this.peers.get(peerId);
        if (this.left || link.pc !== pc || this.links.get(peerId) !== link || !peer) return;
        const { stats, counters } = readStats(report, this.statsCounters.get(pc), performance.now());
        this.statsCounters.set(pc, counters);
        peer.stats = stats;
        this.emit('peer-stats', { peerId, ...stats });
      }));
    } catch {
      // A connection closed while its stats were read: the next round goes on without it.
    } finally {
      this.statsBusy = false;
    }
  }

  /**
   * Reads every connected peer's incoming audio level (inbound-rtp `audioLevel`, measured where
   * the browser plays the audio out, so the page must play the peer's stream, as every call page
   * does) and this peer's microphone level (the audio sender's media-source `audioLevel`, after
   * echo cancellation; 0 when muted), and updates who speaks.
   */
  async pollSpeaking() {
    if (this.speakingBusy) return;
    this.speakingBusy = true;
    try {
      /** @type {Map<string, number>} */
      const levels = new Map();
      /** @type {RTCRtpSender|undefined} */
      let localSender;
      await Promise.all([...this.links].map(async ([peerId, link]) => {
        const { pc } = link;
        if (pc.connectionState !== 'connected') return;
        localSender ??= pc.getSenders().find((s) => s.track?.kind === 'audio');
        const receiver = pc.getReceivers().find((r) => r.track.kind === 'audio');
        if (!receiver) return;
        const level = audioLevelIn(await receiver.getStats(), 'inbound-rtp');
        if (level !== null) levels.set(peerId, level);
      }));
      if (this.left) return;
      const mic = this.localStream?.getAudioTracks()[0];
      if (mic && mic.enabled && localSender) {
        levels.set(this.peerId, audioLevelIn(await localSender.getStats(), 'media-source') ?? 0);
      }
      if (this.left) return;
      const now = performance.now();
      for (const peerId of new Set([...levels.keys(), ...this.voices.keys()])) {
        // No level (muted, gone quiet, no connection) counts as silence.
        this.updateVoice(peerId, levels.get(peerId) ?? 0, now);
      }
    } catch {
      // A connection closed while its levels were read: the next poll goes on without it.
    } finally {
      this.speakingBusy = false;
    }
  }

  /**
   * The speaking state machine of one peer: starts at SPEAKING_START, ends after SPEAKING_HOLD_MS
   * below SPEAKING_STOP; `speaking` fires on each change.
   * @param {string} peerId @param {number} level @param {number} now
   */
  updateVoice(peerId, level, now) {
    const voice = this.voices.get(peerId) ?? { speaking: false, quietSince: null };
    this.voices.set(peerId, voice);
    if (!voice.speaking) {
      if (level < SPEAKING_START) return;
      voice.speaking = true;
      voice.quietSince = null;
    } else if (level >= SPEAKING_STOP) {
      voice.quietSince = null;
      return;
    } else {
      voice.quietSince ??= now;
      if (now - voice.quietSince < SPEAKING_HOLD_MS) return;
      voice.speaking = false;
    }
    const peer = this.peers.get(peerId);
    if (peer) peer.speaking = voice.speaking;
    if (!voice.speaking && !peer && peerId !== this.peerId) this.voices.delete(peerId);
    this.emit('speaking', { peerId, level, speaking: voice.speaking });
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
    this.updateTimers();
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
    this.updateTimers();
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
    const peer = {
      peerId, name, stream: null, connectionState: 'new', channelOpen: false, media: null, stats: null, speaking: false,
    };
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
      // Every channel that opens (a rebuilt connection's too) learns this peer's state first.
      if (peer.channelOpen) link.sendChat({ type: 'media', ...this.localMedia });
      this.emit('channel', { peerId, open: peer.channelOpen });
    });
    link.addEventListener('track', (e) => {
      peer.stream = /** @type {any} */ (e).detail.stream;
      this.updateTimers();
      this.emit('track', { peerId, stream: /** @type {MediaStream} */ (peer.stream) });
    });
    link.addEventListener('message', (e) => {
      const { message } = /** @type {any} */ (e).detail;
      if (message.type === 'media') this.receiveMedia(peer, message);
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
    this.updateTimers();
    this.emit('peer-joined', { peer });
  }

  /**
   * A peer's `{"type":"media"}`: kept on the peer and passed on as `peer-media`, each time (a
   * repeated state, as after a rebuilt connection, fires again). Anything but booleans is ignored.
   * @param {RemotePeer} peer
   * @param {{audio?: unknown, video?: unknown, screen?: unknown}} message
   */
  receiveMedia(peer, { audio, video, screen }) {
    if (typeof audio !== 'boolean' || typeof video !== 'boolean') return;
    if (this.peers.get(peer.peerId) !== peer) return;
    const media = { audio, video, screen: screen === true };
    peer.media = media;
    this.emit('peer-media', { peerId: peer.peerId, ...media });
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
    this.voices.delete(peerId);
    this.updateTimers();
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
