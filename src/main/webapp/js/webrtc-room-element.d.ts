// TypeScript declarations for ./webrtc-room-element.js: the <webrtc-room> element. Importing the
// module defines the element (once). Hand-written; what is not here is internal. The test command
// (scripts/typescript-check.sh) checks them against a portal's use and against the JavaScript.

import type { JoinOptions, LeftDetail, Room, RoomErrorDetail, RoomEventMap, TokenSource } from './webrtc-room.js';
import type { StringKey } from './webrtc-room-strings.js';

/** A tile's quality badge (`data-quality`), from its peer's `peer-stats`. */
export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

/**
 * The badge's thresholds: `good` while the round trip is at most `good.rttMs` and the lost
 * fraction of packets at most `good.packetLoss` (150 ms, 0.02); `fair` within the `fair` ones
 * (400 ms, 0.08); `poor` beyond.
 */
export const QUALITY_THRESHOLDS: {
  readonly good: { readonly rttMs: number; readonly packetLoss: number };
  readonly fair: { readonly rttMs: number; readonly packetLoss: number };
};

/** The badge for one `peer-stats`: `unknown` when it has neither a round trip nor a loss. */
export function qualityOf(stats: { rttMs?: number | null; packetLoss?: number | null }): Quality;

/** `joined` (element only): the element joined; `room` is the same as `element.room`. */
export interface JoinedDetail {
  room: Room;
}

/**
 * The element's events: every {@link RoomEventMap} event of its room, forwarded with the same
 * `detail`, and its own `joined`; `error` also when the join fails ({code, message});
 * `left` also when the user (or {@link WebrtcRoomElement.leave}) left, then with detail null.
 * None bubbles.
 */
export interface WebrtcRoomElementEventMap
  extends Omit<HTMLElementEventMap, 'error'>, Omit<RoomEventMap, 'left' | 'error'> {
  'joined': CustomEvent<JoinedDetail>;
  'error': CustomEvent<RoomErrorDetail>;
  'left': CustomEvent<LeftDetail | null>;
}

/**
 * `<webrtc-room>`: a self-contained call widget (pre-join step with preview, device pickers and
 * level meter; tiles; chat; files; mute, screen share, invite, leave) in an open shadow root.
 * docs/widget.md lists what a portal can customise. Attributes, read when it joins:
 *
 * - `room`: the room; required. Setting it (while connected) offers the join.
 * - `name`: the name the other peers see; the pre-join step's name field starts with it.
 * - `media`: `video` (default), `audio` or `none`. With media the element shows its pre-join
 *   step and waits for a click on its Join button (or a {@link WebrtcRoomElement.join} call from
 *   a click handler); its "Check camera and microphone" button is the only other thing that
 *   opens a device. With `none` it joins as soon as it is connected.
 * - `lang`: `en` (default) or `de` (any tag, e.g. `de-AT`, by its primary subtag); without it,
 *   the page's `<html lang>`. Changing it renders every text again.
 * - `invite-url`: the address the invite button copies; default: this page's address with
 *   only `?room=…` in the query.
 * - `token`: a token for token mode; the {@link WebrtcRoomElement.token} property wins.
 * - `url`: the signaling socket; default `<context>/signal` beside the module.
 * - `ice-transport-policy`: `all` (default) or `relay`.
 * - `transport`: `auto` (default), `websocket` or `http`: how signaling travels (see
 *   {@link JoinOptions.transport}). Once connected, the element says which binding is in use in
 *   its `data-testid="transport"` line: "connected over WebSocket", "connected over HTTP"
 *   (asked for), or "connected over HTTP (WebSocket blocked)" (`auto` fell back).
 *
 * Removing the element from the document leaves the room.
 */
export class WebrtcRoomElement extends HTMLElement {
  /** `['room', 'lang', 'name', 'media']`: the attributes whose change the element reacts to. */
  static get observedAttributes(): string[];

  /** The joined room, or null before the join and after leaving. */
  readonly room: Room | null;
  /**
   * A token, or a function asked for a fresh one before every join (resumes included); wins
   * over the `token` attribute. Set it before the element joins.
   */
  token: string | TokenSource | undefined;
  /**
   * Texts that replace the built-in ones, by key (any key left out keeps the language's text);
   * setting it renders every text again. Reads back what was set.
   */
  get strings(): Partial<Record<StringKey, string>>;
  set strings(value: Partial<Record<StringKey, string>> | null | undefined);
  /** The shipped language the element speaks now: from `lang`, else the page's, else `en`. */
  readonly language: 'en' | 'de';

  /**
   * Joins the room the attributes name. With media, call it from a click handler (the browser
   * asks for the camera). Failures show in the element and come as `error`; never rejects.
   */
  join(): Promise<void>;
  /** Leaves the room, if in one, and fires `left` with detail null. */
  leave(): void;

  /** Listens to one of the element's events, with its `detail` typed. */
  addEventListener<K extends keyof WebrtcRoomElementEventMap>(
    type: K,
    listener: (this: WebrtcRoomElement, event: WebrtcRoomElementEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Removes a listener added with {@link WebrtcRoomElement.addEventListener}. */
  removeEventListener<K extends keyof WebrtcRoomElementEventMap>(
    type: K,
    listener: (this: WebrtcRoomElement, event: WebrtcRoomElementEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'webrtc-room': WebrtcRoomElement;
  }
}
