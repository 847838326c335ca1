// A small portal's call page, using the client the way CLIENT.md shows it. It must compile under
// `strict` against the declarations (tsconfig.json) and against the JavaScript's own JSDoc types
// (tsconfig.js.json), so it imports only names both have. Compiled, never run.

import {
  joinRoom, type JoinOptions, type MediaState, type PeerStats, type RemotePeer, type Room, type TokenSource,
} from '../../main/webapp/js/webrtc-room.js';
import '../../main/webapp/js/webrtc-room-element.js';

/** The portal's own endpoint hands out a fresh token for every join (first, resume, rejoin). */
const freshToken: TokenSource = async () => {
  const response = await fetch('/portal/call-token?room=standup', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`no token (${response.status})`);
  return response.text();
};

const log = document.createElement('pre');

function show(line: string): void {
  log.append(`${line}\n`);
}

/** Joins with camera and microphone and wires the page to the room's events. */
export async function startCall(grid: HTMLElement, preview: HTMLVideoElement): Promise<Room> {
  const options: JoinOptions = {
    room: 'standup',
    name: 'Alice',
    token: freshToken,
    media: { audio: true, video: true },
    iceTransportPolicy: 'relay',
    maxFileBytes: 64 * 1024 * 1024,
    // The portal's users sit behind a proxy that may refuse WebSocket: the default, said aloud.
    transport: 'auto',
  };
  const room = await joinRoom(options);
  const via: 'websocket' | 'http' | null = room.transport;
  show(`joined ${room.room} as ${room.name} (${room.peerId}) over ${via === 'http' ? 'HTTP' : 'WebSocket'}`);
  preview.srcObject = room.localStream;

  const videos = new Map<string, HTMLVideoElement>();
  const showPeer = (peer: RemotePeer): void => {
    const video = document.createElement('video');
    video.autoplay = true;
    video.dataset['peerId'] = peer.peerId;
    video.title = `${peer.name}: ${peer.connectionState}${peer.channelOpen ? '' : ' (chat via server)'}`;
    if (peer.stream) video.srcObject = peer.stream;
    videos.set(peer.peerId, video);
    grid.append(video);
  };
  for (const peer of room.peers.values()) showPeer(peer);

  room.addEventListener('peer-joined', (event) => showPeer(event.detail.peer));
  room.addEventListener('peer-left', ({ detail }) => {
    videos.get(detail.peerId)?.remove();
    videos.delete(detail.peerId);
    show(`${detail.peerId} left (${detail.reason})`);
  });
  room.addEventListener('peer-state', ({ detail: { peerId, connectionState } }) => {
    if (connectionState === 'failed') show(`the connection to ${peerId} failed; repairing`);
  });
  room.addEventListener('track', ({ detail }) => {
    const video = videos.get(detail.peerId);
    if (video && video.srcObject !== detail.stream) video.srcObject = detail.stream;
  });
  room.addEventListener('channel', ({ detail }) => show(`chat channel to ${detail.peerId}: ${detail.open ? 'open' : 'closed'}`));
  room.addEventListener('chat', ({ detail }) => {
    show(`${new Date(detail.at).toLocaleTimeString()} ${detail.name} (${detail.from}): ${detail.text}`);
  });
  room.addEventListener('file-offer', ({ detail: offer }) => {
    const who = room.peers.get(offer.from)?.name ?? offer.from;
    if (offer.mime.startsWith('image/') && offer.size <= 10 * 1024 * 1024) {
      show(`receiving ${offer.name} from ${who}`);
      offer.accept();
    } else {
      offer.reject();
    }
  });
  room.addEventListener('file-progress', ({ detail }) => {
    const bytes = detail.direction === 'send' ? detail.sent : detail.received;
    show(`${detail.name} (${detail.peerId}): ${Math.round((100 * bytes) / Math.max(1, detail.size))} %`);
  });
  room.addEventListener('file', ({ detail }) => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(detail.blob);
    link.download = detail.name;
    link.textContent = `${detail.name} (${detail.size} bytes, ${detail.blob.type}) from ${detail.from}`;
    log.append(link);
  });
  room.addEventListener('file-rejected', ({ detail }) => {
    if (detail.reason === 'too-large') show(`${detail.name} (${detail.size} bytes) is over ${room.maxFileBytes} bytes`);
    else show(`${detail.name} from ${detail.from}: ${detail.reason}`);
  });
  room.addEventListener('reconnecting', ({ detail }) => show(`connection lost; attempt ${detail.attempt}`));
  room.addEventListener('reconnected', ({ detail }) => show(detail.resumed ? 'back' : `rejoined as ${room.peerId}`));
  room.addEventListener('error', ({ detail }) => {
    if (detail.code === 'unauthorized') show('Please sign in again.');
    else show(`${detail.code}: ${detail.message}${detail.peerId ? ` (with ${detail.peerId})` : ''}`);
  });
  room.addEventListener('left', ({ detail }) => {
    show(detail.reason === 'removed' ? 'You were removed from the call.' : 'The call was ended.');
  });
  room.addEventListener('screen-share', ({ detail }) => {
    preview.srcObject = detail.active ? new MediaStream([detail.track]) : room.localStream;
  });

  // Tiles: who is muted, who shares, who speaks, and how good each connection is.
  const describe = (media: MediaState): string =>
    `${media.audio ? 'mic on' : 'muted'}, ${media.video ? 'camera on' : 'camera off'}${media.screen ? ', sharing' : ''}`;
  room.addEventListener('peer-media', ({ detail }) => {
    const video = videos.get(detail.peerId);
    if (video) video.dataset['media'] = describe(detail);
  });
  room.addEventListener('local-media', ({ detail }) => {
    preview.dataset['media'] = describe(detail);
  });
  preview.dataset['media'] = describe(room.localMedia);
  const quality = (stats: PeerStats): 'good' | 'fair' | 'poor' | 'unknown' => {
    if (stats.rttMs === null) return 'unknown';
    const loss = stats.packetLoss ?? 0;
    if (stats.rttMs > 400 || loss > 0.1) return 'poor';
    return stats.rttMs > 150 || loss > 0.02 ? 'fair' : 'good';
  };
  room.addEventListener('peer-stats', ({ detail }) => {
    const video = videos.get(detail.peerId);
    if (!video) return;
    video.dataset['quality'] = quality(detail);
    const kbps = detail.bitrateKbps === null ? '' : `, ${detail.bitrateKbps} kbit/s`;
    video.title = `${detail.rttMs ?? '?'} ms${kbps}`;
  });
  room.addEventListener('speaking', ({ detail }) => {
    const target = detail.peerId === room.peerId ? preview : videos.get(detail.peerId);
    target?.classList.toggle('speaking', detail.speaking);
    if (detail.speaking) show(`${room.peers.get(detail.peerId)?.name ?? 'you'} speaking (level ${detail.level.toFixed(2)})`);
  });
  for (const peer of room.peers.values()) {
    if (peer.media) show(`${peer.name}: ${describe(peer.media)}${peer.speaking ? ', speaking' : ''}`);
    if (peer.stats) show(`${peer.name}: ${quality(peer.stats)}`);
  }

  const hello = room.sendChat('Hello, everyone');
  show(`sent at ${new Date(hello.at).toISOString()}: ${hello.text}`);
  const [first] = room.peers.keys();
  if (first) room.sendChat('Hello, just you', { to: first });
  return room;
}

/** Sends the picked file to everyone; the button cancels it. */
export async function sendPicked(room: Room, input: HTMLInputElement, cancel: HTMLButtonElement): Promise<void> {
  const file = input.files?.[0];
  if (!file) return;
  const sending = room.sendFile(file);
  cancel.onclick = () => sending.cancel();
  try {
    await sending;
    show(`${file.name}: received in full`);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'error';
    show(`${file.name} not sent (${code})`);
  }
  const note = new Blob(['minutes'], { type: 'text/plain' });
  const [first] = room.peers.keys();
  if (first) await room.sendFile(Object.assign(note, { name: 'minutes.txt' }), { to: first });
}

/** Device pickers: the cameras and microphones, switched in the call without renegotiation. */
export async function pickers(room: Room, cameras: HTMLSelectElement, microphones: HTMLSelectElement): Promise<void> {
  const devices: MediaDeviceInfo[] = await room.listDevices();
  for (const device of devices) {
    const option = new Option(device.label || device.kind, device.deviceId);
    if (device.kind === 'videoinput') cameras.append(option);
    if (device.kind === 'audioinput') microphones.append(option);
  }
  cameras.onchange = async () => {
    const track: MediaStreamTrack = await room.setCamera(cameras.value);
    show(`camera: ${track.label}`);
  };
  microphones.onchange = () => {
    room.setMicrophone(microphones.value).catch((error: unknown) => {
      const code = error instanceof Error && 'code' in error ? String(error.code) : 'error';
      show(`microphone not switched (${code})`);
    });
  };
}

/** Joins with the pre-join preview's own stream, or straight away with the chosen devices. */
export async function joinChosen(preview: HTMLVideoElement | null, cameraId: string, microphoneId: string): Promise<Room> {
  const devices = { audio: { deviceId: { exact: microphoneId } }, video: { deviceId: { exact: cameraId } } };
  if (!preview) return joinRoom({ room: 'standup', media: devices });
  const stream = await navigator.mediaDevices.getUserMedia(devices);
  preview.srcObject = stream;
  return joinRoom({ room: 'standup', media: stream });
}

/** The portal's own call controls. */
export async function controls(room: Room, action: string): Promise<void> {
  switch (action) {
    case 'mute': room.setMicrophoneEnabled(false); break;
    case 'unmute': room.setMicrophoneEnabled(true); break;
    case 'camera-off': room.setCameraEnabled(false); break;
    case 'share': {
      const track: MediaStreamTrack = await room.shareScreen();
      show(`sharing ${track.label}`);
      break;
    }
    case 'stop-share': if (room.screenTrack) await room.stopScreenShare(); break;
    case 'whiteboard': {
      const canvas = document.createElement('canvas');
      const [track] = canvas.captureStream().getVideoTracks();
      if (track) room.addTrack(track);
      break;
    }
    default: room.leave();
  }
}

/** Or the ready-made widget: <webrtc-room>, typed through HTMLElementTagNameMap. */
export function embed(container: HTMLElement, join: HTMLButtonElement): void {
  const element = document.createElement('webrtc-room');
  element.setAttribute('room', 'standup');
  element.setAttribute('name', 'Alice');
  element.setAttribute('media', 'audio');
  element.token = freshToken;
  element.addEventListener('joined', ({ detail }) => show(`the widget joined as ${detail.room.peerId}`));
  element.addEventListener('chat', ({ detail }) => show(`${detail.name}: ${detail.text}`));
  element.addEventListener('error', ({ detail }) => show(`widget: ${detail.code} ${detail.message}`));
  element.addEventListener('left', ({ detail }) => show(detail ? `widget: call over (${detail.reason})` : 'widget: left'));
  container.append(element);
  join.addEventListener('click', () => {
    void element.join();
  });
  container.addEventListener('dblclick', () => {
    show(`widget peer: ${element.room?.peerId ?? 'not in a room'}`);
    if (element.room) element.leave();
  });
  show(`observes ${customElements.get('webrtc-room') ? 'defined' : 'undefined'}`);
}
