// A portal that ships the <webrtc-room> widget in its own words and colours: the element's typed
// API (lang, strings, the quality thresholds, the 1.1 events it forwards) under `strict`, against
// the declarations (tsconfig.json) and the JavaScript's JSDoc types (tsconfig.js.json). Compiled,
// never run; docs/widget.md describes the same.

import { QUALITY_THRESHOLDS, qualityOf, type Quality } from '../../main/webapp/js/webrtc-room-element.js';
import { STRINGS, languageOf, type StringKey } from '../../main/webapp/js/webrtc-room-strings.js';

/** The portal's own words for a few texts; every other text keeps the element's language. */
const wording: Partial<Record<StringKey, string>> = {
  join: 'Enter the consultation',
  leave: 'End consultation',
  'error.room-full': 'The consultation is full; please call us instead.',
};

export function embedConsultation(container: HTMLElement, lang: string, token: () => Promise<string>): HTMLElement {
  const element = document.createElement('webrtc-room');
  element.setAttribute('room', 'consultation-42');
  element.setAttribute('media', 'video');
  element.setAttribute('invite-url', 'https://portal.example/consultations/42');
  element.lang = languageOf(lang);
  element.token = token;
  element.strings = element.language === 'de' ? { ...wording, join: 'Sprechstunde betreten' } : wording;
  // Reading back gives what was set; a key is there or not.
  const joinText: string | undefined = element.strings.join;
  element.strings = { ...element.strings, leave: joinText ? 'Leave' : 'Go' };
  // The portal's colours: the documented custom properties.
  element.style.setProperty('--sb-accent', '#0b6e4f');
  element.style.setProperty('--sb-radius', '4px');

  // The 1.1 events come through the element as through the room, typed.
  element.addEventListener('peer-media', ({ detail }) => {
    const off: boolean = !detail.audio || !detail.video;
    container.dataset['lastMute'] = off ? detail.peerId : '';
  });
  element.addEventListener('speaking', ({ detail }) => {
    if (detail.speaking) container.dataset['speaker'] = detail.peerId;
  });
  element.addEventListener('peer-stats', ({ detail }) => {
    const quality: Quality = qualityOf(detail);
    const poorRtt: number = QUALITY_THRESHOLDS.fair.rttMs;
    if (quality === 'poor') container.title = `round trip over ${poorRtt} ms: ${detail.rttMs ?? '?'} ms`;
  });
  element.addEventListener('error', ({ detail }) => {
    // The element already says it in words; the portal logs the code.
    const english: string = STRINGS.en[`error.${detail.code}` as StringKey] ?? STRINGS.en['error.generic'];
    container.dataset['lastError'] = `${detail.code}: ${english}`;
  });
  container.append(element);
  return element;
}

export function wrongUses(element: HTMLElementTagNameMap['webrtc-room']): void {
  // @ts-expect-error a key the table does not have
  element.strings = { joinNow: 'Go' };
  // @ts-expect-error texts are strings
  element.strings = { join: 42 };
  // @ts-expect-error the element speaks 'en' or 'de'
  const french: typeof element.language = 'fr';
  void french;
  // @ts-expect-error the badge's qualities are good, fair, poor and unknown
  const great: Quality = 'great';
  void great;
}
