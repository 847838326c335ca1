// A call peer written with another WebRTC stack (libdatachannel, through node-datachannel) that
// speaks CLIENT.md's peer-to-peer wire format, for BrowserInteropIT.
//
// It does not open the signaling connection itself: the Java test holds it and pipes it through
// this process's standard streams, one JSON object per line.
//   stdin:  every frame the server sent (the first is `welcome`), and the test's commands
//           {"command": "chat", "text": "…"}
//   stdout: {"send": <frame for the server>} and {"event": "…", …} reports for the test
// The process ends when its stdin ends, so it never outlives the test that started it.
//
// Usage: node interop-peer.mjs --room <room> --name <name> --offer at-once|prepared|by-rule
//        [--unreachable-first]
//   at-once: offers as soon as it learns of a peer, even one that joined later and will offer too
//            (this breaks CLIENT.md's "the later joiner offers" rule: glare on purpose);
//   prepared: the same, with an offer made (and candidates gathered) before anyone came, sent the
//            instant it learns of a peer: the tightest glare, which meets the newcomer's offer
//            while that is still being made;
//   by-rule: offers only to peers that were in the room before it (from `joined.peers`);
//   --unreachable-first: the first connection to each peer neither sends nor takes candidates, as
//            if a firewall stood between, so ICE never starts and only a rebuild connects.

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import nodeDataChannel from 'node-datachannel';

const { values: options } = parseArgs({
  options: {
    room: { type: 'string' },
    name: { type: 'string', default: 'libdatachannel' },
    offer: { type: 'string', default: 'by-rule' },
    'unreachable-first': { type: 'boolean', default: false },
  },
});
if (!options.room || !['at-once', 'prepared', 'by-rule'].includes(options.offer)) {
  process.stderr.write('usage: interop-peer.mjs --room <room> [--name <name>]'
    + ' --offer at-once|prepared|by-rule [--unreachable-first]\n');
  process.exit(2);
}

/** @param {object} line */
function write(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** @param {string} event @param {object} [detail] */
function report(event, detail = {}) {
  write({ event, ...detail });
}

/** @param {object} frame */
function sendFrame(frame) {
  write({ send: frame });
}

/** @param {string} sdp */
function iceUfrag(sdp) {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null;
}

/**
 * The STUN entries of `welcome.iceServers` in libdatachannel's form ("stun:host:port"); TURN is
 * left out, since these tests run on loopback where host candidates connect.
 * @param {any[]} iceServers
 */
function stunUrls(iceServers) {
  return (iceServers ?? []).flatMap((s) => [].concat(s.urls ?? [])).filter((u) => /^stun:/.test(u));
}

/**
 * One connection to one remote peer, negotiated with perfect negotiation (the smaller peerId in
 * JavaScript `<` order is polite). libdatachannel rolls back its own offer by itself when it
 * applies a remote offer, so the polite side just applies it.
 */
class Link {
  /**
   * @param {string} selfId
   * @param {string|null} remoteId null for a connection prepared before anyone else is known:
   *   what it would signal is held until {@link Link#adopt} names the peer
   * @param {string[]} iceServers
   */
  constructor(selfId, remoteId, iceServers) {
    this.selfId = selfId;
    this.remoteId = remoteId;
    this.polite = remoteId !== null && selfId < remoteId;
    /** @type {object[]} */
    this.held = [];
    this.iceServers = iceServers;
    this.offers = 0;
    this.collisions = 0;
    /** New connections made for a remote peer that started afresh (a new ICE ufrag). */
    this.rebuilds = 0;
    this.connections = 0;
    this.build();
  }

  build() {
    this.pc?.close();
    // Auto-negotiation off: this peer decides when to offer, as the test's mode says.
    const pc = new nodeDataChannel.PeerConnection('interop', {
      iceServers: this.iceServers, bindAddress: '127.0.0.1', disableAutoNegotiation: true,
    });
    this.pc = pc;
    this.connections += 1;
    /** No candidates either way: this connection cannot connect. */
    this.unreachable = options['unreachable-first'] && this.connections === 1;
    this.ignoreOffer = false;
    /** Candidates that came before the remote description they belong to. */
    this.pending = [];
    const current = () => this.pc === pc; // callbacks of a replaced connection are stale
    pc.onLocalDescription((sdp, type) => {
      if (current()) this.signal({ description: { type: type.toLowerCase(), sdp } });
    });
    pc.onLocalCandidate((candidate, mid) => {
      // libdatachannel gives the SDP attribute line; the W3C form has no leading "a=".
      if (current() && !this.unreachable) {
        const line = candidate.replace(/^a=/, '');
        this.signal({ candidate: { candidate: line, sdpMid: mid, sdpMLineIndex: 0 } });
      }
    });
    pc.onGatheringStateChange((state) => {
      if (current() && !this.unreachable && state === 'complete') this.signal({ candidate: null });
    });
    pc.onStateChange((state) => {
      if (current()) report('state', { peerId: this.remoteId, state });
    });
    // Negotiated by both sides, id 0, as the wire format says: no extra negotiation.
    this.chat = pc.createDataChannel('chat', { negotiated: true, id: 0 });
    const chat = this.chat;
    chat.onOpen(() => {
      if (current()) report('channel', { peerId: this.remoteId, open: true });
    });
    chat.onClosed(() => {
      if (current()) report('channel', { peerId: this.remoteId, open: false });
    });
    chat.onMessage((data) => {
      if (current()) receive(this.remoteId, data, 'channel');
    });
  }

  /** @param {object} data */
  signal(data) {
    if (this.remoteId === null) this.held.push(data);
    else sendFrame({ type: 'signal', to: this.remoteId, data });
  }

  /** Gives a prepared connection its peer, and sends that peer what was held for it. */
  adopt(/** @type {string} */ remoteId) {
    this.remoteId = remoteId;
    this.polite = this.selfId < remoteId;
    for (const data of this.held.splice(0)) this.signal(data);
  }

  offer() {
    this.offers += 1;
    this.pc.setLocalDescription('offer');
    report('offer', { peerId: this.remoteId, offers: this.offers });
  }

  /** @param {{description?: {type: string, sdp: string}, candidate?: any}} data */
  apply({ description, candidate }) {
    if (description) this.applyDescription(description);
    else if (candidate !== undefined) this.applyCandidate(candidate);
  }

  /** @param {{type: string, sdp: string}} description */
  applyDescription({ type, sdp }) {
    const remote = this.pc.remoteDescription();
    // A remote peer that starts afresh (an ICE restart, or a new RTCPeerConnection) sends a new
    // ufrag; libdatachannel cannot restart ICE, so a fresh connection answers it instead.
    if (type === 'offer' && remote && iceUfrag(remote.sdp) !== iceUfrag(sdp)) {
      this.rebuilds += 1;
      report('rebuild', { peerId: this.remoteId, rebuilds: this.rebuilds });
      this.build();
    }
    const collision = type === 'offer' && this.pc.signalingState() !== 'stable';
    if (collision) {
      this.collisions += 1;
      report('collision', { peerId: this.remoteId, polite: this.polite, collisions: this.collisions });
    }
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    this.pc.setRemoteDescription(sdp, type);
    if (type === 'offer') this.pc.setLocalDescription('answer');
    for (const queued of this.pending.splice(0)) this.applyCandidate(queued);
  }

  /** @param {{candidate: string, sdpMid?: string}|null} candidate */
  applyCandidate(candidate) {
    // null or an empty string ends the candidates: libdatachannel needs no word of it.
    if (!candidate || !candidate.candidate || this.unreachable) return;
    if (!this.pc.remoteDescription()) {
      this.pending.push(candidate);
      return;
    }
    try {
      this.pc.addRemoteCandidate(candidate.candidate, candidate.sdpMid ?? '0');
    } catch (error) {
      // Candidates of an offer this side ignored do not fit; anything else is worth a report.
      if (!this.ignoreOffer) report('error', { where: 'candidate', message: String(error) });
    }
  }

  /** @param {string} text */
  sendChat(text) {
    if (!this.chat.isOpen()) return false;
    return this.chat.sendMessage(JSON.stringify({ type: 'chat', text, at: Date.now() }));
  }

  close() {
    this.pc.close();
  }
}

/** @type {Map<string, Link>} */
const links = new Map();
let selfId = '';
/** @type {string[]} */
let iceServers = [];

/**
 * A chat that arrived over the data channel or through the server's `message` relay: the wire
 * format makes them the same object; the report says which way it came.
 * @param {string} from @param {string|Buffer|ArrayBuffer} data @param {'channel'|'relay'} via
 */
function receive(from, data, via) {
  let message = data;
  if (typeof data === 'string') {
    try {
      message = JSON.parse(data);
    } catch {
      return; // not JSON: unknown, ignored
    }
  }
  if (message && message.type === 'chat') report('chat', { from, text: message.text, at: message.at, via });
}

/**
 * With `--offer prepared`, a connection that has made its offer (and gathered) before anyone
 * else is in the room, so that a newcomer gets it the moment this peer learns of it.
 * @type {Link|null}
 */
let prepared = null;

/** @param {{peerId: string}} peer @param {boolean} offer */
function addPeer({ peerId }, offer) {
  if (links.has(peerId)) return;
  if (offer && prepared) {
    const link = prepared;
    prepared = null;
    links.set(peerId, link);
    report('peer', { peerId, polite: selfId < peerId });
    link.adopt(peerId);
    return;
  }
  const link = new Link(selfId, peerId, iceServers);
  links.set(peerId, link);
  report('peer', { peerId, polite: link.polite });
  if (offer) link.offer();
}

/** @param {any} frame */
function onFrame(frame) {
  switch (frame.type) {
    case 'welcome':
      selfId = frame.peerId;
      iceServers = stunUrls(frame.iceServers);
      sendFrame({ type: 'join', room: options.room, name: options.name });
      break;
    case 'joined':
      selfId = frame.peerId;
      report('joined', { peerId: selfId, peers: frame.peers.map((/** @type {any} */ p) => p.peerId) });
      // These peers were here first: by either mode, this later joiner offers to them.
      for (const peer of frame.peers) addPeer(peer, true);
      if (options.offer === 'prepared') {
        prepared = new Link(selfId, null, iceServers);
        prepared.offer();
      }
      break;
    case 'peer-joined':
      // The newcomer will offer; 'at-once' offers too, which is the glare under test.
      addPeer(frame.peer, options.offer !== 'by-rule');
      break;
    case 'peer-left':
      links.get(frame.peerId)?.close();
      links.delete(frame.peerId);
      break;
    case 'signal':
      links.get(frame.from)?.apply(frame.data ?? {});
      break;
    case 'message':
      receive(frame.from, frame.data, 'relay');
      break;
    case 'error':
      report('error', { where: 'server', code: frame.code, message: frame.message });
      break;
    default:
      break;
  }
}

/** @param {any} command */
function onCommand(command) {
  if (command.command === 'chat') {
    const sent = [...links.values()].map((link) => link.sendChat(command.text));
    report('chat-sent', { text: command.text, sent: sent.length > 0 && sent.every(Boolean) });
  } else if (command.command === 'status') {
    report('status', {
      links: [...links.values()].map((l) => ({
        peerId: l.remoteId, polite: l.polite, state: l.pc.state(), signalingState: l.pc.signalingState(),
        channelOpen: l.chat.isOpen(), offers: l.offers, collisions: l.collisions, rebuilds: l.rebuilds,
        connections: l.connections,
      })),
    });
  }
}

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (!line.trim()) return;
  try {
    const item = JSON.parse(line);
    if (item.command) onCommand(item);
    else onFrame(item);
  } catch (error) {
    report('error', { where: 'input', message: String(error && error.stack || error) });
  }
});
input.on('close', () => {
  for (const link of links.values()) link.close();
  prepared?.close();
  nodeDataChannel.cleanup();
  process.exit(0);
});
