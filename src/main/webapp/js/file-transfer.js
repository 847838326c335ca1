// Files over their own DataChannel (CLIENT.md, "Peer-to-peer wire format" and "Additions"): the
// sender opens a `file` channel and sends a JSON header; the receiver asks its user first and keeps
// no byte before the answer. Only after `{"type":"file-accept"}` do binary chunks follow; the
// receiver confirms the last byte with `{"type":"file-done"}` and closes the channel. A receiver
// that declines says `{"type":"file-reject","reason":…}` and closes. Files can carry script into
// this page's origin, so what a received Blob may claim to be is limited (see safeMimeType).

export const CHUNK_BYTES = 16 * 1024;
/** Stop queuing above this much unsent data; resume at the low-water mark. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
/** Progress events, both ways, at most this often. */
export const PROGRESS_INTERVAL_MS = 100;
/** How long a receiver's user has to accept or decline an offer. */
export const OFFER_TIMEOUT_MS = 30_000;
/** The sender gives up on an answer a little after the receiver would have. */
const ANSWER_TIMEOUT_MS = OFFER_TIMEOUT_MS + 10_000;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
const MAX_NAME_LENGTH = 255;

/** Types a received file keeps; anything else (HTML, XML, scripts…) becomes opaque bytes. */
const SAFE_TYPE = /^(?:(?:image|audio|video)\/[a-z0-9][a-z0-9!#$&^_.+-]*|application\/pdf|text\/plain)$/;

/**
 * The type a received Blob gets: the announced one only when it is `image/*`, `audio/*`,
 * `video/*`, `application/pdf` or `text/plain` (parameters dropped), else
 * `application/octet-stream`, so that a blob: URL of the portal's origin never renders as HTML.
 * @param {unknown} announced
 */
export function safeMimeType(announced) {
  const essence = String(announced ?? '').split(';')[0].trim().toLowerCase();
  return SAFE_TYPE.test(essence) ? essence : 'application/octet-stream';
}

/**
 * @typedef {object} FileProgress
 * @property {string} name
 * @property {number} bytes sent or received so far
 * @property {number} size
 */

/**
 * A promise of a completed transfer that can be cancelled; `cancel(error)` rejects it with
 * `error` instead of the default `file-cancelled` one.
 * @typedef {Promise<void> & {cancel: (error?: Error) => void}} FileSend
 */

/**
 * An Error with the `code` the client's errors carry.
 * @param {string} code @param {string} message
 */
function failure(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * Calls `report` at most every {@link PROGRESS_INTERVAL_MS}, with counts that never go down:
 * `update` drops what comes too soon (or is not more than already reported), `last` (the final
 * count) is delayed instead, so a progress bar always reaches the end, and then calls `then`: a
 * transfer settles (`sendFile` resolves, `file` fires) only after its last progress event.
 * `stop` drops a pending last count (a cancelled transfer).
 * @param {(bytes: number) => void} report
 */
function throttled(report) {
  let last = -Infinity;
  let reported = -1;
  let stopped = false;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let pending;
  const emit = (/** @type {number} */ bytes) => {
    last = performance.now();
    reported = bytes;
    report(bytes);
  };
  return {
    update: (/** @type {number} */ bytes) => {
      if (!stopped && bytes > reported && performance.now() - last >= PROGRESS_INTERVAL_MS) emit(bytes);
    },
    last: (/** @type {number} */ bytes, /** @type {() => void} */ then = () => {}) => {
      clearTimeout(pending);
      stopped = true;
      // Timers may fire a little early by performance.now()'s clock: check again when it does.
      const attempt = () => {
        const wait = PROGRESS_INTERVAL_MS - (performance.now() - last);
        if (wait > 0) {
          pending = setTimeout(attempt, Math.ceil(wait));
          return;
        }
        if (bytes !== reported) emit(bytes);
        then();
      };
      attempt();
    },
    stop: () => {
      stopped = true;
      clearTimeout(pending);
    },
  };
}

/**
 * Sends `file` over a new `file` channel of `pc`. Resolves once the receiver confirmed every byte
 * with `file-done`; rejects when it declines, closes the channel early, or does not answer.
 * @param {RTCPeerConnection} pc
 * @param {Blob & {name?: string}} file
 * @param {{onProgress?: (progress: FileProgress) => void}} [options]
 * @returns {FileSend}
 */
export function sendFile(pc, file, { onProgress } = {}) {
  const name = file.name || 'file';
  const channel = pc.createDataChannel('file', { ordered: true });
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = LOW_WATER;
  /** @type {(error: Error) => void} */
  let abort = () => {};
  let finished = false;
  const progress = throttled((bytes) => onProgress?.({ name, bytes, size: file.size }));
  const done = new Promise((resolve, reject) => {
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    let answerTimer;
    /** @type {string|null} the receiver's reason when it declined */
    let declined = null;
    let accepted = false;
    /** Set once `file-done` came: the promise resolves after the last progress event. */
    let confirmed = false;
    const finish = (/** @type {Error|null} */ error) => {
      // Once the receiver confirmed every byte, nothing can undo the transfer: it resolves with
      // its last progress event, even when cancelled or closed in the meantime.
      if (finished || (error && confirmed)) return;
      finished = true;
      clearTimeout(answerTimer);
      if (error) {
        progress.stop();
        if (channel.readyState === 'connecting' || channel.readyState === 'open') channel.close();
        reject(error);
      } else {
        resolve(undefined);
      }
    };
    abort = finish;
    channel.addEventListener('open', () => {
      channel.send(JSON.stringify({
        type: 'file', name, size: file.size, mime: file.type || 'application/octet-stream',
      }));
      answerTimer = setTimeout(() => {
        finish(failure('file-no-answer', `${name}: the receiver did not answer`));
      }, ANSWER_TIMEOUT_MS);
    }, { once: true });
    channel.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.type === 'file-accept') {
        if (accepted) return; // a second accept must not send the file twice
        accepted = true;
        clearTimeout(answerTimer);
        stream(channel, file, progress.update).catch((error) => finish(error));
      } else if (message?.type === 'file-done') {
        if (confirmed) return;
        confirmed = true;
        clearTimeout(answerTimer);
        progress.last(file.size, () => finish(null));
      } else if (message?.type === 'file-reject') {
        declined = String(message.reason ?? 'declined');
      }
    });
    channel.addEventListener('close', () => {
      // The receiver closes right after file-done; the last progress event is still on its way.
      if (confirmed) return;
      finish(declined
        ? failure('file-declined', `${name} was declined (${declined})`)
        : failure('file-aborted', `${name}: the receiver closed the transfer before confirming it`));
    });
  });
  return Object.assign(done, {
    cancel: (/** @type {Error|undefined} */ error) => abort(error ?? failure('file-cancelled', `${name}: cancelled`)),
  });
}

/**
 * The chunks, with back-pressure.
 * @param {RTCDataChannel} channel @param {Blob} file @param {(bytes: number) => void} progress
 */
async function stream(channel, file, progress) {
  for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
    if (channel.readyState !== 'open') return; // the close handler says why
    if (channel.bufferedAmount > HIGH_WATER) {
      await new Promise((resolve) => {
        channel.addEventListener('bufferedamountlow', resolve, { once: true });
        channel.addEventListener('close', resolve, { once: true });
      });
      if (channel.readyState !== 'open') return;
    }
    const chunk = await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer();
    if (channel.readyState !== 'open') return;
    channel.send(chunk);
    // What left this side: handed to the channel minus what it still buffers.
    progress(Math.max(0, offset + chunk.byteLength - channel.bufferedAmount));
  }
}

/**
 * An incoming file announced by its header; nothing of it is kept before `accept()`.
 * @typedef {object} FileOffer
 * @property {string} name
 * @property {number} size
 * @property {string} mime the announced type, as announced
 * @property {() => void} accept
 * @property {(reason?: string) => void} reject
 */

/**
 * @typedef {object} ReceiveHandlers
 * @property {number} maxFileBytes larger offers are declined without asking
 * @property {(offer: FileOffer) => void} onOffer asks the user; unanswered offers time out
 * @property {(rejected: {name: string, size: number, reason: string}) => void} onRejected
 * @property {(progress: FileProgress) => void} onProgress
 * @property {(file: {name: string, size: number, blob: Blob}) => void} onFile
 * @property {(error: {code: string, message: string, name: string}) => void} onError
 */

/**
 * Handles one incoming file channel: the offer, the answer, the bytes, the confirmation.
 * @param {RTCDataChannel} channel
 * @param {ReceiveHandlers} handlers
 */
export function receiveFile(channel, { maxFileBytes, onOffer, onRejected, onProgress, onFile, onError }) {
  channel.binaryType = 'arraybuffer';
  /** @type {{name: string, size: number, mime: string}|null} */
  let header = null;
  /** 'header' (waiting for it), 'offered' (waiting for our user), 'receiving', 'ended' */
  let phase = 'header';
  /** @type {ArrayBuffer[]} */
  let chunks = [];
  let received = 0;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let offerTimer;
  const progress = throttled((bytes) => {
    if (header) onProgress({ name: header.name, bytes, size: header.size });
  });

  const end = () => {
    phase = 'ended';
    clearTimeout(offerTimer);
    progress.stop();
    chunks = [];
    if (channel.readyState === 'connecting' || channel.readyState === 'open') channel.close();
  };
  const decline = (/** @type {string} */ reason) => {
    if (phase === 'ended') return;
    // After accept(), reject() is our user's cancel: the sender hears the reason and stops, and
    // nothing is reported back to the caller who asked for it.
    const cancelling = phase === 'receiving';
    if (channel.readyState === 'open') channel.send(JSON.stringify({ type: 'file-reject', reason }));
    end();
    if (header && !cancelling) onRejected({ name: header.name, size: header.size, reason });
  };
  const fail = (/** @type {string} */ code, /** @type {string} */ message) => {
    const name = header?.name ?? 'file';
    end();
    onError({ code, message, name });
  };

  channel.addEventListener('message', (event) => {
    if (phase === 'ended') return;
    if (phase === 'header') {
      try {
        const first = JSON.parse(event.data);
        if (first.type !== 'file' || !Number.isSafeInteger(first.size) || first.size < 0) throw new Error();
        header = {
          name: String(first.name ?? 'file').slice(0, MAX_NAME_LENGTH) || 'file',
          size: first.size,
          mime: String(first.mime ?? ''),
        };
      } catch {
        end();
        return;
      }
      if (header.size > maxFileBytes) {
        phase = 'offered';
        decline('too-large');
        return;
      }
      phase = 'offered';
      offerTimer = setTimeout(() => decline('timeout'), OFFER_TIMEOUT_MS);
      const offered = /** @type {{name: string, size: number, mime: string}} */ (header);
      onOffer({
        name: offered.name,
        size: offered.size,
        mime: offered.mime,
        accept: () => {
          if (phase !== 'offered') return;
          clearTimeout(offerTimer);
          phase = 'receiving';
          channel.send(JSON.stringify({ type: 'file-accept' }));
          if (received === offered.size) complete();
          else progress.update(received);
        },
        reject: (reason = 'declined') => decline(String(reason)),
      });
      return;
    }
    if (typeof event.data === 'string') return; // unknown control messages are ignored
    const chunk = /** @type {ArrayBuffer} */ (event.data);
    const size = /** @type {{size: number}} */ (header).size;
    if (received + chunk.byteLength > size) {
      fail('file-overrun', `${header?.name}: more bytes arrived than the ${size} announced`);
      return;
    }
    // A sender that follows only CLIENT.md's wire format streams right after the header without
    // waiting for file-accept, and a data channel cannot pause it. Its bytes are held, unseen,
    // until the user answers: never more than the announced size, which is within maxFileBytes,
    // never a Blob before accept(), and dropped on a decline or a timeout.
    chunks.push(chunk);
    received += chunk.byteLength;
    if (phase === 'offered') return;
    if (received === size) complete();
    else progress.update(received);
  });
  channel.addEventListener('close', () => {
    if (phase === 'receiving') fail('file-aborted', `${header?.name}: the sender stopped before the end`);
    else if (phase === 'offered') {
      // The sender cancelled before our user answered.
      clearTimeout(offerTimer);
      phase = 'ended';
      chunks = [];
      if (header) onRejected({ name: header.name, size: header.size, reason: 'cancelled' });
    }
  });

  function complete() {
    const { name, size, mime } = /** @type {{name: string, size: number, mime: string}} */ (header);
    const blob = new Blob(chunks, { type: safeMimeType(mime) });
    channel.send(JSON.stringify({ type: 'file-done' }));
    phase = 'ended';
    clearTimeout(offerTimer);
    chunks = [];
    if (channel.readyState === 'connecting' || channel.readyState === 'open') channel.close();
    // The last progress event (the whole size) comes first, then the file.
    progress.last(size, () => onFile({ name, size, blob }));
  }
}
