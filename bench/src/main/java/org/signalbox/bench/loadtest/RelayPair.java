package org.signalbox.bench.loadtest;

import java.util.BitSet;

/**
 * What one sender sent one receiver and what arrived, by sequence number: enough to tell a lost
 * message from one the server refused, and a duplicate from one that came out of order. The
 * server promises order per sender and receiver (PROTOCOL.md, Guarantees), so both are faults.
 */
final class RelayPair {

  /** How one arrival compares with those before it. */
  enum Arrival { IN_ORDER, DUPLICATE, OUT_OF_ORDER }

  private long sent;
  private long refused;
  private long distinct;
  private long highest = -1;
  private final BitSet seen = new BitSet();

  /** The next sequence number, counted as sent. */
  synchronized long nextSequence() {
    return sent++;
  }

  /** The server answered the message with an error: it was not relayed. */
  synchronized void refused() {
    refused++;
  }

  synchronized Arrival arrived(long sequence) {
    if (sequence < 0 || sequence > Integer.MAX_VALUE) {
      return Arrival.OUT_OF_ORDER;
    }
    int at = (int) sequence;
    if (seen.get(at)) {
      return Arrival.DUPLICATE;
    }
    seen.set(at);
    distinct++;
    if (sequence < highest) {
      return Arrival.OUT_OF_ORDER;
    }
    highest = sequence;
    return Arrival.IN_ORDER;
  }

  /** Messages neither delivered nor refused: lost, or (before the drain) still on their way. */
  synchronized long missing() {
    return sent - refused - distinct;
  }
}
