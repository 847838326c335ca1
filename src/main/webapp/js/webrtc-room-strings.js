// Every text <webrtc-room> shows or announces, in English and German, in one table so that a
// translation is checked against the English keys in one place. A portal overrides any of them
// with `element.strings = {key: 'text'}` (docs/widget.md lists the keys). Placeholders in braces
// (`{name}`) are filled in by the element; a text without some of them is fine.

/** English: the default, and the fallback for a key another language lacks. */
const EN = {
  // The status line.
  notConnected: 'Not connected.',
  waitingVideo: 'Room “{room}”: camera and microphone start when you join.',
  waitingAudio: 'Room “{room}”: the microphone starts when you join.',
  waitingNone: 'Room “{room}”: join when you are ready.',
  connecting: 'Connecting…',
  inRoom: 'In room “{room}” as {name}.',
  youLeft: 'You left the room.',
  removed: 'You were removed from the call.',
  closed: 'The call was ended.',
  reconnecting: 'Connection to the server lost; reconnecting (attempt {attempt})…',
  resumed: 'Back in room “{room}”.',
  rejoined: 'Rejoined room “{room}” after the server restarted.',
  transportWebSocket: 'connected over WebSocket',
  transportHttp: 'connected over HTTP',
  transportHttpFallback: 'connected over HTTP (WebSocket blocked)',

  // Regions and headings.
  widgetLabel: 'Video call',
  prejoinHeading: 'Before you join',
  prejoinHint: 'Camera and microphone stay off until you check them or join.',
  prejoinHintAudio: 'The microphone stays off until you check it or join.',
  videoHeading: 'Participants',
  controlsLabel: 'Call controls',
  peopleHeading: 'People',
  chatHeading: 'Chat',
  chatLogLabel: 'Chat messages',

  // The pre-join step and the device pickers.
  nameLabel: 'Your name',
  namePlaceholder: 'anonymous',
  checkDevices: 'Check camera and microphone',
  checkMicrophone: 'Check microphone',
  previewLabel: 'Your camera preview',
  cameraLabel: 'Camera',
  microphoneLabel: 'Microphone',
  defaultDevice: 'Default',
  cameraNumber: 'Camera {n}',
  microphoneNumber: 'Microphone {n}',
  micLevel: 'Microphone level',
  previewOn: 'Preview on: you see and hear what the others will.',

  // Buttons.
  join: 'Join',
  joinVideo: 'Join with camera and microphone',
  joinAudio: 'Join with microphone',
  retry: 'Try again',
  mute: 'Mute',
  cameraOff: 'Camera off',
  shareScreen: 'Share screen',
  leave: 'Leave',
  invite: 'Copy invite link',
  send: 'Send',
  messageLabel: 'Message',
  messagePlaceholder: 'Message',
  sendFile: 'Send a file',
  accept: 'Accept',
  decline: 'Decline',
  acceptFile: 'Accept {file}',
  declineFile: 'Decline {file}',
  cancel: 'Cancel',
  cancelFile: 'Cancel {file}',

  // Tiles.
  you: '{name} (you)',
  speaking: 'Speaking',
  muted: 'Muted',
  videoOff: 'Camera off',
  sharing: 'Sharing screen',
  qualityGood: 'Connection good',
  qualityFair: 'Connection fair',
  qualityPoor: 'Connection poor',
  qualityUnknown: 'Connection quality not known yet',
  qualityDetails: '{quality}: round trip {rtt} ms, {loss} % of packets lost, {bitrate} kbit/s',
  qualityLocal: '{quality} (the weakest of your {count} connections)',
  stateNew: 'new',
  stateConnecting: 'connecting',
  stateConnected: 'connected',
  stateDisconnected: 'interrupted',
  stateFailed: 'failed',
  stateClosed: 'closed',

  // The chat log and the live region.
  someone: 'Someone',
  peerJoined: '{name} joined.',
  peerLeft: '{name} left.',
  youJoined: 'You joined room “{room}”.',
  chatAnnounce: '{name}: {text}',
  inviteCopied: 'Invite link copied.',
  inviteManual: 'Copy this invite link: {url}',
  bytes: '{n} bytes',

  // Files.
  fileWaiting: 'Sending {file} ({size}); waiting for the others to accept…',
  fileSendingProgress: 'Sending {file} ({size})…',
  fileSent: 'Sent {file}: received in full.',
  fileNotSent: 'Could not send {file}: {reason}',
  fileOffer: '{who} wants to send you {file} ({size}).',
  fileReceiving: 'Receiving {file} from {who}…',
  fileReceived: '{who} sent {file} ({size}).',
  fileTooLarge: '{who} offered {file} ({size}): refused, larger than {max}.',
  fileTimeout: '{who} offered {file}: declined, no answer within 30 s.',
  fileWithdrawn: '{who} withdrew {file}.',
  fileDeclinedByYou: 'You declined {file} from {who}.',
  fileCancelledByYou: 'You cancelled {file}.',
  fileOverrun: '{file}: more data arrived than announced, so the transfer was stopped and nothing kept.',
  fileAborted: '{file}: the transfer stopped before the end (the sender cancelled or the connection closed).',
  'file-declined': 'the others declined it.',
  'file-aborted': 'the connection closed before the end.',
  'file-no-answer': 'nobody answered.',
  'file-cancelled': 'you cancelled it.',

  // Errors, by code: what happened and what to do, in words a user understands.
  'error.unreachable': 'The signaling server is unreachable. Check the address or try again later.',
  'error.unauthorized': 'The server did not accept your sign-in for this room (unauthorized).',
  'error.unauthorized-later': 'The server no longer accepts your sign-in for this room (unauthorized), so the call '
    + 'stopped reconnecting. Sign in again, then try again.',
  'error.token-unavailable': 'Your sign-in for this room could not be fetched. Try again in a moment.',
  'error.room-full': 'This room is full. Try again later, or ask for another room.',
  'error.rate-limited': 'You sent too much in a short time; the last message was dropped. Wait a moment, then go on.',
  'error.undeliverable': 'A message could not be delivered: the other person is reconnecting. Try again in a moment.',
  'error.unknown-peer': 'That person is no longer in the room.',
  'error.bad-message': 'The server did not understand this page (bad-message). Reload the page; if it happens again, tell the site’s support.',
  'error.not-joined': 'The connection to the room got out of step. Leave and join again.',
  'error.already-joined': 'The connection to the room got out of step. Leave and join again.',
  'error.too-big': 'That was too large to send through the server.',
  'error.media-denied': 'Camera or microphone access was denied.',
  'error.media-not-found': 'No camera or microphone was found. Connect one, or choose another, and try again.',
  'error.media-busy': 'The camera or microphone is in use by another program, or failed to start. Close the other program and try again.',
  'error.media-unavailable': 'The camera or microphone could not be started. It may be missing or in use by another program.',
  'error.screen-denied': 'Screen sharing was cancelled or is not allowed.',
  'error.screen-failed': 'Screen sharing did not start: {message}',
  'error.device-switch': 'Could not switch to that device: {message}',
  'error.negotiation': 'The connection to {who} ran into a problem. If you cannot see or hear them, leave and join again.',
  'error.no-connection': 'There is no connection to that person yet.',
  'error.ice-server-refused': 'The relay (TURN) server refused the connection ({errorCode}).',
  'error.ice-server-refused-401': 'The TURN server refused the credentials (401): the call cannot be relayed.',
  'error.ice-servers': 'New relay server settings could not be applied; the call goes on with the old ones.',
  'error.generic': 'Something went wrong ({code}): {message}',
};

/** @typedef {keyof typeof EN} StringKey */
/** @typedef {Record<StringKey, string>} StringTable */

/** German: formal address (Sie), as most portals use. */
/** @type {StringTable} */
const DE = {
  notConnected: 'Nicht verbunden.',
  waitingVideo: 'Raum „{room}“: Kamera und Mikrofon starten erst, wenn Sie beitreten.',
  waitingAudio: 'Raum „{room}“: Das Mikrofon startet erst, wenn Sie beitreten.',
  waitingNone: 'Raum „{room}“: Treten Sie bei, wenn Sie bereit sind.',
  connecting: 'Verbindung wird hergestellt…',
  inRoom: 'Im Raum „{room}“ als {name}.',
  youLeft: 'Sie haben den Raum verlassen.',
  removed: 'Sie wurden aus dem Gespräch entfernt.',
  closed: 'Das Gespräch wurde beendet.',
  reconnecting: 'Verbindung zum Server unterbrochen; neuer Versuch ({attempt})…',
  resumed: 'Wieder im Raum „{room}“.',
  rejoined: 'Nach dem Neustart des Servers wieder im Raum „{room}“.',
  transportWebSocket: 'verbunden über WebSocket',
  transportHttp: 'verbunden über HTTP',
  transportHttpFallback: 'verbunden über HTTP (WebSocket blockiert)',

  widgetLabel: 'Videogespräch',
  prejoinHeading: 'Vor dem Beitreten',
  prejoinHint: 'Kamera und Mikrofon bleiben aus, bis Sie sie testen oder beitreten.',
  prejoinHintAudio: 'Das Mikrofon bleibt aus, bis Sie es testen oder beitreten.',
  videoHeading: 'Teilnehmende',
  controlsLabel: 'Gesprächssteuerung',
  peopleHeading: 'Personen',
  chatHeading: 'Chat',
  chatLogLabel: 'Chatnachrichten',

  nameLabel: 'Ihr Name',
  namePlaceholder: 'anonym',
  checkDevices: 'Kamera und Mikrofon testen',
  checkMicrophone: 'Mikrofon testen',
  previewLabel: 'Vorschau Ihrer Kamera',
  cameraLabel: 'Kamera',
  microphoneLabel: 'Mikrofon',
  defaultDevice: 'Standard',
  cameraNumber: 'Kamera {n}',
  microphoneNumber: 'Mikrofon {n}',
  micLevel: 'Mikrofonpegel',
  previewOn: 'Vorschau an: Sie sehen und hören, was die anderen bekommen.',

  join: 'Beitreten',
  joinVideo: 'Mit Kamera und Mikrofon beitreten',
  joinAudio: 'Mit Mikrofon beitreten',
  retry: 'Erneut versuchen',
  mute: 'Stummschalten',
  cameraOff: 'Kamera aus',
  shareScreen: 'Bildschirm teilen',
  leave: 'Verlassen',
  invite: 'Einladungslink kopieren',
  send: 'Senden',
  messageLabel: 'Nachricht',
  messagePlaceholder: 'Nachricht',
  sendFile: 'Datei senden',
  accept: 'Annehmen',
  decline: 'Ablehnen',
  acceptFile: '{file} annehmen',
  declineFile: '{file} ablehnen',
  cancel: 'Abbrechen',
  cancelFile: '{file} abbrechen',

  you: '{name} (Sie)',
  speaking: 'Spricht',
  muted: 'Stumm',
  videoOff: 'Kamera aus',
  sharing: 'Teilt den Bildschirm',
  qualityGood: 'Verbindung gut',
  qualityFair: 'Verbindung mittel',
  qualityPoor: 'Verbindung schlecht',
  qualityUnknown: 'Verbindungsqualität noch unbekannt',
  qualityDetails: '{quality}: Umlaufzeit {rtt} ms, {loss} % der Pakete verloren, {bitrate} kbit/s',
  qualityLocal: '{quality} (die schwächste Ihrer {count} Verbindungen)',
  stateNew: 'neu',
  stateConnecting: 'verbindet',
  stateConnected: 'verbunden',
  stateDisconnected: 'unterbrochen',
  stateFailed: 'fehlgeschlagen',
  stateClosed: 'geschlossen',

  someone: 'Jemand',
  peerJoined: '{name} ist beigetreten.',
  peerLeft: '{name} hat das Gespräch verlassen.',
  youJoined: 'Sie sind dem Raum „{room}“ beigetreten.',
  chatAnnounce: '{name}: {text}',
  inviteCopied: 'Einladungslink kopiert.',
  inviteManual: 'Kopieren Sie diesen Einladungslink: {url}',
  bytes: '{n} Byte',

  fileWaiting: 'Sende {file} ({size}); warte, bis die anderen annehmen…',
  fileSendingProgress: 'Sende {file} ({size})…',
  fileSent: '{file} gesendet: vollständig angekommen.',
  fileNotSent: '{file} konnte nicht gesendet werden: {reason}',
  fileOffer: '{who} möchte Ihnen {file} ({size}) senden.',
  fileReceiving: 'Empfange {file} von {who}…',
  fileReceived: '{who} hat {file} ({size}) gesendet.',
  fileTooLarge: '{who} bot {file} ({size}) an: abgelehnt, größer als {max}.',
  fileTimeout: '{who} bot {file} an: abgelehnt, keine Antwort innerhalb von 30 s.',
  fileWithdrawn: '{who} hat {file} zurückgezogen.',
  fileDeclinedByYou: 'Sie haben {file} von {who} abgelehnt.',
  fileCancelledByYou: 'Sie haben {file} abgebrochen.',
  fileOverrun: '{file}: Es kamen mehr Daten als angekündigt; die Übertragung wurde gestoppt, nichts behalten.',
  fileAborted: '{file}: Die Übertragung endete vorzeitig (abgebrochen oder Verbindung geschlossen).',
  'file-declined': 'Die anderen haben abgelehnt.',
  'file-aborted': 'Die Verbindung endete vor dem Ende der Datei.',
  'file-no-answer': 'Niemand hat geantwortet.',
  'file-cancelled': 'Sie haben abgebrochen.',

  'error.unreachable': 'Der Signalisierungsserver ist nicht erreichbar. Prüfen Sie die Adresse oder versuchen Sie es später erneut.',
  'error.unauthorized': 'Der Server hat Ihre Anmeldung für diesen Raum nicht angenommen (unauthorized).',
  'error.unauthorized-later': 'Der Server nimmt Ihre Anmeldung für diesen Raum nicht mehr an (unauthorized); '
    + 'das Gespräch versucht keine neue Verbindung mehr. Melden Sie sich erneut an und versuchen Sie es dann noch einmal.',
  'error.token-unavailable': 'Ihre Anmeldung für diesen Raum konnte nicht abgerufen werden. Versuchen Sie es gleich noch einmal.',
  'error.room-full': 'Dieser Raum ist voll. Versuchen Sie es später oder fragen Sie nach einem anderen Raum.',
  'error.rate-limited': 'Sie haben in kurzer Zeit zu viel gesendet; die letzte Nachricht wurde verworfen. Warten Sie einen Moment.',
  'error.undeliverable': 'Eine Nachricht konnte nicht zugestellt werden: Die andere Person verbindet sich gerade neu. Versuchen Sie es gleich noch einmal.',
  'error.unknown-peer': 'Diese Person ist nicht mehr im Raum.',
  'error.bad-message': 'Der Server hat diese Seite nicht verstanden (bad-message). Laden Sie die Seite neu; passiert es wieder, melden Sie es dem Support der Website.',
  'error.not-joined': 'Die Verbindung zum Raum ist aus dem Takt geraten. Verlassen Sie den Raum und treten Sie erneut bei.',
  'error.already-joined': 'Die Verbindung zum Raum ist aus dem Takt geraten. Verlassen Sie den Raum und treten Sie erneut bei.',
  'error.too-big': 'Das war zu groß, um es über den Server zu senden.',
  'error.media-denied': 'Der Zugriff auf Kamera oder Mikrofon wurde verweigert.',
  'error.media-not-found': 'Keine Kamera und kein Mikrofon gefunden. Schließen Sie eines an oder wählen Sie ein anderes und versuchen Sie es erneut.',
  'error.media-busy': 'Kamera oder Mikrofon wird von einem anderen Programm benutzt oder startet nicht. Schließen Sie das andere Programm und versuchen Sie es erneut.',
  'error.media-unavailable': 'Kamera oder Mikrofon konnten nicht gestartet werden. Vielleicht fehlen sie oder ein anderes Programm benutzt sie.',
  'error.screen-denied': 'Das Teilen des Bildschirms wurde abgebrochen oder ist nicht erlaubt.',
  'error.screen-failed': 'Das Teilen des Bildschirms hat nicht begonnen: {message}',
  'error.device-switch': 'Wechsel zu diesem Gerät nicht möglich: {message}',
  'error.negotiation': 'Bei der Verbindung zu {who} ist ein Problem aufgetreten. Wenn Sie die Person nicht sehen oder hören, verlassen Sie den Raum und treten Sie erneut bei.',
  'error.no-connection': 'Zu dieser Person besteht noch keine Verbindung.',
  'error.ice-server-refused': 'Der Relay-Server (TURN) hat die Verbindung abgelehnt ({errorCode}).',
  'error.ice-server-refused-401': 'Der TURN-Server hat die Zugangsdaten abgelehnt (401): Das Gespräch kann nicht weitergeleitet werden.',
  'error.ice-servers': 'Neue Relay-Einstellungen konnten nicht übernommen werden; das Gespräch läuft mit den alten weiter.',
  'error.generic': 'Etwas ist schiefgegangen ({code}): {message}',
};

/** The languages that ship, by primary language subtag. */
export const STRINGS = /** @type {const} */ ({ en: EN, de: DE });

/** The language codes that ship. */
export const LANGUAGES = /** @type {Array<keyof typeof STRINGS>} */ (Object.keys(STRINGS));

/**
 * The shipped language for a BCP 47 tag (`de-AT` → `de`); English for anything else.
 * @param {string|null|undefined} lang
 * @returns {keyof typeof STRINGS}
 */
export function languageOf(lang) {
  const primary = String(lang ?? '').toLowerCase().split('-')[0];
  return primary === 'de' ? 'de' : 'en';
}

/**
 * A text with its `{placeholders}` filled in; a placeholder without a value stays as it is, so a
 * wrong override shows where it went wrong instead of failing.
 * @param {string} template
 * @param {Record<string, string|number>} [params]
 * @returns {string}
 */
export function format(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
}

/**
 * As {@link format}, for texts that hold a node (a download link): the template split into text
 * and the nodes of `nodes`, in order, ready for `append()`.
 * @param {string} template
 * @param {Record<string, string|number>} params
 * @param {Record<string, Node>} nodes
 * @returns {Array<string|Node>}
 */
export function formatParts(template, params, nodes) {
  /** @type {Array<string|Node>} */
  const parts = [];
  let at = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const node = nodes[match[1]];
    if (!node) continue;
    parts.push(format(template.slice(at, match.index), params), node);
    at = /** @type {number} */ (match.index) + match[0].length;
  }
  parts.push(format(template.slice(at), params));
  return parts.filter((part) => part !== '');
}
