// The signaling socket of one room membership: connects, joins, keeps the connection alive and
// comes back after a drop, resuming the same peerId when the server still holds it.

/** @typedef {{peerId: string, name: string}} PeerInfo */
/** @typedef {{type: string, [key: string]: any}} Envelope */

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** The socket URL beside this module: <context>/js/signaling.js -> <context>/signal. */
export function defaultSignalUrl() {
  const url = new URL('../signal', import.meta.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * Events: `welcome` (the frame), `joined` (the frame, plus `reconnect`: true after a drop),
 * `ended` {reason} when the portal removed this peer or closed the room (the channel stops),
 * `envelope` for every other server frame, `reconnecting` {attempt, delay}; and, before the first
 * join only, `closed` {code, reason} and `join-error` (the server's error), which make
 * {@link SignalingChannel#start} reject. A later join refused as `unauthorized` stops the channel
 * for good (retrying with the same credentials cannot help): its error still comes as `envelope`.
 */
export class SignalingChannel extends EventTarget {
  /**
   * @param {{url: string, room: string, name?: string,
   *   token?: string|(() => (string|Promise<string>))}} options a token, or a function asked for one
   *   before every join
   */
  constructor({ url, room, name, token }) {
    super();
    this.url = url;
    this.room = room;
    this.name = name;
    this.token = token;
    /** @type {WebSocket|null} */
    this.socket = null;
    /** @type {string|null} */
    this.resumeToken = null;
    /** Frames sent while no joined socket was there; flushed after the next join, in order. */
    /** @type {Envelope[]} */
    this.outbox = [];
    this.joined = false;
    this.stopped = false;
    /** True until the first join: failing then rejects start() instead of reconnecting. */
    this.firstAttempt = false;
    this.attempt = 0;
    this.heartbeatMs = 25_000;
    this.lastFrameAt = 0;
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.heartbeatTimer = undefined;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.retryTimer = undefined;
  }

  /**
   * Connects and joins the first time; rejects when the server cannot be reached or refuses.
   * @returns {Promise<any>} the `joined` frame
   */
  start() {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        fail({ code: 'unreachable', message: `no answer from ${this.url}` });
      }, CONNECT_TIMEOUT_MS);
      const onJoined = (/** @type {any} */ e) => { cleanup(); resolve(e.detail); };
      const onClosed = (/** @type {any} */ e) => {
        fail({ code: 'unreachable', message: `cannot connect to ${this.url} (${e.detail.code})` });
      };
      const onError = (/** @type {any} */ e) => { fail(e.detail); };
      const cleanup = () => {
        clearTimeout(timeout);
        this.removeEventListener('joined', onJoined);
        this.removeEventListener('closed', onClosed);
        this.removeEventListener('join-error', onError);
      };
      const fail = (/** @type {{code: string, message: string}} */ error) => {
        cleanup();
        this.stop();
        reject(Object.assign(new Error(error.message), { code: error.code }));
      };
      this.addEventListener('joined', onJoined);
      this.addEventListener('closed', onClosed);
      this.addEventListener('join-error', onError);
      this.firstAttempt = true;
      this.open();
    });
  }

  /** @param {Envelope} envelope sent now when joined, else after the next join */
  send(envelope) {
    if (this.joined && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(envelope));
    } else if (!this.stopped) {
      this.outbox.push(envelope);
    }
  }

  /** Leaves the room and closes for good. */
  leave() {
    if (this.socket?.readyState === WebSocket.OPEN && this.joined) {
      this.socket.send(JSON.stringify({ type: 'leave' }));
    }
    this.stop();
  }

  stop() {
    this.stopped = true;
    this.joined = false;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'leaving');
  }

  /** Drops the socket as a network failure would; it reconnects and resumes. For tests, too. */
  drop() {
    this.socket?.close(4000, 'dropped by the client');
  }

  open() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.joined = false;
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket) return;
      this.lastFrameAt = Date.now();
      /** @type {Envelope} */
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.receive(frame);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.joined = false;
      clearInterval(this.heartbeatTimer);
      if (this.stopped) return;
      if (this.firstAttempt) {
        this.dispatchEvent(new CustomEvent('closed', { detail: { code: event.code, reason: event.reason } }));
        return;
      }
      this.scheduleReconnect();
    });
  }

  /** @param {Envelope} frame */
  receive(frame) {
    switch (frame.type) {
      case 'welcome': {
        this.heartbeatMs = frame.heartbeatMs || this.heartbeatMs;
        this.dispatchEvent(new CustomEvent('welcome', { detail: frame }));
        this.startHeartbeat();
        this.sendJoin();
        break;
      }
      case 'joined': {
        this.joined = true;
        this.firstAttempt = false;
        this.resumeToken = frame.resumeToken;
        const wasReconnect = this.attempt > 0;
        this.attempt = 0;
        this.dispatchEvent(new CustomEvent('joined', { detail: { ...frame, reconnect: wasReconnect } }));
        const queued = this.outbox;
        this.outbox = [];
        // A fresh join after a reconnect has a new peerId among peers that may be new too: what
        // was queued for the old membership is addressed to nobody.
        if (wasReconnect && !frame.resumed) break;
        for (const envelope of queued) this.send(envelope);
        break;
      }
      case 'error':
        if (frame.ref === 'join') {
          this.dispatchEvent(new CustomEvent('join-error', { detail: frame }));
          // The token no longer opens this room (revoked, another secret, a resume under another
          // name): reconnecting would only repeat the refusal, so the page has to decide.
          if (frame.code === 'unauthorized') this.stop();
        }
        this.dispatchEvent(new CustomEvent('envelope', { detail: frame }));
        break;
      case 'pong':
        break;
      case 'left':
        // Unasked, with a reason: the portal removed this peer or closed the room. The socket
        // would stay open outside any room; nothing here may rejoin by itself (PROTOCOL.md).
        if (frame.reason === 'removed' || frame.reason === 'closed') {
          this.stop();
          this.dispatchEvent(new CustomEvent('ended', { detail: { reason: frame.reason } }));
          break;
        }
        this.dispatchEvent(new CustomEvent('envelope', { detail: frame }));
        break;
      default:
        this.dispatchEvent(new CustomEvent('envelope', { detail: frame }));
    }
  }

  /** Sends `join` on the current socket, with a token asked for now when `token` is a function. */
  async sendJoin() {
    const socket = this.socket;
    /** @type {unknown} */
    let token;
    try {
      const source = this.token;
      token = typeof source === 'function' ? await source() : source;
    } catch (error) {
      if (this.socket !== socket) return;
      const message = `no token for the join: ${error instanceof Error ? error.message : error}`;
      if (this.firstAttempt) {
        this.dispatchEvent(new CustomEvent('join-error', { detail: { code: 'token-unavailable', message } }));
      } else {
        // Perhaps the portal was briefly unreachable: try again with the usual backoff.
        socket?.close(4002, 'no token');
      }
      return;
    }
    if (this.socket !== socket || socket?.readyState !== WebSocket.OPEN) return;
    /** @type {Envelope} */
    const join = { type: 'join', room: this.room, id: 'join' };
    if (this.name) join.name = this.name;
    if (token !== undefined && token !== null && token !== '') join.token = String(token);
    if (this.resumeToken) join.resume = this.resumeToken;
    socket.send(JSON.stringify(join));
  }

  // The server pings, but a browser cannot see pings: a socket whose peer vanished without a
  // TCP reset only shows as silence. Our own ping makes silence mean a dead socket.
  startHeartbeat() {
    clearInterval(this.heartbeatTimer);
    this.lastFrameAt = Date.now();
    const interval = Math.max(1000, this.heartbeatMs);
    this.heartbeatTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.lastFrameAt > 2 * interval) {
        socket.close(4001, 'no answer from the server');
        return;
      }
      socket.send(JSON.stringify({ type: 'ping' }));
    }, interval);
  }

  scheduleReconnect() {
    this.attempt += 1;
    // Exponential backoff with jitter, so a restarted server is not met by every client at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.attempt - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.dispatchEvent(new CustomEvent('reconnecting', { detail: { attempt: this.attempt, delay } }));
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }
}
