// The strings module's declarations (webrtc-room-strings.d.ts) against its JavaScript, as
// agreement.ts does for the client and the element. Compiled only by tsconfig.js.json in the copy
// scripts/typescript-check.sh makes (declared/ holds the .d.ts files there).

import type * as D from './declared/webrtc-room-strings.js';
import type * as J from '../../main/webapp/js/webrtc-room-strings.js';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Same<A, B> = IsAny<A> extends IsAny<B>
  ? [A] extends [B] ? ([B] extends [A] ? true : false) : false
  : false;
type Check<T extends true> = T;

// The same exports, the same keys (a text added to the table needs its key declared), the same
// functions.
export type StringsExports = Check<Same<keyof typeof D, keyof typeof J>>;
export type StringKeys = Check<Same<D.StringKey, J.StringKey>>;
export type Languages = Check<Same<keyof typeof D.STRINGS, keyof typeof J.STRINGS>>;
export type German = Check<Same<keyof (typeof J.STRINGS)['de'], D.StringKey>>;
export type LanguageOf = Check<Same<typeof D.languageOf, typeof J.languageOf>>;
export type Format = Check<Same<Parameters<typeof D.format>, Parameters<typeof J.format>>>;
export type FormatParts = Check<Same<Parameters<typeof D.formatParts>, Parameters<typeof J.formatParts>>>;
