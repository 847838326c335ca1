// The declarations against the JavaScript's own JSDoc types, member by member. Compiled only by
// tsconfig.js.json in the copy scripts/typescript-check.sh makes: there the modules are the .js
// files alone (so '../../main/webapp/js/…' means the JavaScript) and the .d.ts files sit in
// declared/. A mismatch shows as "Type 'false' is not assignable to type 'true'" on the member.

import type * as D from './declared/webrtc-room.js';
import type * as DE from './declared/webrtc-room-element.js';
import type * as J from '../../main/webapp/js/webrtc-room.js';
import type * as JE from '../../main/webapp/js/webrtc-room-element.js';

/** T is `any` (which is assignable both ways to everything). */
type IsAny<T> = 0 extends 1 & T ? true : false;
/** A and B are assignable both ways, and neither is `any` unless both are. */
type Same<A, B> = IsAny<A> extends IsAny<B>
  ? [A] extends [B] ? ([B] extends [A] ? true : false) : false
  : false;
/** Every key of every member of a union (keyof of a union has only the common ones). */
type Keys<T> = T extends unknown ? keyof T : never;
/** Same type and the same keys, optional ones included (which assignability alone misses). */
type Exact<A, B> = Same<A, B> extends true ? Same<Keys<A>, Keys<B>> : false;
/** From is assignable to To. */
type Assignable<From, To> = IsAny<From> extends IsAny<To> ? ([From] extends [To] ? true : false) : false;
/**
 * What the declaration promises, the JavaScript keeps: a method takes exactly the declared
 * parameters (the last overload's, for overloaded ones) and returns what is declared; a property
 * holds what is declared.
 */
type Keeps<Declared, Js> = [Declared] extends [(...args: any) => any]
  ? [Js] extends [(...args: any) => any]
    ? Same<Parameters<Declared>, Parameters<Js>> extends true
      ? Assignable<ReturnType<Js>, ReturnType<Declared>>
      : false
    : false
  : Assignable<Js, Declared>;
type Check<T extends true> = T;
type CheckAll<T extends Record<string, true>> = T;

// The modules export the same values.
export type ModuleExports = Check<Same<keyof typeof D, keyof typeof J>>;
export type ElementModuleExports = Check<Same<keyof typeof DE, keyof typeof JE>>;

// The options, the token source and the peers are the JavaScript's, exactly.
export type Options = Check<Exact<D.JoinOptions, J.JoinOptions>>;
export type Tokens = Check<Same<D.TokenSource, J.TokenSource>>;
export type Peers = Check<Exact<D.RemotePeer, J.RemotePeer>>;
export type Media = Check<Exact<D.MediaChoice, J.MediaChoice>>;
export type MediaStates = Check<Exact<D.MediaState, J.MediaState>>;
export type Stats = Check<Exact<D.PeerStats, J.PeerStats>>;
export type JoinRoom = Check<Keeps<typeof D.joinRoom, typeof J.joinRoom>>;

// The events: the same names, and each detail with the same fields and types.
export type EventNames = Check<Same<keyof D.RoomEventMap, keyof J.RoomEventMap>>;
export type EventDetails = CheckAll<{
  [K in keyof D.RoomEventMap]: Exact<D.RoomEventMap[K]['detail'], J.RoomEventMap[K & keyof J.RoomEventMap]['detail']>;
}>;

// The Room: each declared member exists in the JavaScript and keeps its promise (the
// declarations leave out the internals, so the JavaScript may have more).
export type RoomMembers = CheckAll<{
  [K in keyof D.Room]: K extends keyof J.Room ? Keeps<D.Room[K], J.Room[K]> : false;
}>;

// The element: the same, and its events are the room's plus its own.
export type ElementMembers = CheckAll<{
  [K in keyof DE.WebrtcRoomElement]: K extends keyof JE.WebrtcRoomElement
    ? Keeps<DE.WebrtcRoomElement[K], JE.WebrtcRoomElement[K]>
    : false;
}>;
export type ElementToken = Check<Same<DE.WebrtcRoomElement['token'], JE.WebrtcRoomElement['token']>>;
export type ElementObserves = Check<
  Keeps<(typeof DE.WebrtcRoomElement)['observedAttributes'], (typeof JE.WebrtcRoomElement)['observedAttributes']>
>;
type ElementOnly = Exclude<keyof DE.WebrtcRoomElementEventMap, Exclude<keyof HTMLElementEventMap, 'error'>>;
export type ElementEvents = Check<Same<ElementOnly, keyof J.RoomEventMap | 'joined'>>;
export type ElementForwards = CheckAll<{
  [K in keyof J.RoomEventMap]: Exact<
    DE.WebrtcRoomElementEventMap[K]['detail'],
    K extends 'left' ? J.RoomEventMap[K]['detail'] | null : J.RoomEventMap[K]['detail']
  >;
}>;
