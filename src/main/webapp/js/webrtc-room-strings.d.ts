// TypeScript declarations for ./webrtc-room-strings.js: the texts of <webrtc-room>, English and
// German, by key. A portal needs the keys (StringKey) for `element.strings`; docs/widget.md says
// where each shows. Hand-written; src/test/typescript/strings-agreement.ts compares them with the
// JavaScript's table.

/** Every key of the strings table; `element.strings` takes any of them. */
export type StringKey =
  | 'notConnected' | 'waitingVideo' | 'waitingAudio' | 'waitingNone' | 'connecting' | 'inRoom'
  | 'youLeft' | 'removed' | 'closed' | 'reconnecting' | 'resumed' | 'rejoined'
  | 'transportWebSocket' | 'transportHttp' | 'transportHttpFallback' | 'widgetLabel'
  | 'prejoinHeading' | 'prejoinHint' | 'prejoinHintAudio' | 'videoHeading' | 'controlsLabel'
  | 'peopleHeading' | 'chatHeading' | 'chatLogLabel' | 'nameLabel' | 'namePlaceholder'
  | 'checkDevices' | 'checkMicrophone' | 'previewLabel' | 'cameraLabel' | 'microphoneLabel'
  | 'defaultDevice' | 'cameraNumber' | 'microphoneNumber' | 'micLevel' | 'previewOn' | 'join'
  | 'joinVideo' | 'joinAudio' | 'retry' | 'mute' | 'cameraOff' | 'shareScreen' | 'leave' | 'invite'
  | 'send' | 'messageLabel' | 'messagePlaceholder' | 'sendFile' | 'accept' | 'decline'
  | 'acceptFile' | 'declineFile' | 'cancel' | 'cancelFile' | 'you' | 'speaking' | 'muted'
  | 'videoOff' | 'sharing' | 'qualityGood' | 'qualityFair' | 'qualityPoor' | 'qualityUnknown'
  | 'qualityDetails' | 'qualityLocal' | 'stateNew' | 'stateConnecting' | 'stateConnected'
  | 'stateDisconnected' | 'stateFailed' | 'stateClosed' | 'someone' | 'peerJoined' | 'peerLeft'
  | 'youJoined' | 'chatAnnounce' | 'inviteCopied' | 'inviteManual' | 'bytes' | 'fileWaiting'
  | 'fileSendingProgress' | 'fileSent' | 'fileNotSent' | 'fileOffer' | 'fileReceiving'
  | 'fileReceived' | 'fileTooLarge' | 'fileTimeout' | 'fileWithdrawn' | 'fileDeclinedByYou'
  | 'fileCancelledByYou' | 'fileOverrun' | 'fileAborted' | 'file-declined' | 'file-aborted'
  | 'file-no-answer' | 'file-cancelled' | 'error.unreachable' | 'error.unauthorized'
  | 'error.unauthorized-later' | 'error.token-unavailable' | 'error.room-full'
  | 'error.rate-limited' | 'error.undeliverable' | 'error.unknown-peer' | 'error.bad-message'
  | 'error.not-joined' | 'error.already-joined' | 'error.too-big' | 'error.media-denied'
  | 'error.media-not-found' | 'error.media-busy' | 'error.media-unavailable' | 'error.screen-denied'
  | 'error.screen-failed' | 'error.device-switch' | 'error.negotiation' | 'error.no-connection'
  | 'error.ice-server-refused' | 'error.ice-server-refused-401' | 'error.ice-servers'
  | 'error.generic';

/** One language's texts: every key. Placeholders in braces (`{name}`) are filled in. */
export type StringTable = Record<StringKey, string>;

/** The shipped languages: English (the default and the fallback) and German. */
export const STRINGS: { readonly en: StringTable; readonly de: StringTable };

/** The language codes that ship. */
export const LANGUAGES: Array<'en' | 'de'>;

/** The shipped language for a BCP 47 tag (`de-AT` gives `de`); `en` for anything else. */
export function languageOf(lang: string | null | undefined): 'en' | 'de';

/** A text with its `{placeholders}` filled in; a placeholder without a value stays as it is. */
export function format(template: string, params?: Record<string, string | number>): string;

/** As {@link format}, with some placeholders filled by nodes (e.g. a link), for `append()`. */
export function formatParts(
  template: string,
  params: Record<string, string | number>,
  nodes: Record<string, Node>,
): Array<string | Node>;
