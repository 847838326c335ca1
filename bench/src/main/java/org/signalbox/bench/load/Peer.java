package org.signalbox.bench.load;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** One simulated browser: its connection, its room and identity, and what a scenario counts. */
final class Peer {

  final int index;
  final String room;
  /** The id a PeerJS or bare client chooses itself; Signalbox assigns one in {@code welcome}. */
  final String chosenId;

  Line line;
  /** How this peer's line reaches the server. */
  Line.Binding binding = Line.Binding.WEBSOCKET;
  /** The server this peer connects to, when it is not its fleet's (the cluster's two nodes). */
  InetSocketAddress server;
  /** The id other peers address it by. */
  String id;
  boolean ready;
  /** Signalbox: the room's other peers at join, oldest first. */
  List<String> others = List.of();
  /** Signalbox: the token of the last {@code joined}, for a resume. */
  String resumeToken;
  /** Signalbox: the next join resumes with {@link #resumeToken}. */
  boolean resuming;
  /** Signalbox: the last {@code joined} said the peer was resumed. */
  boolean resumed;

  // Relay accounting: what this peer sent to its partner and what it received from it.
  Peer partner;
  long sent;
  long expected;
  int inFlight;
  final long[] sentAt = new long[16];

  /** Join storm: frames received from each other peer of the room, by their place in it. */
  int[] receivedFrom;

  Peer(int index, String room, String chosenId) {
    this.index = index;
    this.room = room;
    this.chosenId = chosenId;
    this.id = chosenId;
  }

  /**
   * {@code pairs} pairs of partners for a relay: peers {@code 2i} and {@code 2i + 1} are pair
   * {@code i}, in the room {@code room + "-" + i}, and relay to each other.
   */
  static List<Peer> pairs(int pairs, String room, String idPrefix) {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 2 * pairs; i++) {
      peers.add(new Peer(i, room + "-" + i / 2, idPrefix + "-" + i));
    }
    for (int i = 0; i < peers.size(); i += 2) {
      peers.get(i).partner = peers.get(i + 1);
      peers.get(i + 1).partner = peers.get(i);
    }
    return peers;
  }
}
