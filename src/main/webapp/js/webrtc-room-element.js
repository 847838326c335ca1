// <webrtc-room room="standup" name="Alice" media="video|audio|none" token="…" lang="en|de"
//              ice-transport-policy="all|relay" transport="auto|websocket|http" invite-url="…">:
// a self-contained call widget for portal pages (docs/widget.md: what a portal can customise).
// With media, it shows a pre-join step and waits for a click on its Join button (or a call of
// join() from the page's own click handler); its "Check camera and microphone" button is the
// only other thing that opens a device, and only when clicked: a link or an embed alone never
// turns a camera or microphone on.

import { DevicePreview, LEVEL_INTERVAL_MS, listDevices, mediaErrorCode } from './device-preview.js';
import { joinRoom } from './webrtc-room.js';
import { format, formatParts, languageOf, STRINGS } from './webrtc-room-strings.js';
import { icon, STYLE } from './webrtc-room-style.js';

/** @typedef {import('./webrtc-room.js').Room} Room */
/** @typedef {import('./webrtc-room.js').RoomEventMap} RoomEventMap */
/** @typedef {import('./webrtc-room.js').RemotePeer} RemotePeer */
/** @typedef {import('./webrtc-room-strings.js').StringKey} StringKey */
/**
 * A text's placeholder values; `{key}` is another text of the table, looked up when the text is
 * rendered (so it follows a change of language too).
 * @typedef {Record<string, string|number|{key: StringKey}>} Params
 */
/** @typedef {'good'|'fair'|'poor'|'unknown'} Quality */

/**
 * Every event of the room, which the element forwards: a record, so that the type check names an
 * event the room gains and this list lacks.
 * @type {Record<keyof RoomEventMap, true>}
 */
const FORWARDED = {
  'peer-joined': true, 'peer-left': true, 'peer-state': true, 'track': true, 'channel': true, 'chat': true,
  'file-offer': true, 'file-progress': true, 'file': true, 'file-rejected': true, 'reconnecting': true,
  'reconnected': true, 'error': true, 'left': true, 'screen-share': true, 'peer-media': true,
  'local-media': true, 'peer-stats': true, 'speaking': true,
};
const ROOM_EVENTS = /** @type {Array<keyof RoomEventMap>} */ (Object.keys(FORWARDED));

/**
 * The quality badge's thresholds (docs/widget.md): `good` up to 150 ms round trip and 2 % loss
 * (a conversation feels direct), `fair` up to 400 ms and 8 % (noticeable delay or artefacts),
 * `poor` beyond. Loss is a fraction of the packets, as `peer-stats` reports it.
 */
export const QUALITY_THRESHOLDS = Object.freeze({
  good: Object.freeze({ rttMs: 150, packetLoss: 0.02 }),
  fair: Object.freeze({ rttMs: 400, packetLoss: 0.08 }),
});

/** Worse first: the local tile's badge shows the weakest of its connections. */
const QUALITY_RANK = { poor: 3, fair: 2, good: 1, unknown: 0 };

/** How much of the level meter's last value stays after one reading (a peak that decays). */
const METER_DECAY = 0.75;

/** How many announcements the live region keeps (older ones were read already). */
const LIVE_KEEP = 5;

/** The tile count from which the grid has four columns. */
const MANY_TILES = 10;

/** Error codes shown as a warning (the call goes on) rather than an error. */
const WARNINGS = new Set(['rate-limited', 'undeliverable', 'unknown-peer', 'negotiation', 'ice-servers',
  'no-connection', 'screen-denied', 'screen-failed', 'device-switch', 'too-big']);

/**
 * The badge for one peer's `peer-stats`.
 * @param {{rttMs?: number|null, packetLoss?: number|null}} stats
 * @returns {Quality}
 */
export function qualityOf({ rttMs, packetLoss }) {
  const rtt = typeof rttMs === 'number' && Number.isFinite(rttMs) ? rttMs : null;
  const loss = typeof packetLoss === 'number' && Number.isFinite(packetLoss) ? packetLoss : null;
  if (rtt === null && loss === null) return 'unknown';
  const within = (/** @type {{rttMs: number, packetLoss: number}} */ limit) =>
    (rtt ?? 0) <= limit.rttMs && (loss ?? 0) <= limit.packetLoss;
  if (within(QUALITY_THRESHOLDS.good)) return 'good';
  if (within(QUALITY_THRESHOLDS.fair)) return 'fair';
  return 'poor';
}

/**
 * An element with attributes and text, never markup from data.
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

/**
 * A text binding: which string a node (or one of its attributes) shows, so that a change of
 * `lang` or `strings` renders it again.
 * @typedef {{key: StringKey, params: Params, nodes?: Record<string, Node>}} Binding
 */

/**
 * One participant's tile.
 * @typedef {object} Tile
 * @property {HTMLElement} figure
 * @property {HTMLVideoElement} video
 * @property {HTMLElement} name
 * @property {HTMLElement} initial
 * @property {HTMLElement} quality
 * @property {boolean} mediaKnown whether a `peer-media` said what the peer sends
 */

export class WebrtcRoomElement extends HTMLElement {
  static get observedAttributes() { return ['room', 'lang', 'name', 'media']; }

  constructor() {
    super();
    /** @type {Room|null} */
    this.room = null;
    this.joining = false;
    /**
     * A token, or a function asked for one before every join (portals that refresh tokens set
     * this property); the `token` attribute is used when this is unset.
     * @type {string|(() => (string|Promise<string>))|undefined}
     */
    this.token = undefined;
    /** @type {Partial<Record<StringKey, string>>} */
    this.overrides = {};
    /** @type {Map<Element, Map<string, Binding>>} */
    this.bindings = new Map();
    /** @type {DevicePreview|null} */
    this.preview = null;
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.meterTimer = undefined;
    /** @type {Map<string, Tile>} remote tiles by peerId */
    this.tiles = new Map();
    /** @type {Map<string, {rttMs: number|null, packetLoss: number|null, bitrateKbps: number|null, quality: Quality}>} */
    this.stats = new Map();
    /** Whether the user typed a name (then a change of the `name` attribute leaves it alone). */
    this.nameEdited = false;
    /**
     * Outgoing transfers in progress, by their log entry.
     * @type {Map<HTMLElement, {name: string, sent: Map<string, number>, text: HTMLElement, bar: HTMLProgressElement, params: Params}>}
     */
    this.sending = new Map();

    // The parts the element changes later; layout() puts them in place.
    this.widget = el('section', { class: 'widget', part: 'widget', lang: this.language });
    this.status = el('div', { class: 'status', part: 'status', 'data-testid': 'status', 'data-kind': 'info' });
    /** Which binding signaling uses, once connected. */
    this.transportLine = el('span', { class: 'transport', part: 'transport', 'data-testid': 'transport', hidden: '' });
    this.inviteButton = this.button('invite', 'invite', { icon: 'link' });
    this.retryButton = this.button('retry', 'retry');
    /** The polite live region: joins, leaves, chat, errors, the copied invite. */
    this.live = el('div', { class: 'visually-hidden', 'data-testid': 'live', 'aria-live': 'polite' });

    this.prejoin = el('section', {
      class: 'prejoin', part: 'prejoin', 'data-testid': 'prejoin', 'aria-labelledby': 'sb-prejoin-heading',
      'data-media': 'video', hidden: '',
    });
    this.prejoinHint = el('p', { class: 'hint', part: 'hint' });
    this.previewVideo = el('video', {
      'data-testid': 'preview-video', part: 'video preview-video', autoplay: '', playsinline: '', muted: '',
    });
    this.nameInput = el('input', {
      type: 'text', 'data-testid': 'name-input', part: 'input name-input', autocomplete: 'name', maxlength: '64',
    });
    this.checkDevicesButton = this.button('check-devices', 'checkDevices', { pressed: false });
    this.cameraSelect = el('select', { 'data-testid': 'camera-select', part: 'select camera-select' });
    this.microphoneSelect = el('select', { 'data-testid': 'microphone-select', part: 'select microphone-select' });
    /** The two pickers: in the pre-join step before the call, in the controls during it. */
    this.devices = el('div', { class: 'devices', part: 'devices' });
    this.micLevel = el('meter', {
      'data-testid': 'mic-level', part: 'meter mic-level', min: '0', max: '1', low: '0.1', high: '0.9',
      optimum: '0.5', value: '0',
    });
    this.joinButton = this.button('join', 'joinVideo', { className: 'primary' });

    this.main = el('div', { class: 'main', part: 'main', hidden: '' });
    this.grid = el('div', { class: 'grid', part: 'grid', 'data-testid': 'video-grid', 'data-count': '1' });
    this.localTile = this.makeTile(null, '');
    this.localVideo = this.localTile.video;
    this.controls = el('div', { class: 'controls', part: 'controls', role: 'group' });
    this.muteAudio = this.button('mute-audio', 'mute', { pressed: false, icon: 'mic', pressedIcon: 'mic-off' });
    this.muteVideo = this.button('mute-video', 'cameraOff', { pressed: false, icon: 'camera', pressedIcon: 'camera-off' });
    this.share = this.button('share-screen', 'shareScreen', { pressed: false, icon: 'screen' });
    this.leaveButton = this.button('leave', 'leave', { className: 'danger', icon: 'leave' });
    /** Where the pickers go during the call, between the toggles and Leave. */
    this.devicesSlot = el('div', { class: 'devices-slot', style: 'display: contents' });
    this.peerList = el('ul', {
      class: 'people', part: 'people', 'data-testid': 'peer-list', 'aria-labelledby': 'sb-people-heading',
    });
    // Focusable, so that a keyboard can scroll it; not a live region itself (the live region
    // announces chat once).
    this.log = el('div', { class: 'log', part: 'log', 'data-testid': 'chat-log', role: 'region', tabindex: '0' });
    this.input = el('input', { type: 'text', 'data-testid': 'chat-input', part: 'input chat-input', maxlength: '4000' });
    this.send = this.button('chat-send', 'send', { type: 'submit' });
    this.fileInput = el('input', { type: 'file', 'data-testid': 'send-file', part: 'file-input' });
    this.layout();
  }

  // ---- Texts -------------------------------------------------------------------------------

  /**
   * Texts that replace the built-in ones, by key (docs/widget.md lists the keys); any key left
   * out keeps the language's text. Setting it renders every text again.
   * @returns {Partial<Record<StringKey, string>>}
   */
  get strings() {
    return { ...this.overrides };
  }

  /** @param {Partial<Record<StringKey, string>>|null|undefined} value */
  set strings(value) {
    /** @type {Partial<Record<StringKey, string>>} */
    const kept = {};
    for (const [key, text] of Object.entries(value ?? {})) {
      if (key in STRINGS.en && typeof text === 'string') kept[/** @type {StringKey} */ (key)] = text;
    }
    this.overrides = kept;
    this.render();
  }

  /** The shipped language the element speaks: its `lang` attribute's, else the page's, else English. */
  get language() {
    return languageOf(this.getAttribute('lang') || document.documentElement.lang || 'en');
  }

  /**
   * One text, with its placeholders filled in.
   * @param {StringKey} key @param {Params} [params]
   */
  t(key, params = {}) {
    return format(this.template(key), this.resolve(params));
  }

  /** The text of a key: the portal's override, else the language's, else English. @param {StringKey} key */
  template(key) {
    return this.overrides[key] ?? STRINGS[this.language][key] ?? STRINGS.en[key];
  }

  /** Placeholder values with the nested texts looked up. @param {Params} params */
  resolve(params) {
    /** @type {Record<string, string|number>} */
    const values = {};
    for (const [name, value] of Object.entries(params)) {
      values[name] = typeof value === 'object' ? this.t(value.key) : value;
    }
    return values;
  }

  /**
   * Shows a string in a node's text (slot `text`) or in one of its attributes, and keeps the
   * binding for the next render.
   * @param {Element} node @param {StringKey} key @param {Params} [params] @param {string} [slot]
   */
  say(node, key, params = {}, slot = 'text') {
    let slots = this.bindings.get(node);
    if (!slots) this.bindings.set(node, slots = new Map());
    const binding = { key, params };
    slots.set(slot, binding);
    this.apply(node, slot, binding);
  }

  /**
   * As {@link say}, for a text that holds nodes (a download link) in some placeholders.
   * @param {Element} node @param {StringKey} key @param {Params} params @param {Record<string, Node>} nodes
   */
  sayWith(node, key, params, nodes) {
    let slots = this.bindings.get(node);
    if (!slots) this.bindings.set(node, slots = new Map());
    const binding = { key, params, nodes };
    slots.set('text', binding);
    this.apply(node, 'text', binding);
  }

  /** @param {Element} node @param {string} slot @param {Binding} binding */
  apply(node, slot, binding) {
    if (binding.nodes) {
      node.replaceChildren(...formatParts(this.template(binding.key), this.resolve(binding.params), binding.nodes));
    } else if (slot === 'text') {
      node.textContent = this.t(binding.key, binding.params);
    } else {
      node.setAttribute(slot, this.t(binding.key, binding.params));
    }
  }

  /** Renders every bound text again (after a change of `lang` or `strings`). */
  render() {
    const root = /** @type {ShadowRoot} */ (this.shadowRoot);
    this.widget.setAttribute('lang', this.language);
    for (const [node, slots] of this.bindings) {
      if (!root.contains(node)) {
        this.bindings.delete(node); // a replaced log entry or a removed tile
        continue;
      }
      for (const [slot, binding] of slots) this.apply(node, slot, binding);
    }
  }

  /** A size in the element's language: "12 bytes", "1.5 MiB" / "1,5 MiB". @param {number} bytes */
  formatSize(bytes) {
    const number = (/** @type {number} */ n) => new Intl.NumberFormat(this.language, { maximumFractionDigits: 1 }).format(n);
    if (bytes < 1024) return this.t('bytes', { n: number(bytes) });
    if (bytes < 1024 * 1024) return `${number(bytes / 1024)} KiB`;
    if (bytes < 1024 ** 3) return `${number(bytes / 1024 ** 2)} MiB`;
    return `${number(bytes / 1024 ** 3)} GiB`;
  }

  // ---- The DOM -----------------------------------------------------------------------------

  /** Lays the parts out in the shadow root: bar, pre-join step, call, live region. */
  layout() {
    const root = this.attachShadow({ mode: 'open' });
    root.append(el('style', {}, STYLE));
    this.say(this.widget, 'widgetLabel', {}, 'aria-label');
    this.say(this.status, 'notConnected');
    this.inviteButton.hidden = true;
    this.retryButton.hidden = true;
    const bar = el('div', { class: 'bar', part: 'bar' });
    bar.append(this.status, this.transportLine, this.inviteButton, this.retryButton);
    this.widget.append(bar, this.layoutPrejoin(), this.layoutCall(), this.live);
    root.append(this.widget);
    this.setControls(false);

    this.retryButton.addEventListener('click', () => {
      this.teardown();
      this.join();
    });
    this.inviteButton.addEventListener('click', () => this.copyInvite());
  }

  /** The pre-join step: name, preview, device pickers, level meter, Join. */
  layoutPrejoin() {
    const heading = el('h2', { id: 'sb-prejoin-heading', part: 'heading' });
    this.say(heading, 'prejoinHeading');
    this.say(this.prejoinHint, 'prejoinHint');
    const preview = el('div', { class: 'preview', part: 'preview' });
    this.previewVideo.muted = true;
    this.say(this.previewVideo, 'previewLabel', {}, 'aria-label');
    preview.append(this.previewVideo);

    this.say(this.nameInput, 'namePlaceholder', {}, 'placeholder');
    this.fillSelect(this.cameraSelect, [], 'cameraNumber');
    this.fillSelect(this.microphoneSelect, [], 'microphoneNumber');
    this.devices.append(
      this.field(this.cameraSelect, 'cameraLabel', 'camera-field', 'camera'),
      this.field(this.microphoneSelect, 'microphoneLabel', 'microphone-field', 'mic'));
    const fields = el('div', { class: 'prejoin-fields' });
    fields.append(this.field(this.nameInput, 'nameLabel', 'name-field'), this.checkDevicesButton, this.devices,
      this.field(this.micLevel, 'micLevel', 'meter-field'));
    const actions = el('div', { class: 'actions' });
    actions.append(this.joinButton);
    this.prejoin.append(heading, this.prejoinHint, preview, fields, actions);

    this.nameInput.addEventListener('input', () => { this.nameEdited = true; });
    this.checkDevicesButton.addEventListener('click', () => this.togglePreview());
    this.cameraSelect.addEventListener('change', () => this.chooseDevice('video', this.cameraSelect.value));
    this.microphoneSelect.addEventListener('change', () => this.chooseDevice('audio', this.microphoneSelect.value));
    this.joinButton.addEventListener('click', () => this.join());
    return this.prejoin;
  }

  /** The call: the tile grid and the controls, people and chat. */
  layoutCall() {
    const stage = el('div', { class: 'stage', part: 'stage' });
    const gridHeading = el('h2', { id: 'sb-video-heading', class: 'visually-hidden' });
    this.say(gridHeading, 'videoHeading');
    this.localTile.figure.hidden = true;
    this.grid.append(this.localTile.figure);
    this.say(this.controls, 'controlsLabel', {}, 'aria-label');
    this.controls.append(this.muteAudio, this.muteVideo, this.share, this.devicesSlot, this.leaveButton);
    stage.append(gridHeading, this.grid, this.controls);

    const side = el('div', { class: 'side', part: 'side' });
    const peopleHeading = el('h2', { id: 'sb-people-heading', part: 'heading' });
    this.say(peopleHeading, 'peopleHeading');
    const chatHeading = el('h2', { id: 'sb-chat-heading', part: 'heading' });
    this.say(chatHeading, 'chatHeading');
    this.say(this.log, 'chatLogLabel', {}, 'aria-label');
    const form = el('form', { class: 'chat-form', part: 'chat-form' });
    this.say(this.input, 'messageLabel', {}, 'aria-label');
    this.say(this.input, 'messagePlaceholder', {}, 'placeholder');
    form.append(this.input, this.send);
    side.append(peopleHeading, this.peerList, chatHeading, this.log, form,
      this.field(this.fileInput, 'sendFile', 'file-field'));
    this.main.append(stage, side);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text || !this.room) return;
      this.room.sendChat(text);
      this.addEntry(this.room.peerId, this.room.name, text, true);
      this.input.value = '';
    });
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      this.fileInput.value = '';
      if (file && this.room) this.sendFile(this.room, file);
    });
    this.muteAudio.addEventListener('click', () => this.toggle(this.muteAudio, (on) => this.room?.setMicrophoneEnabled(!on)));
    this.muteVideo.addEventListener('click', () => this.toggle(this.muteVideo, (on) => this.room?.setCameraEnabled(!on)));
    this.share.addEventListener('click', () => this.toggleScreenShare());
    this.leaveButton.addEventListener('click', () => this.leave());
    return this.main;
  }

  /**
   * A button with its text from the table, an optional icon (and a second one shown while
   * pressed), and `aria-pressed` for a toggle.
   * @param {string} testId @param {StringKey} key
   * @param {{pressed?: boolean, icon?: Parameters<typeof icon>[0], pressedIcon?: Parameters<typeof icon>[0],
   *   className?: string, type?: 'button'|'submit'}} [options]
   */
  button(testId, key, options = {}) {
    const button = el('button', { type: options.type ?? 'button', 'data-testid': testId, part: `button ${testId}` });
    if (options.className) button.className = options.className;
    if (options.pressed !== undefined) button.setAttribute('aria-pressed', String(options.pressed));
    if (options.icon) button.append(icon(options.icon, options.pressedIcon ? 'when-off' : ''));
    if (options.pressedIcon) button.append(icon(options.pressedIcon, 'when-on'));
    const label = el('span', { class: 'label' });
    this.say(label, key);
    button.append(label);
    return button;
  }

  /**
   * A visible label around a control.
   * @param {HTMLElement} control @param {StringKey} key @param {string} name its class and part
   * @param {Parameters<typeof icon>[0]} [shape] an icon, shown where the text is hidden (in the call)
   */
  field(control, key, name, shape) {
    const label = el('label', { class: `field ${name}`, part: `field ${name}` });
    const text = el('span', { class: 'text' });
    this.say(text, key);
    if (shape) label.append(icon(shape));
    label.append(text, control);
    return label;
  }

  /**
   * A participant's tile: video, initial (shown while the camera is off), name, state chips and
   * quality badge. Remote tiles have `data-peer-id`, the local one `data-local`.
   * @param {string|null} peerId null for the local tile @param {string} name
   * @returns {Tile}
   */
  makeTile(peerId, name) {
    const figure = el('figure', {
      class: 'tile', part: 'tile', 'data-testid': 'tile', 'data-speaking': 'false', 'data-audio': 'off',
      'data-video': 'off', 'data-screen': 'false',
    });
    const video = el('video', {
      'data-testid': peerId === null ? 'local-video' : 'remote-video', part: 'video', autoplay: '', playsinline: '',
      'aria-label': name,
    });
    if (peerId === null) {
      figure.setAttribute('data-local', '');
      video.setAttribute('muted', '');
      video.muted = true;
    } else {
      figure.setAttribute('data-peer-id', peerId);
      video.setAttribute('data-peer-id', peerId);
    }
    const initial = el('div', { class: 'placeholder', part: 'placeholder', 'aria-hidden': 'true' });
    const caption = el('figcaption', { part: 'caption' });
    const nameNode = el('span', { class: 'name', part: 'name' }, name);
    caption.append(nameNode,
      this.chip('chip-speaking', 'speaking', 'speaker'), this.chip('chip-muted', 'muted', 'mic-off'),
      this.chip('chip-video-off', 'videoOff', 'camera-off'), this.chip('chip-sharing', 'sharing', 'screen'));
    const quality = el('span', {
      class: 'quality', part: 'quality', 'data-testid': 'quality', 'data-quality': 'unknown', role: 'img',
    });
    quality.append(el('i'), el('i'), el('i'));
    figure.append(video, initial, caption, quality);
    const tile = { figure, video, name: nameNode, initial, quality, mediaKnown: false };
    this.setTileName(tile, name, peerId === null);
    this.showQuality(tile, 'unknown', null);
    return tile;
  }

  /**
   * A state chip: shown by the style sheet when the tile's data attribute says so.
   * @param {string} className @param {StringKey} key @param {Parameters<typeof icon>[0]} shape
   */
  chip(className, key, shape) {
    const chip = el('span', { class: `chip ${className}`, part: `chip ${className}` });
    const text = el('span');
    this.say(text, key);
    chip.append(icon(shape), text);
    return chip;
  }

  /** @param {Tile} tile @param {string} name @param {boolean} local */
  setTileName(tile, name, local) {
    tile.video.setAttribute('aria-label', name);
    tile.initial.textContent = [...name.trim()][0]?.toUpperCase() ?? '?';
    if (local) this.say(tile.name, 'you', { name });
    else tile.name.textContent = name;
  }

  // ---- Lifecycle ---------------------------------------------------------------------------

  connectedCallback() {
    this.render();
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    this.offerJoin();
  }

  disconnectedCallback() {
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    this.stopPreview();
    this.leave();
  }

  /**
   * A camera or microphone was plugged in or out: the pickers list what there is now, once the
   * page may see the names (during the preview or the call).
   */
  onDeviceChange = () => {
    const current = this.room ? this.localDeviceIds(this.room) : this.preview?.stream ? this.preview.current() : null;
    if (current) this.refreshDevices(current).catch(() => {});
  };

  /** @param {string} name @param {string|null} before @param {string|null} value */
  attributeChangedCallback(name, before, value) {
    if (before === value) return;
    if (name === 'lang') {
      this.render();
    } else if (name === 'name') {
      if (!this.nameEdited) this.nameInput.value = value ?? '';
    } else if (name === 'media') {
      this.prejoin.setAttribute('data-media', this.media);
      if (this.isConnected && !this.room && !this.joining && !this.prejoin.hidden) this.offerJoin();
    } else if (this.isConnected) {
      this.offerJoin();
    }
  }

  /** `video` (the default), `audio` or `none`. */
  get media() {
    const media = this.getAttribute('media');
    return media === 'audio' || media === 'none' ? media : 'video';
  }

  /** Joins at once without media; with media, shows the pre-join step and waits for a click. */
  offerJoin() {
    if (!this.getAttribute('room') || this.room || this.joining) return;
    this.inviteButton.hidden = false;
    if (this.media === 'none') {
      this.join();
      return;
    }
    this.showPrejoin();
  }

  /** Shows the pre-join step (and its Join button); no device starts here. */
  showPrejoin() {
    const media = this.media;
    const room = this.getAttribute('room') ?? '';
    this.prejoin.setAttribute('data-media', media);
    if (!this.nameEdited) this.nameInput.value = this.getAttribute('name') ?? '';
    if (this.devices.parentElement !== this.prejoin.querySelector('.prejoin-fields')) {
      this.checkDevicesButton.after(this.devices);
    }
    // As the last call left them; the style sheet hides what this media does not use.
    this.devices.hidden = false;
    this.cameraSelect.closest('label')?.removeAttribute('hidden');
    this.cameraSelect.disabled = false;
    this.microphoneSelect.disabled = false;
    this.say(this.checkDevicesButton.querySelector('.label') ?? this.checkDevicesButton,
      media === 'audio' ? 'checkMicrophone' : 'checkDevices');
    this.say(this.prejoinHint, media === 'audio' ? 'prejoinHintAudio' : 'prejoinHint');
    this.say(this.joinButton.querySelector('.label') ?? this.joinButton,
      media === 'audio' ? 'joinAudio' : media === 'none' ? 'join' : 'joinVideo');
    this.setStatus(media === 'audio' ? 'waitingAudio' : media === 'none' ? 'waitingNone' : 'waitingVideo', { room });
    this.prejoin.hidden = false;
    this.joinButton.hidden = false;
  }

  /** Hides the pre-join step and ends its preview's meter (the stream may go on to the call). */
  hidePrejoin() {
    this.prejoin.hidden = true;
    this.joinButton.hidden = true;
  }

  /**
   * Joins the room the attributes name, with the name typed in the pre-join step and the
   * previewed stream (or the chosen devices, or the defaults). The status line says what went
   * wrong, if anything; never rejects.
   */
  async join() {
    if (this.joining || this.room || !this.getAttribute('room')) return;
    const hadFocus = !!this.shadowRoot?.activeElement;
    this.joining = true;
    this.hidePrejoin();
    this.retryButton.hidden = true;
    this.inviteButton.hidden = false;
    const media = this.media;
    this.setStatus('connecting');
    // The previewed stream as it is, else what the pickers chose (joinRoom opens it, with the
    // defaults where nothing was chosen, as a join without the pre-join step always did).
    const stream = media === 'none' ? null : this.takePreview();
    try {
      const room = await joinRoom({
        room: /** @type {string} */ (this.getAttribute('room')),
        name: this.nameInput.value.trim() || this.getAttribute('name') || undefined,
        token: this.token ?? this.getAttribute('token') ?? undefined,
        url: this.getAttribute('url') ?? undefined,
        iceTransportPolicy: /** @type {RTCIceTransportPolicy} */ (this.getAttribute('ice-transport-policy') ?? 'all'),
        transport: /** @type {'auto'|'websocket'|'http'|undefined} */ (this.getAttribute('transport') || undefined),
        media: media === 'none' ? null : stream ?? this.chosenMedia(media),
      });
      this.room = room;
      this.main.hidden = false;
      this.setControls(true);
      this.wire(room);
      this.setStatus('inRoom', { room: room.room, name: room.name });
      this.announce('youJoined', { room: room.room });
      this.showTransport(room);
      if (hadFocus) (this.muteAudio.disabled ? this.input : this.muteAudio).focus();
      this.dispatchEvent(new CustomEvent('joined', { detail: { room } }));
    } catch (error) {
      stream?.getTracks().forEach((t) => t.stop());
      const code = /** @type {any} */ (error)?.code ?? (error instanceof DOMException ? mediaErrorCode(error) : 'error');
      const message = error instanceof Error ? error.message : String(error);
      this.showError({ code, message }, 'error');
      this.retryButton.hidden = false;
      if (hadFocus) this.retryButton.focus();
      this.dispatchEvent(new CustomEvent('error', { detail: { code, message } }));
    } finally {
      this.joining = false;
    }
  }

  /** Ends the preview's meter and hands its stream over to the join (null without a preview). */
  takePreview() {
    this.stopMeter();
    const previewed = this.preview?.handOver() ?? null;
    this.preview = null;
    this.checkDevicesButton.setAttribute('aria-pressed', 'false');
    this.previewVideo.srcObject = null;
    this.prejoinHint.hidden = false;
    return previewed;
  }

  /**
   * joinRoom's media for the pickers' choice: a chosen device exactly, else any.
   * @param {'video'|'audio'} media
   * @returns {import('./webrtc-room.js').MediaChoice}
   */
  chosenMedia(media) {
    const exactly = (/** @type {string} */ deviceId) => (deviceId ? { deviceId: { exact: deviceId } } : true);
    return {
      audio: exactly(this.microphoneSelect.value),
      video: media === 'video' ? exactly(this.cameraSelect.value) : false,
    };
  }

  leave() {
    if (!this.room) return;
    const hadFocus = !!this.shadowRoot?.activeElement;
    this.teardown();
    this.setStatus('youLeft');
    this.announce('youLeft');
    this.dispatchEvent(new CustomEvent('left'));
    // The user may join again (the demo page replaces the element instead); focus, which was on
    // a control that is gone now, goes to Join.
    if (this.isConnected && this.getAttribute('room')) {
      this.showPrejoin();
      this.setStatus('youLeft');
      if (hadFocus) this.joinButton.focus();
    }
  }

  /** Closes the room, if any, and clears what it showed. */
  teardown() {
    this.room?.leave();
    this.room = null;
    this.stopPreview();
    for (const tile of this.tiles.values()) tile.figure.remove();
    this.tiles.clear();
    this.stats.clear();
    this.peerList.replaceChildren();
    this.localVideo.srcObject = null;
    this.localTile.figure.hidden = true;
    this.setTileState(this.localTile, { audio: false, video: false, screen: false, speaking: false });
    this.showQuality(this.localTile, 'unknown', null);
    this.updateGrid();
    this.retryButton.hidden = true;
    this.transportLine.hidden = true;
    this.main.hidden = true;
    for (const button of [this.muteAudio, this.muteVideo, this.share]) button.setAttribute('aria-pressed', 'false');
    this.setControls(false);
  }

  // ---- The pre-join preview ----------------------------------------------------------------

  /** Starts the preview (the click is the user's consent), or stops it when it runs. */
  async togglePreview() {
    if (this.preview) {
      this.stopPreview();
      return;
    }
    const media = this.media;
    if (media === 'none') return;
    const preview = new DevicePreview({ video: media === 'video' });
    this.preview = preview;
    this.checkDevicesButton.setAttribute('aria-pressed', 'true');
    try {
      const stream = await preview.start({
        cameraId: this.cameraSelect.value || undefined, microphoneId: this.microphoneSelect.value || undefined,
      });
      if (this.preview !== preview) return; // stopped or joined meanwhile
      this.previewVideo.srcObject = media === 'video' ? stream : null;
      this.startMeter();
      await this.refreshDevices(preview.current());
      this.setStatus('previewOn');
      this.prejoinHint.hidden = true; // "stay off until you check them" no longer holds
    } catch (error) {
      if (this.preview === preview) this.stopPreview();
      this.showError({ code: mediaErrorCode(error), message: error instanceof Error ? error.message : String(error) }, 'error');
    }
  }

  /** Stops the preview's devices and meter. */
  stopPreview() {
    this.stopMeter();
    this.preview?.stop();
    this.preview = null;
    this.previewVideo.srcObject = null;
    this.prejoinHint.hidden = false;
    const stopped = this.checkDevicesButton.getAttribute('aria-pressed') === 'true' && !this.room && !this.joining;
    this.checkDevicesButton.setAttribute('aria-pressed', 'false');
    if (stopped && this.isConnected && !this.prejoin.hidden) this.showPrejoin();
  }

  startMeter() {
    this.stopMeter();
    this.meterTimer = setInterval(() => {
      // A falling level decays instead of dropping, so the meter stays readable between words.
      this.micLevel.value = Math.max(this.preview?.level() ?? 0, this.micLevel.value * METER_DECAY);
    }, LEVEL_INTERVAL_MS);
  }

  stopMeter() {
    clearInterval(this.meterTimer);
    this.meterTimer = undefined;
    this.micLevel.value = 0;
  }

  /**
   * A picker changed: in the pre-join step the preview switches (or the choice waits for the
   * join); in the call the room switches its outgoing track without renegotiation.
   * @param {'audio'|'video'} kind @param {string} deviceId
   */
  async chooseDevice(kind, deviceId) {
    try {
      const room = this.room;
      if (room) {
        if (!deviceId) return;
        if (kind === 'video') await room.setCamera(deviceId);
        else await room.setMicrophone(deviceId);
        this.showLocalVideo(room);
      } else if (this.preview?.stream) {
        await this.preview.switchTo(kind, deviceId);
        if (kind === 'audio') this.startMeter();
      }
    } catch (error) {
      this.showError({ code: 'device-switch', message: error instanceof Error ? error.message : String(error) }, 'warn');
    }
  }

  /**
   * Fills both pickers from the browser's device list, selecting the devices in use.
   * @param {{cameraId?: string, microphoneId?: string}} current
   */
  async refreshDevices(current) {
    const { cameras, microphones } = await listDevices();
    this.fillSelect(this.cameraSelect, cameras, 'cameraNumber', current.cameraId);
    this.fillSelect(this.microphoneSelect, microphones, 'microphoneNumber', current.microphoneId);
  }

  /**
   * One picker's options: "Default" first, then each device by its label (or its number, before
   * the permission gives labels).
   * @param {HTMLSelectElement} select @param {MediaDeviceInfo[]} devices @param {StringKey} numberKey
   * @param {string} [selected]
   */
  fillSelect(select, devices, numberKey, selected = select.value) {
    const first = el('option', { value: '' });
    this.say(first, 'defaultDevice');
    const options = devices.map((device, i) => {
      const option = el('option', { value: device.deviceId });
      if (device.label) option.textContent = device.label;
      else this.say(option, numberKey, { n: i + 1 });
      return option;
    });
    select.replaceChildren(first, ...options);
    select.value = devices.some((d) => d.deviceId === selected) ? /** @type {string} */ (selected) : '';
  }

  // ---- The call ----------------------------------------------------------------------------

  /**
   * Says which binding signaling uses: over HTTP the call goes on, but every frame takes a
   * request, and the user (or the portal's support) should know why.
   * @param {Room} room
   */
  showTransport(room) {
    if (room.transport === 'http') {
      this.say(this.transportLine, this.getAttribute('transport') === 'http' ? 'transportHttp' : 'transportHttpFallback');
    } else {
      this.say(this.transportLine, 'transportWebSocket');
    }
    this.transportLine.hidden = false;
  }

  /** @param {Room} room */
  wire(room) {
    for (const type of ROOM_EVENTS) {
      room.addEventListener(type, (event) => {
        this.dispatchEvent(new CustomEvent(type, { detail: /** @type {CustomEvent} */ (event).detail }));
      });
    }
    this.setTileName(this.localTile, room.name, true);
    this.localTile.figure.hidden = false;
    this.showLocalVideo(room);
    const audio = !!room.localStream?.getAudioTracks().length;
    const video = !!room.localStream?.getVideoTracks().length;
    this.muteAudio.disabled = !audio;
    this.muteVideo.disabled = !video;
    this.share.disabled = !video;
    this.cameraSelect.disabled = !video;
    this.microphoneSelect.disabled = !audio;
    this.devices.hidden = !audio && !video;
    this.cameraSelect.closest('label')?.toggleAttribute('hidden', !video);
    this.devicesSlot.append(this.devices);
    this.updateLocalTile();
    if (audio || video) this.refreshDevices(this.localDeviceIds(room)).catch(() => {});
    for (const peer of room.peers.values()) this.showPeer(peer);
    this.updateGrid();

    room.addEventListener('peer-joined', (e) => this.showPeer(e.detail.peer));
    room.addEventListener('peer-left', (e) => this.hidePeer(e.detail.peerId));
    room.addEventListener('peer-state', (e) => {
      const { peerId, connectionState } = e.detail;
      const item = this.peerList.querySelector(`li[data-peer-id="${CSS.escape(peerId)}"]`);
      if (item) {
        item.setAttribute('data-state', connectionState);
        const state = item.querySelector('.state');
        if (state) this.sayState(state, connectionState);
      }
    });
    room.addEventListener('track', (e) => {
      const { peerId, stream } = e.detail;
      const tile = this.tiles.get(peerId);
      if (!tile) return;
      if (tile.video.srcObject !== stream) tile.video.srcObject = stream;
      if (!tile.mediaKnown) this.setTileState(tile, this.streamState(stream));
    });
    room.addEventListener('chat', (e) => {
      const { from, name, text } = e.detail;
      this.addEntry(from, name, text, false);
      this.announce('chatAnnounce', { name, text });
    });
    room.addEventListener('file-offer', (e) => this.showOffer(room, e.detail));
    room.addEventListener('file-progress', (e) => {
      const detail = e.detail;
      if (detail.direction === 'receive') {
        const bar = this.offerEntry(detail.peerId, detail.name)?.querySelector('progress');
        if (bar) { bar.max = detail.size; bar.value = detail.received; }
      } else {
        this.sendProgress(detail.peerId, detail.name, detail.sent, detail.size);
      }
    });
    room.addEventListener('file-rejected', (e) => this.showRejected(room, e.detail));
    room.addEventListener('file', (e) => {
      const { from, name, size, blob } = e.detail;
      const who = this.nameOf(from);
      const entry = this.offerEntry(from, name) ?? el('p', { class: 'entry system', 'data-from': from });
      if (entry.hasAttribute('data-cancelled')) return; // the user cancelled; nothing is offered
      entry.removeAttribute('data-pending');
      const link = el('a', { download: name, 'data-testid': 'file-link', part: 'file-link' }, name);
      link.href = URL.createObjectURL(blob);
      this.sayWith(entry, 'fileReceived', { who, size: this.formatSize(size) }, { file: link });
      if (!entry.isConnected) this.log.append(entry);
    });
    room.addEventListener('screen-share', (e) => {
      const { active } = e.detail;
      this.share.setAttribute('aria-pressed', String(active));
      this.showLocalVideo(room);
      this.updateLocalTile();
    });
    room.addEventListener('error', (e) => this.onRoomError(e.detail));
    room.addEventListener('left', (e) => {
      const { reason } = e.detail;
      // The room is over for this peer: clear the call, say why, and offer to join again, which
      // only a click does.
      const hadFocus = !!this.shadowRoot?.activeElement;
      this.teardown();
      this.showPrejoin();
      if (hadFocus) this.joinButton.focus();
      this.setStatus(reason === 'removed' ? 'removed' : 'closed', {}, 'warn');
      this.announce(reason === 'removed' ? 'removed' : 'closed');
    });
    room.addEventListener('reconnecting', (e) => {
      this.setStatus('reconnecting', { attempt: e.detail.attempt }, 'warn');
    });
    room.addEventListener('reconnected', (e) => {
      this.showTransport(room);
      this.setStatus(e.detail.resumed ? 'resumed' : 'rejoined', { room: room.room });
    });
    this.wireMedia(room);
  }

  /**
   * CLIENT.md 1.1's media events: what each peer sends, who speaks, how good each connection is.
   * @param {Room} room
   */
  wireMedia(room) {
    room.addEventListener('peer-media', (e) => {
      const { peerId, audio, video, screen } = e.detail;
      const tile = this.tiles.get(peerId);
      if (!tile) return;
      tile.mediaKnown = true;
      this.setTileState(tile, { audio, video, screen });
    });
    room.addEventListener('local-media', () => this.updateLocalTile());
    room.addEventListener('speaking', (e) => {
      const { peerId, speaking } = e.detail;
      const tile = peerId === room.peerId ? this.localTile : this.tiles.get(peerId);
      if (tile) this.setTileState(tile, { speaking });
    });
    room.addEventListener('peer-stats', (e) => this.showStats(e.detail.peerId, e.detail));
  }

  /**
   * A peer's badge from its latest sample, and the local badge (the weakest connection).
   * @param {string} peerId @param {{rttMs: number|null, packetLoss: number|null, bitrateKbps: number|null}} sample
   */
  showStats(peerId, sample) {
    const tile = this.tiles.get(peerId);
    if (!tile) return;
    const stats = { rttMs: sample.rttMs, packetLoss: sample.packetLoss, bitrateKbps: sample.bitrateKbps };
    const quality = qualityOf(stats);
    this.stats.set(peerId, { ...stats, quality });
    this.showQuality(tile, quality, stats);
    this.showLocalQuality();
  }

  /**
   * The device ids of the local tracks, for the pickers.
   * @param {Room} room
   */
  localDeviceIds(room) {
    const id = (/** @type {MediaStreamTrack|undefined} */ track) => track?.getSettings().deviceId ?? '';
    return { cameraId: id(room.localStream?.getVideoTracks()[0]), microphoneId: id(room.localStream?.getAudioTracks()[0]) };
  }

  /** The local tile shows the camera, or the shared screen. @param {Room} room */
  showLocalVideo(room) {
    const stream = room.screenTrack ? new MediaStream([room.screenTrack]) : room.localStream;
    if (this.localVideo.srcObject !== stream) this.localVideo.srcObject = stream;
  }

  /** The local tile's state from the local tracks and the toggles. */
  updateLocalTile() {
    if (this.room) this.setTileState(this.localTile, this.room.localMedia);
  }

  /**
   * What a stream carries, before the peer said so itself.
   * @param {MediaStream|null} stream
   */
  streamState(stream) {
    const live = (/** @type {MediaStreamTrack[]} */ tracks) => tracks.some((t) => t.readyState === 'live');
    return { audio: live(stream?.getAudioTracks() ?? []), video: live(stream?.getVideoTracks() ?? []) };
  }

  /**
   * Sets a tile's data attributes (the style sheet shows the matching chips) and its part names
   * (so a portal can style the states with ::part()).
   * @param {Tile} tile
   * @param {{audio?: boolean, video?: boolean, screen?: boolean, speaking?: boolean}} state
   */
  setTileState(tile, state) {
    const figure = tile.figure;
    if (state.audio !== undefined) figure.setAttribute('data-audio', state.audio ? 'on' : 'off');
    if (state.video !== undefined) figure.setAttribute('data-video', state.video ? 'on' : 'off');
    if (state.screen !== undefined) figure.setAttribute('data-screen', String(state.screen));
    if (state.speaking !== undefined) figure.setAttribute('data-speaking', String(state.speaking));
    const parts = ['tile'];
    if (figure.hasAttribute('data-local')) parts.push('tile-local');
    if (figure.getAttribute('data-speaking') === 'true') parts.push('tile-speaking');
    if (figure.getAttribute('data-audio') === 'off') parts.push('tile-muted');
    if (figure.getAttribute('data-video') === 'off') parts.push('tile-video-off');
    if (figure.getAttribute('data-screen') === 'true') parts.push('tile-screen');
    figure.setAttribute('part', parts.join(' '));
  }

  /**
   * @param {Tile} tile @param {Quality} quality
   * @param {{rttMs: number|null, packetLoss: number|null, bitrateKbps: number|null}|null} stats
   */
  showQuality(tile, quality, stats) {
    tile.quality.setAttribute('data-quality', quality);
    tile.quality.setAttribute('part', `quality quality-${quality}`);
    /** @type {StringKey} */
    const key = quality === 'good' ? 'qualityGood' : quality === 'fair' ? 'qualityFair'
      : quality === 'poor' ? 'qualityPoor' : 'qualityUnknown';
    if (!stats || quality === 'unknown') {
      this.say(tile.quality, key, {}, 'title');
      this.say(tile.quality, key, {}, 'aria-label');
      return;
    }
    const number = (/** @type {number|null} */ n, /** @type {number} */ digits) => (n === null ? '–'
      : new Intl.NumberFormat(this.language, { maximumFractionDigits: digits }).format(n));
    const params = {
      quality: { key }, rtt: number(stats.rttMs, 0),
      loss: number(stats.packetLoss === null ? null : stats.packetLoss * 100, 1), bitrate: number(stats.bitrateKbps, 0),
    };
    this.say(tile.quality, 'qualityDetails', params, 'title');
    this.say(tile.quality, 'qualityDetails', params, 'aria-label');
  }

  /** The local badge: the weakest of this peer's connections. */
  showLocalQuality() {
    /** @type {Quality} */
    let worst = 'unknown';
    for (const { quality } of this.stats.values()) if (QUALITY_RANK[quality] > QUALITY_RANK[worst]) worst = quality;
    const tile = this.localTile;
    tile.quality.setAttribute('data-quality', worst);
    tile.quality.setAttribute('part', `quality quality-${worst}`);
    /** @type {StringKey} */
    const key = worst === 'good' ? 'qualityGood' : worst === 'fair' ? 'qualityFair'
      : worst === 'poor' ? 'qualityPoor' : 'qualityUnknown';
    const params = { quality: { key }, count: this.stats.size };
    this.say(tile.quality, worst === 'unknown' ? key : 'qualityLocal', params, 'title');
    this.say(tile.quality, worst === 'unknown' ? key : 'qualityLocal', params, 'aria-label');
  }

  /** The grid's column count follows the number of tiles (the style sheet reads data-count). */
  updateGrid() {
    const count = this.tiles.size + (this.localTile.figure.hidden ? 0 : 1);
    this.grid.setAttribute('data-count', count >= MANY_TILES ? 'many' : String(Math.max(1, count)));
  }

  /** @param {RemotePeer} peer */
  showPeer(peer) {
    if (this.tiles.has(peer.peerId)) return;
    const item = el('li', { 'data-peer-id': peer.peerId, 'data-state': peer.connectionState, part: 'peer' });
    const state = el('span', { class: 'state' });
    this.sayState(state, peer.connectionState);
    item.append(el('span', { class: 'name' }, peer.name), state);
    this.peerList.append(item);
    const tile = this.makeTile(peer.peerId, peer.name);
    if (peer.stream) tile.video.srcObject = peer.stream;
    // What the room knows already (a peer met again after a rejoin has told it before).
    if (peer.media) {
      tile.mediaKnown = true;
      this.setTileState(tile, peer.media);
    } else if (peer.stream) {
      this.setTileState(tile, this.streamState(peer.stream));
    }
    this.setTileState(tile, { speaking: peer.speaking });
    this.tiles.set(peer.peerId, tile);
    if (peer.stats) this.showStats(peer.peerId, peer.stats);
    this.grid.append(tile.figure);
    this.updateGrid();
    this.addSystem('peerJoined', { name: peer.name });
    this.announce('peerJoined', { name: peer.name });
  }

  /** @param {string} peerId */
  hidePeer(peerId) {
    const item = this.peerList.querySelector(`li[data-peer-id="${CSS.escape(peerId)}"]`);
    const name = item?.querySelector('.name')?.textContent ?? this.t('someone');
    item?.remove();
    this.tiles.get(peerId)?.figure.remove();
    this.tiles.delete(peerId);
    this.stats.delete(peerId);
    this.showLocalQuality();
    this.updateGrid();
    this.addSystem('peerLeft', { name });
    this.announce('peerLeft', { name });
  }

  /** @param {Element} node @param {RTCPeerConnectionState} state */
  sayState(node, state) {
    /** @type {Record<RTCPeerConnectionState, StringKey>} */
    const keys = {
      new: 'stateNew', connecting: 'stateConnecting', connected: 'stateConnected',
      disconnected: 'stateDisconnected', failed: 'stateFailed', closed: 'stateClosed',
    };
    this.say(node, keys[state] ?? 'stateNew');
  }

  /** A peer's name, for texts about it. @param {string|undefined} peerId */
  nameOf(peerId) {
    return (peerId && this.room?.peers.get(peerId)?.name) || this.t('someone');
  }

  async toggleScreenShare() {
    const room = this.room;
    if (!room) return;
    try {
      if (room.screenTrack) await room.stopScreenShare();
      else await room.shareScreen();
    } catch (error) {
      const denied = error instanceof DOMException && error.name === 'NotAllowedError';
      this.showError({ code: denied ? 'screen-denied' : 'screen-failed',
        message: error instanceof Error ? error.message : String(error) }, 'warn');
    }
  }

  // ---- Files -------------------------------------------------------------------------------

  /**
   * Sends a file to everyone, with a progress bar (the slowest receiver's bytes) and Cancel.
   * @param {Room} room @param {File} file
   */
  async sendFile(room, file) {
    const entry = el('p', {
      class: 'entry system offer', 'data-testid': 'file-sending', 'data-file-name': file.name, part: 'entry file-entry',
    });
    const text = el('span');
    const params = { file: file.name, size: this.formatSize(file.size) };
    this.say(text, 'fileWaiting', params);
    const bar = el('progress', {
      'data-testid': 'file-progress', part: 'progress', max: String(Math.max(1, file.size)), value: '0',
    });
    bar.setAttribute('aria-label', file.name);
    const cancel = this.button('file-cancel', 'cancel');
    this.say(cancel, 'cancelFile', { file: file.name }, 'aria-label');
    entry.append(text, bar, cancel);
    this.log.append(entry);
    this.log.scrollTop = this.log.scrollHeight;
    /** Bytes sent to each receiver so far. @type {Map<string, number>} */
    const sent = new Map();
    this.sending.set(entry, { name: file.name, sent, text, bar, params });
    const sending = room.sendFile(file);
    cancel.addEventListener('click', () => sending.cancel());
    try {
      await sending;
      bar.value = bar.max;
      this.say(text, 'fileSent', params);
    } catch (error) {
      const code = /** @type {any} */ (error)?.code;
      /** @type {StringKey|null} */
      const reason = code === 'file-declined' || code === 'file-aborted' || code === 'file-no-answer'
        || code === 'file-cancelled' ? code : null;
      this.say(text, 'fileNotSent', {
        ...params, reason: reason ? { key: reason } : String(error instanceof Error ? error.message : error),
      });
      bar.remove();
    }
    this.sending.delete(entry);
    cancel.remove();
  }

  /**
   * A `file-progress` of ours: the bar shows the slowest receiver that started receiving.
   * @param {string} peerId @param {string} name @param {number} bytes @param {number} size
   */
  sendProgress(peerId, name, bytes, size) {
    const transfer = [...this.sending.values()].reverse().find((s) => s.name === name);
    if (!transfer) return;
    transfer.sent.set(peerId, bytes);
    transfer.bar.max = Math.max(1, size);
    transfer.bar.value = Math.min(...transfer.sent.values());
    this.say(transfer.text, 'fileSendingProgress', transfer.params);
  }

  /**
   * The consent prompt: nothing of the file is kept before Accept; Decline, or no answer within
   * 30 s, tells the sender no. Once accepted, a progress bar and Cancel.
   * @param {Room} room
   * @param {RoomEventMap['file-offer']['detail']} offer
   */
  showOffer(room, offer) {
    const who = this.nameOf(offer.from);
    const entry = el('p', {
      class: 'entry system offer', 'data-testid': 'file-offer', 'data-from': offer.from,
      'data-file-name': offer.name, 'data-pending': '', part: 'entry file-entry',
    });
    const text = el('span');
    const params = { who, file: offer.name, size: this.formatSize(offer.size) };
    this.say(text, 'fileOffer', params);
    const accept = this.button('file-accept', 'accept');
    const decline = this.button('file-decline', 'decline');
    this.say(accept, 'acceptFile', { file: offer.name }, 'aria-label');
    this.say(decline, 'declineFile', { file: offer.name }, 'aria-label');
    entry.append(text, accept, decline);
    accept.addEventListener('click', () => {
      const focused = this.shadowRoot?.activeElement === accept;
      offer.accept();
      if (!entry.hasAttribute('data-pending')) return; // it already arrived in full
      const bar = el('progress', {
        'data-testid': 'file-progress', part: 'progress', max: String(Math.max(1, offer.size)), value: '0',
      });
      bar.setAttribute('aria-label', offer.name);
      const cancel = this.button('file-cancel', 'cancel');
      this.say(cancel, 'cancelFile', { file: offer.name }, 'aria-label');
      cancel.addEventListener('click', () => {
        // Stops the transfer where the client allows it, and keeps nothing of it here.
        offer.reject();
        entry.setAttribute('data-cancelled', '');
        entry.removeAttribute('data-pending');
        this.say(entry, 'fileCancelledByYou', params);
      });
      const receiving = el('span');
      this.say(receiving, 'fileReceiving', params);
      entry.replaceChildren(receiving, bar, cancel);
      if (focused) cancel.focus();
    });
    decline.addEventListener('click', () => offer.reject());
    this.log.append(entry);
    this.log.scrollTop = this.log.scrollHeight;
    this.announce('fileOffer', params);
  }

  /**
   * @param {Room} room
   * @param {RoomEventMap['file-rejected']['detail']} rejected
   */
  showRejected(room, rejected) {
    const { from, name, size, reason } = rejected;
    const entry = this.offerEntry(from, name);
    if (entry?.hasAttribute('data-cancelled')) return;
    const params = { who: this.nameOf(from), file: name, size: this.formatSize(size), max: this.formatSize(room.maxFileBytes) };
    /** @type {StringKey} */
    const key = reason === 'too-large' ? 'fileTooLarge' : reason === 'timeout' ? 'fileTimeout'
      : reason === 'cancelled' ? 'fileWithdrawn' : 'fileDeclinedByYou';
    if (entry) {
      entry.removeAttribute('data-pending');
      this.say(entry, key, params);
    } else {
      this.addSystem(key, params);
    }
  }

  /**
   * The log entry of an incoming offer still in progress.
   * @param {string|undefined} from @param {string} name
   * @returns {HTMLElement|null}
   */
  offerEntry(from, name) {
    const entries = /** @type {HTMLElement[]} */ ([...this.log.querySelectorAll('[data-testid="file-offer"][data-pending], [data-testid="file-offer"][data-cancelled]')]);
    return entries.find((e) => e.dataset.fileName === name && (from === undefined || e.dataset.from === from)) ?? null;
  }

  // ---- Errors, status, announcements -------------------------------------------------------

  /**
   * An `error` of the room: in the status line (and the live region), in words; file errors in
   * the file's entry.
   * @param {RoomEventMap['error']['detail']} detail
   */
  onRoomError(detail) {
    const { code, name } = detail;
    if (code === 'unauthorized') {
      // The client stopped reconnecting; peer connections may live on, but the server will not
      // take this membership back with these credentials.
      this.setStatus('error.unauthorized-later', {}, 'error');
      this.announce('error.unauthorized-later');
      this.retryButton.hidden = false;
      return;
    }
    if ((code === 'file-overrun' || code === 'file-aborted') && name) {
      const key = code === 'file-overrun' ? 'fileOverrun' : 'fileAborted';
      const entry = this.offerEntry(detail.peerId, name);
      if (entry?.hasAttribute('data-cancelled')) return;
      if (entry) {
        entry.removeAttribute('data-pending');
        this.say(entry, key, { file: name });
      } else {
        this.addSystem(key, { file: name });
      }
      this.announce(key, { file: name });
      return;
    }
    this.showError(detail, WARNINGS.has(code) ? 'warn' : 'error');
  }

  /**
   * Any error, in words a user understands: a known code's text, else a generic sentence that
   * names the code (for the site's support).
   * @param {{code: string, message?: string, peerId?: string, errorCode?: number}} error
   * @param {'warn'|'error'} kind
   */
  showError(error, kind) {
    const { key, params } = this.describe(error);
    this.setStatus(key, params, kind);
    this.announce(key, params);
  }

  /**
   * @param {{code: string, message?: string, peerId?: string, errorCode?: number}} error
   * @returns {{key: StringKey, params: Params}}
   */
  describe({ code, message = '', peerId, errorCode }) {
    const params = { code, message, who: this.nameOf(peerId), errorCode: errorCode ?? '' };
    if (code === 'ice-server-refused' && errorCode === 401) return { key: 'error.ice-server-refused-401', params };
    const key = /** @type {StringKey} */ (`error.${code}`);
    if (key in STRINGS.en) return { key, params };
    return { key: 'error.generic', params: { ...params, message: message || code } };
  }

  /** @param {StringKey} key @param {Params} [params] @param {'info'|'warn'|'error'} [kind] */
  setStatus(key, params = {}, kind = 'info') {
    this.say(this.status, key, params);
    this.status.setAttribute('data-kind', kind);
  }

  /**
   * Says something in the polite live region (a screen reader reads it when idle). The last few
   * stay, so that nothing is cut off while being read.
   * @param {StringKey} key @param {Params} [params]
   */
  announce(key, params = {}) {
    // Not bound: a change of language must not make a screen reader read old news again.
    const line = el('p', {}, this.t(key, params));
    this.live.append(line);
    while (this.live.childElementCount > LIVE_KEEP) this.live.firstElementChild?.remove();
  }

  /** @param {string} from @param {string} name @param {string} text @param {boolean} self */
  addEntry(from, name, text, self) {
    const entry = el('p', { class: self ? 'entry self' : 'entry', 'data-from': from, part: self ? 'entry entry-self' : 'entry' });
    entry.append(el('span', { class: 'who' }, name), el('span', { class: 'text' }, text));
    this.log.append(entry);
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** @param {StringKey} key @param {Params} [params] */
  addSystem(key, params = {}) {
    const entry = el('p', { class: 'entry system', part: 'entry entry-system' });
    this.say(entry, key, params);
    this.log.append(entry);
    this.log.scrollTop = this.log.scrollHeight;
  }

  // ---- Invite ------------------------------------------------------------------------------

  /**
   * The room's address: the `invite-url` attribute, else this page's address with only
   * `?room=…` (never the name or a token).
   */
  get inviteUrl() {
    const given = this.getAttribute('invite-url');
    if (given) return new URL(given, location.href).href;
    const url = new URL(location.href);
    url.search = '';
    url.hash = '';
    url.searchParams.set('room', this.getAttribute('room') ?? '');
    return url.href;
  }

  /** Copies the invite link, with the clipboard API or, where it is refused, a selected text. */
  async copyInvite() {
    const url = this.inviteUrl;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      copied = this.copyBySelection(url);
    }
    if (copied) {
      this.setStatus('inviteCopied');
      this.announce('inviteCopied');
    } else {
      this.setStatus('inviteManual', { url }, 'warn');
      this.announce('inviteManual', { url });
    }
  }

  /** The old way: a selected textarea and execCommand('copy'). @param {string} text */
  copyBySelection(text) {
    const area = el('textarea', { class: 'visually-hidden', 'aria-hidden': 'true', tabindex: '-1' });
    area.value = text;
    this.widget.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    area.remove();
    this.inviteButton.focus();
    return copied;
  }

  /** @param {boolean} inRoom */
  setControls(inRoom) {
    for (const control of [this.muteAudio, this.muteVideo, this.share, this.leaveButton, this.send, this.input, this.fileInput]) {
      control.disabled = !inRoom;
    }
  }

  /** @param {HTMLElement} button @param {(pressed: boolean) => void} apply */
  toggle(button, apply) {
    const pressed = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(pressed));
    apply(pressed);
    this.updateLocalTile();
  }
}

if (!customElements.get('webrtc-room')) customElements.define('webrtc-room', WebrtcRoomElement);
