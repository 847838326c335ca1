// TypeScript declarations for ./webrtc-room.js: the public API of the Signalbox browser client
// (joinRoom and the Room it returns). Hand-written; what is not here is internal. The test command
// (scripts/typescript-check.sh) checks them against a portal's use and against the JavaScript.

/** Called for every `join` the client sends (first join, resume, rejoin): a fresh token each time. */
export type TokenSource = () => string | Promise<string>;

/**
 * What {@link joinRoom} opens: each of `audio` and `video` is `true` (any device), the
 * constraints of `getUserMedia` (a chosen device: `{ deviceId: { exact: id } }`), or false or
 * absent (none).
 */
export interface MediaChoice {
  audio?: boolean | MediaTrackConstraints;
  video?: boolean | MediaTrackConstraints;
}

/**
 * What a peer sends (CLIENT.md's `{"type":"media"}`): `audio` the microphone is on, `video` the
 * camera (or the shared screen) is on, `screen` the screen is shared. A muted track is still sent
 * as silence or black, so this is what tells the others.
 */
export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/**
 * One `peer-stats` sample; null where unknown (no media, or the first sample for the rates).
 */
export interface PeerStats {
  /** Round-trip time in ms: the selected ICE candidate pair's, else RTCP's. */
  rttMs: number | null;
  /** The fraction (0..1) of incoming RTP packets lost since the previous sample. */
  packetLoss: number | null;
  /** Incoming media (RTP) in kbit/s since the previous sample. */
  bitrateKbps: number | null;
}

/** The options of {@link joinRoom}. */
export interface JoinOptions {
  /** The room to join. */
  room: string;
  /**
   * The signaling socket (`ws:`/`wss:`); default: `<context>/signal` beside the module. The HTTP
   * binding is at the same place over `http:`/`https:`, plus `/http`.
   */
  url?: string;
  /** The name the other peers see. */
  name?: string;
  /** Token mode: a token, or a function asked for a fresh one before every `join`. */
  token?: string | TokenSource;
  /**
   * `{audio, video}` opens the microphone and/or camera (each `true` or constraints, such as a
   * chosen `deviceId`), a `MediaStream` (a page's own preview) is sent as it is, `null` (the
   * default) joins for data only.
   */
  media?: MediaChoice | MediaStream | null;
  /** `'all'` (the default) or `'relay'` to force TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Incoming files larger than this are declined without asking; default 256 MiB. */
  maxFileBytes?: number;
  /**
   * How signaling travels. `'auto'` (the default) tries WebSocket and falls back to the HTTP
   * binding (long polling) when the upgrade is refused or no `welcome` arrives within 5 s, and
   * keeps that choice for the page's life; `'websocket'` or `'http'` use that binding alone.
   * {@link Room.transport} says which is in use.
   */
  transport?: 'auto' | 'websocket' | 'http';
}

/** Another peer of the room, as `room.peers` holds it. */
export interface RemotePeer {
  /** Its id in the room. */
  readonly peerId: string;
  /** Its name. */
  readonly name: string;
  /** Its incoming media, or null before its first track arrives. */
  readonly stream: MediaStream | null;
  /** The state of the `RTCPeerConnection` to it. */
  readonly connectionState: RTCPeerConnectionState;
  /** Whether the chat DataChannel to it is open (else chat goes through the server). */
  readonly channelOpen: boolean;
  /** What it last said it sends (`peer-media`); null before it said. */
  readonly media: MediaState | null;
  /** Its last `peer-stats` sample; null before the first. */
  readonly stats: PeerStats | null;
  /** Whether it speaks now (`speaking`). */
  readonly speaking: boolean;
}

/** A chat message as {@link Room.sendChat} sent it (the wire format of CLIENT.md). */
export interface ChatMessage {
  readonly type: 'chat';
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

/**
 * What {@link Room.sendFile} returns: resolves when every receiver confirmed every byte, rejects
 * when one declines, closes early or does not answer (the error's `code` says which).
 */
export type FileSend = Promise<void> & {
  /** Stops every transfer of this file; the promise rejects with code `file-cancelled`. */
  cancel: () => void;
};

/** `peer-joined`: a peer came (also each peer already there when this one joined). */
export interface PeerJoinedDetail {
  peer: RemotePeer;
}

/** Why a peer left: PROTOCOL.md's reasons; other strings may come from newer servers. */
export type PeerLeftReason = 'left' | 'disconnected' | 'timeout' | 'removed' | (string & {});

/** `peer-left`: a peer is gone for good; its connection is closed. */
export interface PeerLeftDetail {
  peerId: string;
  reason: PeerLeftReason;
}

/** `peer-state`: the connection to a peer changed state. */
export interface PeerStateDetail {
  peerId: string;
  connectionState: RTCPeerConnectionState;
}

/** `track`: a peer's media stream got a track (or one unmuted). */
export interface TrackDetail {
  peerId: string;
  stream: MediaStream;
}

/** `channel`: the chat DataChannel to a peer opened or closed. */
export interface ChannelDetail {
  peerId: string;
  open: boolean;
}

/** `chat`: a message from a peer, or from the portal (`from` is `'@server'`, `name` `'Server'`). */
export interface ChatDetail {
  from: string;
  name: string;
  text: string;
  /** Milliseconds since the epoch, as the sender stamped it. */
  at: number;
}

/**
 * `file-offer`: a peer wants to send a file; nothing of it is kept before `accept()`. Unanswered
 * for 30 s it is declined. Without any `file-offer` listener every file is declined at once.
 */
export interface FileOfferDetail {
  from: string;
  name: string;
  size: number;
  /** The type the sender announced (the received Blob may get a safer one). */
  mime: string;
  /** Receives the file: `file-progress`, then `file`. */
  accept(): void;
  /** Declines it; the sender's `sendFile` rejects. */
  reject(): void;
}

/** `file-progress` while sending, at most every 100 ms. */
export interface FileSendProgressDetail {
  peerId: string;
  name: string;
  /** Bytes that left this side so far. */
  sent: number;
  size: number;
  direction: 'send';
}

/** `file-progress` while receiving, at most every 100 ms. */
export interface FileReceiveProgressDetail {
  peerId: string;
  name: string;
  /** Bytes received so far. */
  received: number;
  size: number;
  direction: 'receive';
}

/** `file-progress`: tell the two apart by `direction`. */
export type FileProgressDetail = FileSendProgressDetail | FileReceiveProgressDetail;

/** `file`: a file arrived in full. */
export interface FileDetail {
  from: string;
  name: string;
  size: number;
  /** Typed as announced only for image/*, audio/*, video/*, application/pdf, text/plain. */
  blob: Blob;
}

/** `file-rejected`: an offered file will not arrive, and why. */
export interface FileRejectedDetail {
  from: string;
  name: string;
  size: number;
  /**
   * `too-large` (over maxFileBytes), `timeout` (no answer in 30 s), `declined` (reject()),
   * `no-listener` (no `file-offer` listener), `cancelled` (the sender withdrew it).
   */
  reason: 'too-large' | 'timeout' | 'declined' | 'no-listener' | 'cancelled';
}

/** `reconnecting`: the signaling connection dropped; attempt `attempt` follows after a backoff. */
export interface ReconnectingDetail {
  attempt: number;
}

/** `reconnected`: back after a drop; `resumed` false means a fresh join with a new peerId. */
export interface ReconnectedDetail {
  resumed: boolean;
}

/**
 * `error`: from the server (its `code`, e.g. `unauthorized`: the client stopped reconnecting) or
 * from one peer's connection (then with `peerId`: `negotiation`, `ice-server-refused` with
 * `errorCode` and `url`, `ice-servers`, `file-overrun` and `file-aborted` with the file's `name`).
 */
export interface RoomErrorDetail {
  code: string;
  message: string;
  peerId?: string;
  name?: string;
  errorCode?: number;
  url?: string;
}

/** `left`: the portal removed this peer or closed the room; nothing rejoins by itself. */
export interface LeftDetail {
  reason: 'removed' | 'closed';
}

/** `screen-share`: this peer started or stopped sending its screen. */
export type ScreenShareDetail =
  | { active: true; track: MediaStreamTrack }
  | { active: false; track: null };

/** `peer-media`: a peer said what it sends (on every change, and whenever its channel opens). */
export interface PeerMediaDetail extends MediaState {
  peerId: string;
}

/** `local-media`: this peer's own {@link Room.localMedia} changed (mute, camera, screen). */
export type LocalMediaDetail = MediaState;

/** `peer-stats`: every 2 s for each connected peer, from `getStats()`. */
export interface PeerStatsDetail extends PeerStats {
  peerId: string;
}

/**
 * `speaking`: a peer (or this peer: `peerId` is `room.peerId`) started or stopped speaking.
 * Starts when the audio level reaches 0.05; stops after 1 s below 0.02.
 */
export interface SpeakingDetail {
  peerId: string;
  /** The audio level (0..1, linear) that crossed the threshold. */
  level: number;
  /** True when it started, false when it stopped. */
  speaking: boolean;
}

/** Every event a {@link Room} dispatches: a `CustomEvent` with its payload in `detail`. */
export interface RoomEventMap {
  'peer-joined': CustomEvent<PeerJoinedDetail>;
  'peer-left': CustomEvent<PeerLeftDetail>;
  'peer-state': CustomEvent<PeerStateDetail>;
  'track': CustomEvent<TrackDetail>;
  'channel': CustomEvent<ChannelDetail>;
  'chat': CustomEvent<ChatDetail>;
  'file-offer': CustomEvent<FileOfferDetail>;
  'file-progress': CustomEvent<FileProgressDetail>;
  'file': CustomEvent<FileDetail>;
  'file-rejected': CustomEvent<FileRejectedDetail>;
  'reconnecting': CustomEvent<ReconnectingDetail>;
  'reconnected': CustomEvent<ReconnectedDetail>;
  'error': CustomEvent<RoomErrorDetail>;
  'left': CustomEvent<LeftDetail>;
  'screen-share': CustomEvent<ScreenShareDetail>;
  'peer-media': CustomEvent<PeerMediaDetail>;
  'local-media': CustomEvent<LocalMediaDetail>;
  'peer-stats': CustomEvent<PeerStatsDetail>;
  'speaking': CustomEvent<SpeakingDetail>;
}

/**
 * Joins a room; resolves after the server's `joined`. Rejects with an Error whose `code` is e.g.
 * `unreachable`, `unauthorized`, `media-denied` or `media-unavailable`, and with a TypeError for
 * options it cannot use (no `room`, an unknown `transport`).
 */
export function joinRoom(options: JoinOptions): Promise<Room>;

/**
 * One membership of one room: a full mesh, one `RTCPeerConnection` per other peer. Listen to
 * its {@link RoomEventMap} events.
 */
export class Room extends EventTarget {
  /** Rooms come from {@link joinRoom}, which has joined when it resolves. */
  private constructor();

  /** The room's name. */
  readonly room: string;
  /** This peer's name, as the server confirmed it. */
  readonly name: string;
  /** This peer's id, from the server's `joined` (kept across a resume). */
  readonly peerId: string;
  /** The local camera/microphone stream, or null for data only. */
  readonly localStream: MediaStream | null;
  /** Every other peer of the room, by peerId. */
  readonly peers: ReadonlyMap<string, RemotePeer>;
  /** The ICE transport policy of every connection. */
  readonly iceTransportPolicy: RTCIceTransportPolicy;
  /** Incoming files larger than this are declined without asking. */
  readonly maxFileBytes: number;
  /** The screen track being sent instead of the camera, or null. */
  readonly screenTrack: MediaStreamTrack | null;
  /** What this peer sends, as the others learn it (`local-media` when it changes). */
  readonly localMedia: MediaState;
  /**
   * The binding signaling uses: `'websocket'`, or `'http'` where WebSocket is blocked (or the
   * `transport` option asked for it); null before the first connection.
   */
  readonly transport: 'websocket' | 'http' | null;

  /**
   * Chat to every peer, or to `to`: over the DataChannel, else through the server relay, so no
   * message is lost.
   */
  sendChat(text: string, options?: { to?: string }): ChatMessage;
  /**
   * Sends a file (a `File`, or a `Blob` with an optional `name`) to every peer, or to `to`, each
   * over its own DataChannel, with back-pressure.
   */
  sendFile(file: Blob & { name?: string }, options?: { to?: string }): FileSend;
  /** Mutes or unmutes the microphone, without renegotiation. */
  setMicrophoneEnabled(enabled: boolean): void;
  /** Turns the camera (and a shared screen) off or on, without renegotiation. */
  setCameraEnabled(enabled: boolean): void;
  /** Sends the screen instead of the camera to every peer; resolves with the screen's track. */
  shareScreen(): Promise<MediaStreamTrack>;
  /** Sends the camera again. */
  stopScreenShare(): Promise<void>;
  /** The cameras, microphones and speakers (labels once camera or microphone was allowed). */
  listDevices(): Promise<MediaDeviceInfo[]>;
  /**
   * Sends camera `deviceId` instead of the current one, without renegotiation: the new track
   * keeps the old one's mute state, replaces it in {@link Room.localStream} (the same
   * MediaStream) and the old one stops. While the screen is shared, the new camera is sent when
   * the share stops. Rejects with code `no-track` (no camera in this call), `media-denied` or
   * `media-unavailable` (the old camera stays).
   */
  setCamera(deviceId: string): Promise<MediaStreamTrack>;
  /** As {@link Room.setCamera}, for the microphone (a muted one stays muted). */
  setMicrophone(deviceId: string): Promise<MediaStreamTrack>;
  /** Sends one more track to every peer (this renegotiates every connection). */
  addTrack(track: MediaStreamTrack): void;
  /** Leaves, closes every connection and stops the local tracks. */
  leave(): void;

  /** Listens to one of the room's events, with its `detail` typed. */
  addEventListener<K extends keyof RoomEventMap>(
    type: K,
    listener: (this: Room, event: RoomEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Removes a listener added with {@link Room.addEventListener}. */
  removeEventListener<K extends keyof RoomEventMap>(
    type: K,
    listener: (this: Room, event: RoomEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}
