package org.signalbox.bench.load;

import java.net.InetSocketAddress;
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
}
