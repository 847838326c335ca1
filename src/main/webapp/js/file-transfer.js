// Files over their own DataChannel: a JSON header, then binary chunks, closed by the receiver
// once `size` bytes arrived (which is also the sender's acknowledgement).

export const CHUNK_BYTES = 16 * 1024;
/** Stop queuing above this much unsent data; resume at the low-water mark. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/**
 * Sends `file` over a new `file` channel of `pc`; resolves when the receiver has all of it.
 * @param {RTCPeerConnection} pc
 * @param {Blob & {name?: string}} file
 * @returns {Promise<void>}
 */
export async function sendFile(pc, file) {
  const channel = pc.createDataChannel('file', { ordered: true });
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = LOW_WATER;
  const closed = new Promise((resolve) => channel.addEventListener('close', resolve, { once: true }));
  await new Promise((resolve, reject) => {
    channel.addEventListener('open', resolve, { once: true });
    channel.addEventListener('error', () => reject(new Error('file channel failed to open')), { once: true });
  });
  channel.send(JSON.stringify({
    type: 'file', name: file.name || 'file', size: file.size, mime: file.type || 'application/octet-stream',
  }));
  for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
    if (channel.readyState !== 'open') throw new Error('file channel closed before the end');
    if (channel.bufferedAmount > HIGH_WATER) {
      await new Promise((resolve) => channel.addEventListener('bufferedamountlow', resolve, { once: true }));
    }
    channel.send(await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
  }
  await closed;
}

/**
 * Collects one incoming file channel.
 * @param {RTCDataChannel} channel
 * @param {(file: {name: string, size: number, blob: Blob}) => void} onFile
 */
export function receiveFile(channel, onFile) {
  channel.binaryType = 'arraybuffer';
  /** @type {{name: string, size: number, mime: string}|null} */
  let header = null;
  /** @type {ArrayBuffer[]} */
  const chunks = [];
  let received = 0;
  channel.addEventListener('message', (event) => {
    if (header === null) {
      try {
        const first = JSON.parse(event.data);
        if (first.type !== 'file' || !Number.isSafeInteger(first.size) || first.size < 0) throw new Error();
        header = { name: String(first.name), size: first.size, mime: String(first.mime || '') };
      } catch {
        channel.close();
        return;
      }
    } else if (event.data instanceof ArrayBuffer) {
      chunks.push(event.data);
      received += event.data.byteLength;
    }
    if (header && received >= header.size) {
      const blob = new Blob(chunks, { type: header.mime });
      channel.close();
      onFile({ name: header.name, size: received, blob });
    }
  });
}
