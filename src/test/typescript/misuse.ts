// Uses of the client that the declarations must refuse. Each `@ts-expect-error` fails the check
// when its line compiles, so declarations that decay to `any` (or drop a type) are caught here.

import { joinRoom, Room } from '../../main/webapp/js/webrtc-room.js';
import '../../main/webapp/js/webrtc-room-element.js';

export async function misuse(room: Room, file: File): Promise<void> {
  // @ts-expect-error transport is 'auto', 'websocket' or 'http'
  await joinRoom({ room: 'standup', transport: 'long-polling' });
  // @ts-expect-error `room` is required
  await joinRoom({ name: 'Alice' });
  // @ts-expect-error a token is a string or a function that returns one
  await joinRoom({ room: 'standup', token: 42 });
  // @ts-expect-error media is {audio, video}, a MediaStream or null
  await joinRoom({ room: 'standup', media: 'video' });
  // @ts-expect-error iceTransportPolicy is 'all' or 'relay'
  await joinRoom({ room: 'standup', iceTransportPolicy: 'turn' });

  // @ts-expect-error chat's detail has `text`, not `txt`
  room.addEventListener('chat', (event) => event.detail.txt);
  // @ts-expect-error `peer` belongs to peer-joined, not peer-left
  room.addEventListener('peer-left', (event) => event.detail.peer);
  // @ts-expect-error `sent` only while sending: narrow on `direction` first
  room.addEventListener('file-progress', (event) => event.detail.sent);
  // @ts-expect-error left's reason is 'removed' or 'closed'
  room.addEventListener('left', (event) => event.detail.reason === 'kicked');
  // @ts-expect-error an event the room does not dispatch is a plain Event, without detail
  room.addEventListener('peer-joind', (event) => event.detail);
  // @ts-expect-error a file offer is answered with accept() or reject(), not a boolean
  room.addEventListener('file-offer', (event) => event.detail.accept(true));

  // @ts-expect-error listDevices() takes no kind: filter its MediaDeviceInfo[] by `kind`
  await room.listDevices('videoinput');
  // @ts-expect-error setCamera takes a deviceId, not a MediaDeviceInfo
  await room.setCamera((await room.listDevices())[0]);
  // @ts-expect-error setMicrophone needs the deviceId
  await room.setMicrophone();
  // @ts-expect-error media's devices are constraints or booleans, not a deviceId string
  await joinRoom({ room: 'standup', media: { video: 'camera-1' } });
  // @ts-expect-error peer-media says `audio`, not `muted`
  room.addEventListener('peer-media', (event) => event.detail.muted);
  // @ts-expect-error peer-stats' rttMs may be null: check before doing arithmetic
  room.addEventListener('peer-stats', (event) => event.detail.rttMs.toFixed(0));
  // @ts-expect-error speaking's level is a number
  room.addEventListener('speaking', (event) => event.detail.level.startsWith('0'));
  // @ts-expect-error the own media state changes through setMicrophoneEnabled and friends
  room.localMedia = { audio: false, video: false, screen: false };
  // @ts-expect-error a peer's media state is the room's to keep
  room.peers.get('x')!.media = null;
  // @ts-expect-error there is no mute(): setMicrophoneEnabled(false)
  room.mute();
  // @ts-expect-error the signaling channel is internal
  room.signaling.drop();
  // @ts-expect-error the peer connections are internal
  room.links.clear();
  // @ts-expect-error peerId is the server's to give
  room.peerId = 'someone-else';
  // @ts-expect-error the transport in use is the client's to choose
  room.transport = 'http';
  // @ts-expect-error room.transport is a binding, never 'auto'
  if (room.transport === 'auto') return;
  // @ts-expect-error peers is read-only for the page
  room.peers.clear();
  // @ts-expect-error sendChat takes the text
  room.sendChat({ text: 'hi' });
  // @ts-expect-error sendFile takes a Blob or a File
  room.sendFile('minutes.txt');
  // @ts-expect-error cancel() takes no reason
  room.sendFile(file).cancel('changed my mind');
  // @ts-expect-error a Room comes from joinRoom, already joined
  new Room();

  const element = document.createElement('webrtc-room');
  // @ts-expect-error the element's room is its own
  element.room = room;
  // @ts-expect-error a token is a string or a TokenSource
  element.token = 42;
  // @ts-expect-error the element's `left` has detail null when the user left
  element.addEventListener('left', (event) => event.detail.reason);
  // @ts-expect-error the element's controls are internal
  element.joinButton.click();
}
