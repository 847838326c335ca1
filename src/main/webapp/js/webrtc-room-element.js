// <webrtc-room room="standup" name="Alice" media="video|audio|none" token="…"
//              ice-transport-policy="all|relay" transport="auto|websocket|http">: a
// self-contained call widget for portal pages.
// With media, it waits for a click on its Join button (or a call of join() from the page's own
// click handler): a link or an embed alone never turns a camera or microphone on.

import { joinRoom } from './webrtc-room.js';

/** @type {Array<keyof import('./webrtc-room.js').RoomEventMap>} */
const ROOM_EVENTS = ['peer-joined', 'peer-left', 'peer-state', 'track', 'chat', 'file',
  'file-offer', 'file-progress', 'file-rejected',
  'reconnecting', 'reconnected', 'error', 'channel', 'screen-share', 'left'];

/** What the status line says when the portal ended the call for this peer. */
const ENDED = {
  removed: 'You were removed from the call.',
  closed: 'The call was ended.',
};

const STYLE = `
  [hidden] { display: none !important; }
  :host { display: block; font: 15px/1.4 system-ui, sans-serif; color: #1d2430; }
  .bar { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-bottom: .5rem; }
  .status { flex: 1; min-width: 12rem; }
  .status[data-kind="error"] { color: #a3261b; font-weight: 600; }
  .status[data-kind="warn"] { color: #8a5a00; }
  .transport { font-size: .8rem; color: #5b6473; }
  button { font: inherit; padding: .35rem .8rem; border: 1px solid #b8c0cc; border-radius: 6px;
           background: #fff; cursor: pointer; }
  button[aria-pressed="true"] { background: #ffe1dc; border-color: #d9826f; }
  button:disabled { opacity: .5; cursor: default; }
  .main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(14rem, 1fr); gap: .75rem; }
  @media (max-width: 720px) { .main { grid-template-columns: 1fr; } }
  .grid { display: grid; gap: .5rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
          align-content: start; }
  figure { margin: 0; position: relative; background: #10151d; border-radius: 8px; overflow: hidden;
           aspect-ratio: 4 / 3; }
  video { width: 100%; height: 100%; object-fit: cover; display: block; }
  figcaption { position: absolute; left: .4rem; bottom: .3rem; color: #fff; font-size: .85rem;
               background: rgba(0,0,0,.55); padding: 0 .35rem; border-radius: 4px; }
  aside { display: flex; flex-direction: column; gap: .5rem; min-height: 18rem; }
  ul { list-style: none; margin: 0; padding: 0; }
  li { display: flex; justify-content: space-between; gap: .5rem; padding: .15rem 0; }
  li .state { font-size: .8rem; color: #5b6473; }
  li[data-state="connected"] .state { color: #17703a; }
  li[data-state="failed"] .state, li[data-state="disconnected"] .state { color: #a3261b; }
  .log { flex: 1; overflow-y: auto; border: 1px solid #dde2e8; border-radius: 6px; padding: .4rem;
         min-height: 8rem; max-height: 22rem; background: #fafbfc; }
  .entry { margin: 0 0 .3rem; overflow-wrap: anywhere; }
  .entry .who { font-weight: 600; margin-right: .3rem; }
  .entry.self .who { color: #2456a6; }
  .entry.system { color: #5b6473; font-style: italic; }
  form { display: flex; gap: .4rem; }
  input[type="text"] { flex: 1; font: inherit; padding: .35rem; border: 1px solid #b8c0cc; border-radius: 6px; }
  h3 { font-size: .9rem; margin: 0; color: #5b6473; font-weight: 600; }
  .offer { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
  .offer button { padding: .1rem .5rem; }
  progress { width: 6rem; }
`;

/** @param {number} bytes */
function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * A small helper: an element with attributes and text, never markup from data.
 * @template {keyof HTMLElementTagNameMap} T
 * @param {T} tag @param {Record<string, string>} [attributes] @param {string} [text]
 * @returns {HTMLElementTagNameMap[T]}
 */
function el(tag, attributes = {}, text = '') {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

const UNAUTHORIZED = 'The server no longer accepts your sign-in for this room (unauthorized), so the call '
  + 'stopped reconnecting. Sign in again, then try again.';

export class WebrtcRoomElement extends HTMLElement {
  static get observedAttributes() { return ['room']; }

  constructor() {
    super();
    /** @type {import('./webrtc-room.js').Room|null} */
    this.room = null;
    this.joining = false;
    /**
     * A token, or a function asked for one before every join (portals that refresh tokens set
     * this property); the `token` attribute is used when this is unset.
     * @type {string|(() => (string|Promise<string>))|undefined}
     */
    this.token = undefined;
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('style', {}, STYLE));
    const bar = el('div', { class: 'bar' });
    this.status = el('div', { class: 'status', 'data-testid': 'status', role: 'status' }, 'Not connected.');
    /** Which binding signaling uses, once connected. */
    this.transportLine = el('span', { class: 'transport', 'data-testid': 'transport', hidden: '' });
    this.muteAudio = el('button', { 'data-testid': 'mute-audio', 'aria-pressed': 'false' }, 'Mute');
    this.muteVideo = el('button', { 'data-testid': 'mute-video', 'aria-pressed': 'false' }, 'Camera off');
    this.share = el('button', { 'data-testid': 'share-screen', 'aria-pressed': 'false' }, 'Share screen');
    this.leaveButton = el('button', { 'data-testid': 'leave' }, 'Leave');
    this.joinButton = el('button', { 'data-testid': 'join', hidden: '' }, 'Join');
    this.retryButton = el('button', { 'data-testid': 'retry', hidden: '' }, 'Try again');
    bar.append(this.status, this.transportLine, this.joinButton, this.retryButton, this.muteAudio,
      this.muteVideo, this.share, this.leaveButton);

    const main = el('div', { class: 'main' });
    this.grid = el('div', { class: 'grid', 'data-testid': 'video-grid' });
    this.localFigure = el('figure', { hidden: '' });
    this.localVideo = /** @type {HTMLVideoElement} */ (el('video', {
      'data-testid': 'local-video', autoplay: '', playsinline: '', muted: '' }));
    this.localVideo.muted = true;
    this.localCaption = el('figcaption', {}, 'You');
    this.localFigure.append(this.localVideo, this.localCaption);
    this.grid.append(this.localFigure);

    const aside = el('aside');
    this.peerList = el('ul', { 'data-testid': 'peer-list', 'aria-label': 'People' });
    this.log = el('div', { class: 'log', 'data-testid': 'chat-log', 'aria-live': 'polite' });
    const form = el('form');
    this.input = /** @type {HTMLInputElement} */ (el('input', {
      type: 'text', 'data-testid': 'chat-input', placeholder: 'Message', 'aria-label': 'Message',
      maxlength: '4000' }));
    this.send = el('button', { type: 'submit', 'data-testid': 'chat-send' }, 'Send');
    this.fileInput = /** @type {HTMLInputElement} */ (el('input', {
      type: 'file', 'data-testid': 'send-file', 'aria-label': 'Send a file' }));
    form.append(this.input, this.send);
    aside.append(el('h3', {}, 'People'), this.peerList, el('h3', {}, 'Chat'), this.log, form, this.fileInput);
    main.append(this.grid, aside);
    root.append(bar, main);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text || !this.room) return;
      this.room.sendChat(text);
      this.addEntry(this.room.peerId, this.room.name, text, true);
      this.input.value = '';
    });
    this.fileInput.addEventListener('change', async () => {
      const file = this.fileInput.files?.[0];
      if (!file || !this.room) return;
      this.fileInput.value = '';
      const entry = el('p', { class: 'entry system offer', 'data-testid': 'file-sending' });
      const text = el('span', {}, `Sending ${file.name} (${formatSize(file.size)}); waiting for the others to accept…`);
      const cancel = el('button', { type: 'button', 'data-testid': 'file-cancel' }, 'Cancel');
      entry.append(text, cancel);
      this.log.append(entry);
      const sending = this.room.sendFile(file);
      cancel.addEventListener('click', () => sending.cancel());
      try {
        await sending;
        text.textContent = `Sent ${file.name}: received in full.`;
      } catch (error) {
        text.textContent = `Could not send ${file.name}: ${error instanceof Error ? error.message : error}`;
      }
      cancel.remove();
    });
    this.joinButton.addEventListener('click', () => this.join());
    this.retryButton.addEventListener('click', () => {
      this.teardown();
      this.join();
    });
    this.muteAudio.addEventListener('click', () => this.toggle(this.muteAudio, (on) => this.room?.setMicrophoneEnabled(!on)));
    this.muteVideo.addEventListener('click', () => this.toggle(this.muteVideo, (on) => this.room?.setCameraEnabled(!on)));
    this.share.addEventListener('click', async () => {
      if (!this.room) return;
      try {
        if (this.room.screenTrack) await this.room.stopScreenShare();
        else await this.room.shareScreen();
      } catch (error) {
        this.setStatus(`Screen share failed: ${error instanceof Error ? error.message : error}`, 'warn');
      }
    });
    this.leaveButton.addEventListener('click', () => this.leave());
    this.setControls(false);
  }

  connectedCallback() {
    this.offerJoin();
  }

  disconnectedCallback() {
    this.leave();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.offerJoin();
  }

  /** Joins at once without media; with media, shows the Join button and waits for a click. */
  offerJoin() {
    if (!this.getAttribute('room') || this.room || this.joining) return;
    const media = this.getAttribute('media') ?? 'video';
    if (media === 'none') {
      this.join();
      return;
    }
    this.joinButton.textContent = media === 'audio' ? 'Join with microphone' : 'Join with camera and microphone';
    this.joinButton.hidden = false;
    this.setStatus(`Room “${this.getAttribute('room')}”: camera and microphone start when you join.`);
  }

  /** Joins the room the attributes name; the status line says what went wrong, if anything. */
  async join() {
    if (this.joining || this.room || !this.getAttribute('room')) return;
    this.joining = true;
    this.joinButton.hidden = true;
    this.retryButton.hidden = true;
    const media = this.getAttribute('media') ?? 'video';
    this.setStatus('Connecting…');
    try {
      const room = await joinRoom({
        room: /** @type {string} */ (this.getAttribute('room')),
        name: this.getAttribute('name') ?? undefined,
        token: this.token ?? this.getAttribute('token') ?? undefined,
        url: this.getAttribute('url') ?? undefined,
        iceTransportPolicy: /** @type {RTCIceTransportPolicy} */ (this.getAttribute('ice-transport-policy') ?? 'all'),
        transport: /** @type {'auto'|'websocket'|'http'|undefined} */ (this.getAttribute('transport') || undefined),
        media: media === 'none' ? null : { audio: true, video: media === 'video' },
      });
      this.room = room;
      this.setControls(true);
      this.wire(room);
      this.setStatus(`In room “${room.room}” as ${room.name}.`);
      this.showTransport(room);
      this.dispatchEvent(new CustomEvent('joined', { detail: { room } }));
    } catch (error) {
      const code = /** @type {any} */ (error).code ?? 'error';
      const message = code === 'unreachable'
        ? 'The signaling server is unreachable. Check the address or try again later.'
        : code === 'unauthorized' ? 'The server did not accept your sign-in for this room (unauthorized).'
          : error instanceof Error ? error.message : String(error);
      this.setStatus(message, 'error');
      this.retryButton.hidden = false;
      this.dispatchEvent(new CustomEvent('error', { detail: { code, message } }));
    } finally {
      this.joining = false;
    }
  }

  leave() {
    if (!this.room) return;
    this.teardown();
    this.setStatus('You left the room.');
    this.dispatchEvent(new CustomEvent('left'));
  }

  /** Closes the room, if any, and clears what it showed. */
  teardown() {
    this.room?.leave();
    this.room = null;
    for (const node of this.grid.querySelectorAll('figure[data-peer-id]')) node.remove();
    this.peerList.replaceChildren();
    this.localVideo.srcObject = null;
    this.localFigure.hidden = true;
    this.retryButton.hidden = true;
    this.transportLine.hidden = true;
    this.setControls(false);
  }

  /**
   * Says which binding signaling uses: over HTTP the call goes on, but every frame takes a
   * request, and the user (or the portal's support) should know why.
   * @param {import('./webrtc-room.js').Room} room
   */
  showTransport(room) {
    if (room.transport === 'http') {
      this.transportLine.textContent = this.getAttribute('transport') === 'http'
        ? 'connected over HTTP' : 'connected over HTTP (WebSocket blocked)';
    } else {
      this.transportLine.textContent = 'connected over WebSocket';
    }
    this.transportLine.hidden = false;
  }

  /** @param {import('./webrtc-room.js').Room} room */
  wire(room) {
    for (const type of ROOM_EVENTS) {
      room.addEventListener(type, (event) => {
        this.dispatchEvent(new CustomEvent(type, { detail: /** @type {CustomEvent} */ (event).detail }));
      });
    }
    if (room.localStream && room.localStream.getVideoTracks().length > 0) {
      this.localVideo.srcObject = room.localStream;
      this.localFigure.hidden = false;
      this.localCaption.textContent = `${room.name} (you)`;
    }
    this.muteAudio.disabled = !room.localStream?.getAudioTracks().length;
    this.muteVideo.disabled = !room.localStream?.getVideoTracks().length;
    this.share.disabled = !room.localStream?.getVideoTracks().length;
    for (const peer of room.peers.values()) this.showPeer(peer);
    room.addEventListener('peer-joined', (e) => this.showPeer(/** @type {any} */ (e).detail.peer));
    room.addEventListener('peer-left', (e) => this.hidePeer(/** @type {any} */ (e).detail.peerId));
    room.addEventListener('peer-state', (e) => {
      const { peerId, connectionState } = /** @type {any} */ (e).detail;
      const item = this.peerList.querySelector(`li[data-peer-id="${CSS.escape(peerId)}"]`);
      if (item) {
        item.setAttribute('data-state', connectionState);
        const state = item.querySelector('.state');
        if (state) state.textContent = connectionState;
      }
    });
    room.addEventListener('track', (e) => {
      const { peerId, stream } = /** @type {any} */ (e).detail;
      const video = /** @type {HTMLVideoElement|null} */ (this.grid.querySelector(`video[data-peer-id="${CSS.escape(peerId)}"]`));
      if (video && video.srcObject !== stream) video.srcObject = stream;
      if (video) video.closest('figure')?.removeAttribute('hidden');
    });
    room.addEventListener('chat', (e) => {
      const { from, name, text } = /** @type {any} */ (e).detail;
      this.addEntry(from, name, text, false);
    });
    room.addEventListener('file-offer', (e) => this.showOffer(room, /** @type {any} */ (e).detail));
    room.addEventListener('file-progress', (e) => {
      const { peerId, name, received, size, direction } = /** @type {any} */ (e).detail;
      if (direction !== 'receive') return;
      const bar = this.offerProgress(peerId, name);
      if (bar) { bar.max = size; bar.value = received; }
    });
    room.addEventListener('file-rejected', (e) => {
      const { from, name, size, reason } = /** @type {any} */ (e).detail;
      const who = room.peers.get(from)?.name ?? 'Someone';
      const entry = this.offerEntry(from, name);
      const text = reason === 'too-large'
        ? `${who} offered ${name} (${formatSize(size)}): refused, larger than ${formatSize(room.maxFileBytes)}.`
        : reason === 'timeout' ? `${who} offered ${name}: declined, no answer within 30 s.`
          : reason === 'cancelled' ? `${who} withdrew ${name}.` : `You declined ${name} from ${who}.`;
      if (entry) {
        entry.removeAttribute('data-pending');
        entry.replaceChildren(text);
      } else {
        this.addSystem(text);
      }
    });
    room.addEventListener('file', (e) => {
      const { from, name, size, blob } = /** @type {any} */ (e).detail;
      const who = room.peers.get(from)?.name ?? 'someone';
      const entry = this.offerEntry(from, name) ?? el('p', { class: 'entry system', 'data-from': from });
      entry.removeAttribute('data-pending');
      const link = /** @type {HTMLAnchorElement} */ (el('a', { download: name, 'data-testid': 'file-link' }, name));
      link.href = URL.createObjectURL(blob);
      entry.replaceChildren(`${who} sent `, link, ` (${formatSize(size)})`);
      if (!entry.isConnected) this.log.append(entry);
    });
    room.addEventListener('screen-share', (e) => {
      const { active, track } = /** @type {any} */ (e).detail;
      this.share.setAttribute('aria-pressed', String(active));
      this.share.textContent = active ? 'Stop sharing' : 'Share screen';
      this.localVideo.srcObject = active ? new MediaStream([track]) : room.localStream;
    });
    room.addEventListener('error', (e) => {
      const { code, errorCode, message } = /** @type {any} */ (e).detail;
      if (code === 'unauthorized') {
        // The client stopped reconnecting; peer connections may live on, but the server will not
        // take this membership back with these credentials.
        this.setStatus(UNAUTHORIZED, 'error');
        this.retryButton.hidden = false;
      } else if (code === 'file-overrun' || code === 'file-aborted') {
        const entry = this.offerEntry(undefined, /** @type {any} */ (e).detail.name);
        entry?.removeAttribute('data-pending');
        if (entry) entry.replaceChildren(message);
        else this.addSystem(message);
      } else if (code === 'ice-server-refused') {
        this.setStatus(errorCode === 401
          ? 'The TURN server refused the credentials (401): the call cannot be relayed.'
          : `The TURN server refused the connection (${errorCode}).`, 'error');
      }
    });
    room.addEventListener('left', (e) => {
      const { reason } = /** @type {any} */ (e).detail;
      // The room is over for this peer: clear the call, say why, and offer to join again, which
      // only a click does.
      this.teardown();
      this.setStatus(ENDED[/** @type {'removed'|'closed'} */ (reason)] ?? 'The call was ended.', 'warn');
      this.joinButton.hidden = false;
    });
    room.addEventListener('reconnecting', (e) => {
      this.setStatus(`Connection to the server lost; reconnecting (attempt ${/** @type {any} */ (e).detail.attempt})…`, 'warn');
    });
    room.addEventListener('reconnected', (e) => {
      this.showTransport(room);
      this.setStatus(/** @type {any} */ (e).detail.resumed
        ? `Back in room “${room.room}”.` : `Rejoined room “${room.room}” after the server restarted.`);
    });
  }

  /**
   * The consent prompt: nothing of the file is kept before Accept; Decline, or no answer within
   * 30 s, tells the sender no.
   * @param {import('./webrtc-room.js').Room} room
   * @param {{from: string, name: string, size: number, mime: string, accept: () => void, reject: () => void}} offer
   */
  showOffer(room, offer) {
    const who = room.peers.get(offer.from)?.name ?? 'Someone';
    const entry = el('p', {
      class: 'entry system offer', 'data-testid': 'file-offer', 'data-from': offer.from,
      'data-file-name': offer.name, 'data-pending': '',
    });
    const accept = el('button', { type: 'button', 'data-testid': 'file-accept' }, 'Accept');
    const decline = el('button', { type: 'button', 'data-testid': 'file-decline' }, 'Decline');
    accept.setAttribute('aria-label', `Accept ${offer.name}`);
    decline.setAttribute('aria-label', `Decline ${offer.name}`);
    entry.append(el('span', {}, `${who} wants to send you ${offer.name} (${formatSize(offer.size)}).`), accept, decline);
    accept.addEventListener('click', () => {
      offer.accept();
      const bar = /** @type {HTMLProgressElement} */ (el('progress', { max: String(Math.max(1, offer.size)), value: '0' }));
      entry.replaceChildren(el('span', {}, `Receiving ${offer.name}…`), bar);
    });
    decline.addEventListener('click', () => offer.reject());
    this.log.append(entry);
    this.log.scrollTop = this.log.scrollHeight;
  }

  /**
   * The log entry of an offer still in progress.
   * @param {string|undefined} from @param {string} name
   * @returns {HTMLElement|null}
   */
  offerEntry(from, name) {
    const entries = /** @type {HTMLElement[]} */ ([...this.log.querySelectorAll('[data-testid="file-offer"][data-pending]')]);
    return entries.find((e) => e.dataset.fileName === name && (from === undefined || e.dataset.from === from)) ?? null;
  }

  /** @param {string} from @param {string} name */
  offerProgress(from, name) {
    return /** @type {HTMLProgressElement|null} */ (this.offerEntry(from, name)?.querySelector('progress') ?? null);
  }

  /** @param {import('./webrtc-room.js').RemotePeer} peer */
  showPeer(peer) {
    if (this.peerList.querySelector(`li[data-peer-id="${CSS.escape(peer.peerId)}"]`)) return;
    const item = el('li', { 'data-peer-id': peer.peerId, 'data-state': peer.connectionState });
    item.append(el('span', { class: 'name' }, peer.name), el('span', { class: 'state' }, peer.connectionState));
    this.peerList.append(item);
    const figure = el('figure', { 'data-peer-id': peer.peerId });
    const video = /** @type {HTMLVideoElement} */ (el('video', {
      'data-testid': 'remote-video', 'data-peer-id': peer.peerId, autoplay: '', playsinline: '' }));
    if (peer.stream) video.srcObject = peer.stream;
    figure.append(video, el('figcaption', {}, peer.name));
    this.grid.append(figure);
    this.addSystem(`${peer.name} is here.`);
  }

  /** @param {string} peerId */
  hidePeer(peerId) {
    const item = this.peerList.querySelector(`li[data-peer-id="${CSS.escape(peerId)}"]`);
    const name = item?.querySelector('.name')?.textContent ?? 'Someone';
    item?.remove();
    this.grid.querySelector(`figure[data-peer-id="${CSS.escape(peerId)}"]`)?.remove();
    this.addSystem(`${name} left.`);
  }

  /**
   * @param {string} from @param {string} name @param {string} text @param {boolean} self
   */
  addEntry(from, name, text, self) {
    const entry = el('p', { class: self ? 'entry self' : 'entry', 'data-from': from });
    entry.append(el('span', { class: 'who' }, name), el('span', { class: 'text' }, text));
    this.log.append(entry);
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** @param {string} text */
  addSystem(text) {
    this.log.append(el('p', { class: 'entry system' }, text));
  }

  /** @param {string} text @param {'info'|'warn'|'error'} [kind] */
  setStatus(text, kind = 'info') {
    this.status.textContent = text;
    this.status.setAttribute('data-kind', kind);
  }

  /** @param {boolean} inRoom */
  setControls(inRoom) {
    for (const control of [this.muteAudio, this.muteVideo, this.share, this.leaveButton, this.send, this.input, this.fileInput]) {
      /** @type {HTMLButtonElement} */ (control).disabled = !inRoom;
    }
  }

  /** @param {HTMLElement} button @param {(pressed: boolean) => void} apply */
  toggle(button, apply) {
    const pressed = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(pressed));
    apply(pressed);
  }
}

if (!customElements.get('webrtc-room')) customElements.define('webrtc-room', WebrtcRoomElement);
