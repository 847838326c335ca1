// The pre-join step's media, for <webrtc-room>: a preview stream of the chosen camera and
// microphone, the device lists for the pickers, and the microphone's level. Nothing here runs
// before the user's click: start() is the only call that opens a device.

/** How often the level meter reads the analyser: often enough to follow speech, cheap enough. */
export const LEVEL_INTERVAL_MS = 100;
/** The level meter's range in decibels below full scale: -60 dB shows as 0, 0 dB as 1. */
const LEVEL_FLOOR_DB = -60;

/**
 * A getUserMedia failure as a code the element words for the user (the codes of joinRoom's
 * rejections where they mean the same).
 * @param {unknown} error
 * @returns {'media-denied'|'media-not-found'|'media-busy'|'media-unavailable'}
 */
export function mediaErrorCode(error) {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'media-denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'media-not-found';
  if (name === 'NotReadableError' || name === 'AbortError') return 'media-busy';
  return 'media-unavailable';
}

/**
 * The cameras and microphones the browser lists. Without a granted permission their labels are
 * empty (and Chromium lists one of each with an empty id): the pickers then offer "Default".
 * @returns {Promise<{cameras: MediaDeviceInfo[], microphones: MediaDeviceInfo[]}>}
 */
export async function listDevices() {
  const devices = navigator.mediaDevices?.enumerateDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  return {
    cameras: devices.filter((d) => d.kind === 'videoinput' && d.deviceId),
    microphones: devices.filter((d) => d.kind === 'audioinput' && d.deviceId),
  };
}

/**
 * A constraint for one kind: the chosen device exactly, or any.
 * @param {string|undefined} deviceId
 * @returns {MediaTrackConstraints|boolean}
 */
function constraint(deviceId) {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

/** The preview of the pre-join step: its stream and its microphone level. */
export class DevicePreview {
  /** @param {{video: boolean}} options whether the call sends video (else the microphone alone) */
  constructor({ video }) {
    this.video = video;
    /** @type {MediaStream|null} */
    this.stream = null;
    /** @type {AudioContext|null} */
    this.audioContext = null;
    /** @type {AnalyserNode|null} */
    this.analyser = null;
    /** @type {MediaStreamAudioSourceNode|null} */
    this.source = null;
    /** @type {Float32Array<ArrayBuffer>|null} */
    this.samples = null;
  }

  /**
   * Opens the camera (when the call has video) and the microphone. Call it from a click.
   * @param {{cameraId?: string, microphoneId?: string}} [choice]
   * @returns {Promise<MediaStream>}
   */
  async start({ cameraId, microphoneId } = {}) {
    this.stop();
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: constraint(microphoneId),
      video: this.video ? constraint(cameraId) : false,
    });
    this.stream = stream;
    this.listen();
    return stream;
  }

  /**
   * Replaces one kind's track with the chosen device's, in the same stream (the preview video
   * keeps playing it). The old track stops first: some cameras open only once.
   * @param {'audio'|'video'} kind @param {string} deviceId
   */
  async switchTo(kind, deviceId) {
    const stream = this.stream;
    if (!stream) return;
    for (const old of kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks()) {
      old.stop();
      stream.removeTrack(old);
    }
    const opened = await navigator.mediaDevices.getUserMedia(
      kind === 'audio' ? { audio: constraint(deviceId) } : { video: constraint(deviceId) });
    const [track] = opened.getTracks();
    if (this.stream !== stream) {
      track.stop(); // stopped or handed over meanwhile
      return;
    }
    stream.addTrack(track);
    if (kind === 'audio') this.listen();
  }

  /** The device id each kind uses now, for the pickers. */
  current() {
    const id = (/** @type {MediaStreamTrack|undefined} */ track) => track?.getSettings().deviceId ?? '';
    return { cameraId: id(this.stream?.getVideoTracks()[0]), microphoneId: id(this.stream?.getAudioTracks()[0]) };
  }

  /** Feeds the microphone track to an analyser; the AudioContext was allowed by the click. */
  listen() {
    this.silence();
    const track = this.stream?.getAudioTracks()[0];
    if (!track || typeof AudioContext === 'undefined') return;
    this.audioContext ??= new AudioContext();
    // A context made outside a user activation starts suspended; resume() is allowed once the
    // page may capture, and harmless otherwise (the meter then stays at 0).
    this.audioContext.resume().catch(() => {});
    this.source = this.audioContext.createMediaStreamSource(new MediaStream([track]));
    this.analyser = this.audioContext.createAnalyser();
    this.analyser.fftSize = 1024;
    this.samples = new Float32Array(new ArrayBuffer(this.analyser.fftSize * Float32Array.BYTES_PER_ELEMENT));
    this.source.connect(this.analyser);
  }

  /** The microphone's level now, 0 (silence, or below -60 dB) to 1 (full scale). */
  level() {
    if (!this.analyser || !this.samples) return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    const rms = Math.sqrt(sum / this.samples.length);
    if (rms <= 0) return 0;
    const db = 20 * Math.log10(rms);
    return Math.min(1, Math.max(0, (db - LEVEL_FLOOR_DB) / -LEVEL_FLOOR_DB));
  }

  /** Disconnects the analyser (the stream's tracks keep running). */
  silence() {
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
    this.samples = null;
  }

  /** Ends the meter and gives the stream away (to joinRoom, which stops its tracks on leave). */
  handOver() {
    const stream = this.stream;
    this.stream = null;
    this.close();
    return stream;
  }

  /** Stops the meter and the preview's tracks. */
  stop() {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.close();
  }

  /** @private */
  close() {
    this.silence();
    this.audioContext?.close().catch(() => {});
    this.audioContext = null;
  }
}
