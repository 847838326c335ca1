// The signaling connection of one room membership: connects, joins, keeps the connection alive
// and comes back after a drop, resuming the same peerId when the server still holds it. Frames
// travel over a WebSocket, or over PROTOCOL.md's HTTP binding where a proxy refuses the upgrade;
// both sit behind one small interface (a transport and its sink), so joining, resuming, the
// heartbeat and the outbox exist once, here in SignalingChannel.

/** @typedef {{peerId: string, name: string}} PeerInfo */
/** @typedef {{type: string, [key: string]: any}} Envelope */
/** @typedef {'auto'|'websocket'|'http'} TransportOption */
/** @typedef {'websocket'|'http'} TransportKind */

/**
 * What a transport reports to, in order, until it has reported `closed` (once).
 * @typedef {object} Sink
 * @property {(frame: Envelope) => void} frame a frame from the server
 * @property {() => void} alive traffic from the server: any frame, and an empty poll answer
 * @property {(end: {code: number, reason: string, unsent: Envelope[]}) => void} closed the
 *   connection ended: the server's close code, 1006 for a drop, or the code given to close();
 *   `unsent` holds frames given to send() that the server may not have handled
 */

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** `auto`: a WebSocket that brings no `welcome` within this long counts as blocked (CLIENT.md). */
const WEBSOCKET_WELCOME_MS = 5_000;
/** A poll unanswered this long past the server's `pollMs` is a drop (the server answers by then). */
const POLL_MARGIN_MS = 10_000;
/**
 * A poll that failed on the network (its answer lost on the way) is asked again this many times,
 * with the same `ack`, before it counts as a drop: the server keeps every frame the client has
 * not acknowledged and sends it again, so a hiccup costs no reconnect and no resume.
 */
const POLL_RETRIES = 2;
const POLL_RETRY_MS = 250;
/** Opening an HTTP session, one send and the close: the server answers these at once. */
const REQUEST_TIMEOUT_MS = 10_000;
/** PROTOCOL.md's defaults, used until the server's open answer and `welcome` say otherwise. */
const DEFAULT_POLL_MS = 25_000;
const DEFAULT_MAX_MESSAGE_BYTES = 65_536;
/** What a browser reports for a connection that ended without a close frame (or never opened). */
const ABNORMAL_CLOSURE = 1006;

/**
 * `auto`'s choice for the page's life (CLIENT.md): the binding of the first connection on this
 * page that brought a `welcome`. Where a proxy refuses WebSocket, every later connection, of
 * any room, goes straight to HTTP instead of waiting for the refusal again.
 * @type {TransportKind|null}
 */
let autoChoice = null;

/** The socket URL beside this module: <context>/js/signaling.js -> <context>/signal. */
export function defaultSignalUrl() {
  const url = new URL('../signal', import.meta.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * The HTTP binding beside a socket URL: ws(s)://host/<ctx>/signal -> http(s)://host/<ctx>/signal/http
 * (a query, if any, is kept for every request).
 * @param {string} socketUrl
 */
export function httpSignalUrl(socketUrl) {
  const url = new URL(socketUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/http`;
  return url.href;
}

/** A WebSocket behind the transport interface. */
class SocketTransport {
  /** @param {string} url @param {Sink} sink */
  constructor(url, sink) {
    /** @type {TransportKind} */
    this.kind = 'websocket';
    this.url = url;
    this.socket = new WebSocket(url);
    this.socket.addEventListener('message', (event) => {
      sink.alive();
      /** @type {Envelope} */
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      sink.frame(frame);
    });
    this.socket.addEventListener('close', (event) => {
      // What the socket had buffered is gone with it, and nothing tells which part arrived.
      sink.closed({ code: event.code, reason: event.reason, unsent: [] });
    });
  }

  get isOpen() {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** @param {Envelope} frame */
  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }

  /** @param {number} code @param {string} reason */
  close(code, reason) {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close(code, reason);
  }
}

const utf8 = new TextEncoder();

/**
 * The frames at the head of `queue` that fit one request body of at most `limit` bytes (at least
 * one frame, whatever its size: the server judges a frame too big, as over a WebSocket), taken
 * off the queue.
 * @param {Envelope[]} queue @param {number} limit
 */
function takeBatch(queue, limit) {
  /** @type {Envelope[]} */
  const frames = [];
  /** @type {string[]} */
  const texts = [];
  let bytes = 2; // the brackets
  while (queue.length > 0) {
    const text = JSON.stringify(queue[0]);
    const size = utf8.encode(text).length + (texts.length > 0 ? 1 : 0);
    if (texts.length > 0 && bytes + size > limit) break;
    bytes += size;
    texts.push(text);
    frames.push(/** @type {Envelope} */ (queue.shift()));
  }
  return { frames, body: `[${texts.join(',')}]` };
}

/** @param {string} text */
function parseObject(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * One session of PROTOCOL.md's HTTP binding behind the transport interface: the open answer
 * brings `welcome`, exactly one long poll is outstanding while the session lives, and sends go
 * one POST at a time, batching what queued meanwhile. Runs on the page's one thread; every
 * request is bounded by an AbortController and aborted when the session ends.
 */
class HttpTransport {
  /** @param {string} url the binding's base, `<context>/signal/http` @param {Sink} sink */
  constructor(url, sink) {
    /** @type {TransportKind} */
    this.kind = 'http';
    this.url = url;
    this.sink = sink;
    /** @type {string|null} */
    this.session = null;
    /** Until the session ends (closed, lost, or closed by the client): the sink hears from it. */
    this.live = true;
    /** The client's own close is under way: the queue still drains, then the DELETE. */
    this.leaving = false;
    /** The last frame sequence number received; `welcome`, in the open answer, is 1. */
    this.ack = 1;
    this.pollMs = DEFAULT_POLL_MS;
    this.maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    /** @type {Envelope[]} frames not yet posted */
    this.queue = [];
    /** @type {Envelope[]} the frames of the POST under way */
    this.inFlight = [];
    /** @type {AbortController|null} */
    this.pollAbort = null;
    /** @type {Set<AbortController>} every request under way */
    this.requests = new Set();
    // A closing tab ends the membership at once, as a WebSocket's close on unload does, instead
    // of leaving the room to wait for the session to lapse and the resume grace to run out.
    this.onPageHide = () => {
      this.deleteSession();
      this.end(1001, 'page hidden');
    };
    addEventListener('pagehide', this.onPageHide);
    this.openSession();
  }

  get isOpen() {
    return this.live && this.session !== null;
  }

  /** @param {Envelope} frame */
  send(frame) {
    if (!this.live) return;
    this.queue.push(frame);
    this.pump();
  }

  /**
   * 1000 is the client's close (leave): what is queued is still posted, then the session is
   * deleted, and the room sees the peer leave. Any other code abandons the session as a network
   * drop would: the server keeps the membership for its resume grace.
   * @param {number} code @param {string} reason
   */
  close(code, reason) {
    if (!this.live) return;
    if (code === 1000) {
      this.leaving = true;
      this.pollAbort?.abort();
      if (this.inFlight.length === 0) this.pump();
      this.end(code, reason, false);
      return;
    }
    this.end(code, reason);
  }

  /**
   * One request, with its body read, aborted after `timeoutMs` or when the session ends.
   * @param {string} url @param {RequestInit} init @param {number} timeoutMs
   * @param {AbortController} [controller] one the caller keeps, to abort the request itself
   * @returns {Promise<{status: number, body: string}>} rejects on a network failure or abort
   */
  async request(url, init, timeoutMs, controller = new AbortController()) {
    this.requests.add(controller);
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(url, { ...init, cache: 'no-store', signal: controller.signal });
      return { status: response.status, body: await response.text() };
    } finally {
      clearTimeout(timer);
      this.requests.delete(controller);
    }
  }

  /** The session's own URL, with `query`. @param {Record<string, string>} [query] */
  sessionUrl(query = {}) {
    const url = new URL(this.url);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(/** @type {string} */ (this.session))}`;
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.href;
  }

  async openSession() {
    /** @type {{status: number, body: string}} */
    let answer;
    try {
      answer = await this.request(this.url, { method: 'POST' }, REQUEST_TIMEOUT_MS);
    } catch (error) {
      this.end(ABNORMAL_CLOSURE, `cannot reach ${this.url}: ${error}`);
      return;
    }
    const opened = parseObject(answer.body);
    if (!this.live) {
      // Closed while the server was opening it: end it there too rather than let it lapse.
      if (answer.status === 200 && typeof opened?.session === 'string') {
        this.session = opened.session;
        this.deleteSession();
      }
      return;
    }
    // 404 (no HTTP binding here), 403 (origin, login), 429 (too many from this address) and any
    // other refusal end the attempt as a refused WebSocket handshake does.
    if (answer.status !== 200 || !opened || !Array.isArray(opened.frames)) {
      this.end(ABNORMAL_CLOSURE, `${this.url} answered ${answer.status}`);
      return;
    }
    if (typeof opened.session === 'string') this.session = opened.session;
    if (Number.isFinite(opened.pollMs) && opened.pollMs > 0) this.pollMs = opened.pollMs;
    if (Number.isSafeInteger(opened.seq) && opened.seq > 0) this.ack = opened.seq;
    // The frames come first: a node that refuses answers with a `closed` frame and no session.
    if (!this.deliver(opened.frames)) return;
    if (this.session === null) {
      this.end(ABNORMAL_CLOSURE, `${this.url} opened no session`);
      return;
    }
    this.poll();
    this.pump();
  }

  /**
   * Exactly one poll outstanding while the session lives: each turn is one request, bounded by
   * pollMs + POLL_MARGIN_MS, and the loop ends with the session.
   */
  async poll() {
    let failures = 0;
    while (this.live) {
      /** @type {{status: number, body: string}} */
      let answer;
      this.pollAbort = new AbortController();
      try {
        answer = await this.request(this.sessionUrl({ ack: String(this.ack) }), { method: 'GET' },
          this.pollMs + POLL_MARGIN_MS, this.pollAbort);
      } catch (error) {
        if (!this.live) return;
        // fetch rejects with a TypeError when the network failed; an abort (no answer in time)
        // means the server is out of reach, and so does a failure that repeats: a drop.
        if (error instanceof TypeError && failures++ < POLL_RETRIES) {
          await new Promise((resume) => setTimeout(resume, POLL_RETRY_MS * failures));
          continue;
        }
        this.end(ABNORMAL_CLOSURE, `poll failed: ${error}`);
        return;
      } finally {
        this.pollAbort = null;
      }
      failures = 0;
      if (!this.live) return;
      const polled = parseObject(answer.body);
      if (answer.status !== 200 || !polled || !Array.isArray(polled.frames)) {
        // 404 unknown-session: the server ended or forgot the session; resume on a new one.
        this.end(ABNORMAL_CLOSURE, `poll answered ${answer.status}`);
        return;
      }
      this.sink.alive();
      if (Number.isSafeInteger(polled.seq) && polled.seq >= this.ack) this.ack = polled.seq;
      if (!this.deliver(polled.frames)) return;
    }
  }

  /**
   * Hands frames to the sink in order; a `closed` frame is the server's close. False once the
   * session ended (a frame may end it: the channel stops on being removed from the room).
   * @param {unknown[]} frames
   */
  deliver(frames) {
    for (const frame of frames) {
      if (!this.live) return false;
      if (frame === null || typeof frame !== 'object' || typeof (/** @type {any} */ (frame).type) !== 'string') continue;
      const envelope = /** @type {Envelope} */ (frame);
      if (envelope.type === 'closed') {
        this.end(Number.isInteger(envelope.code) ? envelope.code : ABNORMAL_CLOSURE, String(envelope.reason ?? ''));
        return false;
      }
      if (envelope.type === 'welcome' && Number.isFinite(envelope.limits?.maxMessageBytes)) {
        this.maxMessageBytes = envelope.limits.maxMessageBytes;
      }
      this.sink.frame(envelope);
    }
    return this.live;
  }

  /** Posts what is queued, one POST at a time; then, when leaving, deletes the session. */
  async pump() {
    if (this.inFlight.length > 0 || this.session === null || !(this.live || this.leaving)) return;
    if (this.queue.length === 0) {
      if (this.leaving) this.deleteSession();
      return;
    }
    const batch = takeBatch(this.queue, this.maxMessageBytes);
    this.inFlight = batch.frames;
    /** @type {{status: number, body: string}} */
    let answer;
    try {
      answer = await this.request(this.sessionUrl(), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: batch.body,
        keepalive: this.leaving,
      }, REQUEST_TIMEOUT_MS);
    } catch (error) {
      // Frames of a POST that failed on the network go back to the channel, which sends them again
      // after the resume: the server may have handled them already (the answer was lost, not the
      // request), so a receiver may see a frame twice, but none is lost. That is the lesser harm:
      // a repeated ICE candidate is harmless and a repeated description is ignored or answered
      // again by perfect negotiation, whereas a lost description stalls a negotiation and a lost
      // relayed chat breaks CLIENT.md's "no message is lost".
      this.failed(`send failed: ${error}`);
      return;
    }
    // Ended meanwhile (a failed poll): the batch went back to the channel with the rest.
    if (!this.live && !this.leaving) return;
    if (answer.status === 413) {
      // One frame over maxMessageBytes: the server ends the session as after 1009. The batch is
      // not sent again, since it would be refused again.
      this.inFlight = [];
      this.failed('message too big', 1009);
      return;
    }
    if (answer.status === 400) {
      // Not an array of frame objects: nothing handled, and the session goes on. The same body
      // would be refused again, so the batch is dropped, as the server dropped it.
      console.warn(`signaling: the server refused ${this.inFlight.length} frame(s) as malformed`);
    } else if (answer.status < 200 || answer.status >= 300) {
      // 404 unknown-session handled nothing (the session is gone: resume on a new one); a server
      // error is taken as a network failure, for the reason above.
      this.failed(`send answered ${answer.status}`);
      return;
    }
    this.inFlight = [];
    this.pump();
  }

  /**
   * A send failed: the session ends as a drop (`code` 1006) or as the server's close. When the
   * client was leaving, the DELETE still goes out, in case the session is there to end.
   * @param {string} reason @param {number} [code]
   */
  failed(reason, code = ABNORMAL_CLOSURE) {
    if (this.leaving) this.deleteSession();
    this.end(code, reason);
  }

  /** The client's close of the session, fire and forget; it survives the page's unload. */
  deleteSession() {
    if (this.session === null) return;
    const url = this.sessionUrl();
    this.session = null;
    this.leaving = false;
    fetch(url, { method: 'DELETE', keepalive: true, cache: 'no-store' }).catch(() => {
      // Gone already, or unreachable: the server lets the session lapse.
    });
  }

  /**
   * Ends the session for the sink (once): aborts the poll, and every other request unless the
   * client's close still drains the queue.
   * @param {number} code @param {string} reason @param {boolean} [abortSends]
   */
  end(code, reason, abortSends = true) {
    if (!this.live) return;
    this.live = false;
    removeEventListener('pagehide', this.onPageHide);
    const unsent = abortSends ? [...this.inFlight, ...this.queue] : [];
    if (abortSends) {
      this.inFlight = [];
      this.queue = [];
      for (const controller of this.requests) controller.abort();
    } else {
      this.pollAbort?.abort();
    }
    this.sink.closed({ code, reason, unsent });
  }
}

/**
 * Events: `welcome` (the frame), `joined` (the frame, plus `reconnect`: true after a drop),
 * `ended` {reason} when the portal removed this peer or closed the room (the channel stops),
 * `envelope` for every other server frame, `reconnecting` {attempt, delay}; and, before the first
 * join only, `closed` {code, reason, url} and `join-error` (the server's error), which make
 * {@link SignalingChannel#start} reject. A later join refused as `unauthorized` stops the channel
 * for good (retrying with the same credentials cannot help): its error still comes as `envelope`.
 */
export class SignalingChannel extends EventTarget {
  /**
   * @param {{url: string, room: string, name?: string,
   *   token?: string|(() => (string|Promise<string>)), transport?: TransportOption}} options a
   *   token, or a function asked for one before every join; `transport` 'auto' (default),
   *   'websocket' or 'http'
   */
  constructor({ url, room, name, token, transport = 'auto' }) {
    super();
    this.url = url;
    this.room = room;
    this.name = name;
    this.token = token;
    /** @type {TransportOption} */
    this.transportOption = transport;
    /**
     * The binding of the connection that brought the last `welcome`; null before the first.
     * @type {TransportKind|null}
     */
    this.transport = null;
    /** `auto` on this page found WebSocket blocked before any connection decided for the page. */
    this.fellBack = false;
    /**
     * The current connection, over either binding; null while there is none.
     * @type {SocketTransport|HttpTransport|null}
     */
    this.socket = null;
    /** @type {string|null} */
    this.resumeToken = null;
    /** Frames sent while no joined connection was there; flushed after the next join, in order. */
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
      // A blocked WebSocket may take its whole welcome wait before HTTP starts.
      const budget = CONNECT_TIMEOUT_MS + (this.probesWebSocket() ? WEBSOCKET_WELCOME_MS : 0);
      const timeout = setTimeout(() => {
        fail({ code: 'unreachable', message: `no answer from ${this.url}` });
      }, budget);
      const onJoined = (/** @type {any} */ e) => { cleanup(); resolve(e.detail); };
      const onClosed = (/** @type {any} */ e) => {
        fail({ code: 'unreachable', message: `cannot connect to ${e.detail.url} (${e.detail.code})` });
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
    if (this.joined && this.socket?.isOpen) {
      this.socket.send(envelope);
    } else if (!this.stopped) {
      this.outbox.push(envelope);
    }
  }

  /** Leaves the room and closes for good. */
  leave() {
    if (this.socket?.isOpen && this.joined) {
      this.socket.send({ type: 'leave' });
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
    socket?.close(1000, 'leaving');
  }

  /** Drops the connection as a network failure would; it reconnects and resumes. For tests, too. */
  drop() {
    this.socket?.close(4000, 'dropped by the client');
  }

  /** The binding the next connection uses. @returns {TransportKind} */
  nextTransport() {
    if (this.transportOption !== 'auto') return this.transportOption;
    return autoChoice ?? (this.fellBack ? 'http' : 'websocket');
  }

  /** Whether the next connection is `auto`'s WebSocket try, which may fall back to HTTP. */
  probesWebSocket() {
    return this.transportOption === 'auto' && autoChoice === null && !this.fellBack;
  }

  open() {
    const kind = this.nextTransport();
    const probing = this.probesWebSocket();
    let welcomed = false;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    let welcomeTimer;
    /** @type {SocketTransport|HttpTransport|null} */
    let transport = null;
    /** @type {Sink} */
    const sink = {
      alive: () => {
        if (this.socket === transport) this.lastFrameAt = Date.now();
      },
      frame: (frame) => {
        if (this.socket !== transport) return;
        if (frame.type === 'welcome') {
          welcomed = true;
          clearTimeout(welcomeTimer);
          this.transport = kind;
          if (this.transportOption === 'auto' && autoChoice === null) autoChoice = kind;
        }
        this.receive(frame);
      },
      closed: ({ code, reason, unsent }) => {
        if (this.socket !== transport) return;
        clearTimeout(welcomeTimer);
        this.socket = null;
        this.joined = false;
        clearInterval(this.heartbeatTimer);
        this.requeue(unsent);
        if (this.stopped) return;
        // A proxy that refuses the upgrade shows as a socket closed without a close frame, before
        // any welcome; a close code from the server means WebSocket got through.
        if (probing && !welcomed && code === ABNORMAL_CLOSURE) {
          this.fallBack();
          return;
        }
        if (this.firstAttempt) {
          const url = /** @type {SocketTransport|HttpTransport} */ (transport).url;
          this.dispatchEvent(new CustomEvent('closed', { detail: { code, reason, url } }));
          return;
        }
        this.scheduleReconnect();
      },
    };
    // Neither transport calls its sink before its first event, so `transport` is set by then.
    transport = kind === 'http' ? new HttpTransport(httpSignalUrl(this.url), sink) : new SocketTransport(this.url, sink);
    this.socket = transport;
    this.joined = false;
    if (probing) {
      welcomeTimer = setTimeout(() => {
        if (this.socket !== transport || welcomed) return;
        // Connected, perhaps, through something that never lets a frame through: HTTP instead.
        this.socket = null;
        transport?.close(1000, 'no welcome');
        this.fallBack();
      }, WEBSOCKET_WELCOME_MS);
    }
  }

  /** `auto`: WebSocket is blocked here; the HTTP binding at once, no backoff. */
  fallBack() {
    this.fellBack = true;
    this.open();
  }

  /**
   * Frames a connection took but may not have delivered (HttpTransport says when and why) go
   * back ahead of the outbox, to be sent after the next join; `join`, `ping` and `leave` belonged
   * to that connection alone.
   * @param {Envelope[]} unsent
   */
  requeue(unsent) {
    if (this.stopped) return;
    const relays = unsent.filter((f) => f.type !== 'join' && f.type !== 'ping' && f.type !== 'leave');
    if (relays.length > 0) this.outbox = [...relays, ...this.outbox];
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
        // Unasked, with a reason: the portal removed this peer or closed the room. The connection
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

  /** Sends `join` on the current connection, with a token asked for now when `token` is a function. */
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
    if (this.socket !== socket || !socket?.isOpen) return;
    /** @type {Envelope} */
    const join = { type: 'join', room: this.room, id: 'join' };
    if (this.name) join.name = this.name;
    if (token !== undefined && token !== null && token !== '') join.token = String(token);
    if (this.resumeToken) join.resume = this.resumeToken;
    socket.send(join);
  }

  // The server pings, but a browser cannot see pings: a socket whose peer vanished without a
  // TCP reset only shows as silence. Our own ping makes silence mean a dead connection. Over
  // HTTP every poll answer counts as traffic, and the pong comes back in one.
  startHeartbeat() {
    clearInterval(this.heartbeatTimer);
    this.lastFrameAt = Date.now();
    const interval = Math.max(1000, this.heartbeatMs);
    this.heartbeatTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket || !socket.isOpen) return;
      if (Date.now() - this.lastFrameAt > 2 * interval) {
        socket.close(4001, 'no answer from the server');
        return;
      }
      socket.send({ type: 'ping' });
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
