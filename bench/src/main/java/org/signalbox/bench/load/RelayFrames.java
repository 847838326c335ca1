package org.signalbox.bench.load;

import java.util.List;

/**
 * The relay's frames, prepared once per sender after its line is open: an offer to its partner,
 * of which only the sequence digits change from message to message, rewritten in place.
 */
final class RelayFrames {

  private final byte[][] frames;
  private final int[] sequenceAt;

  private RelayFrames(int senders) {
    frames = new byte[senders][];
    sequenceAt = new int[senders];
  }

  /** One frame per peer of {@code peers}, each to its {@link Peer#partner}. */
  static RelayFrames prepare(Dialect dialect, List<Peer> peers) {
    RelayFrames prepared = new RelayFrames(peers.size());
    for (Peer p : peers) {
      byte[] frame =
          p.line.prepare(dialect.relay(p.partner, 'o', Payloads.description(p.index, 0, 'o')));
      prepared.frames[p.index] = frame;
      prepared.sequenceAt[p.index] = WsClient.indexOf(frame, 0, frame.length, Payloads.SEQUENCE)
          + Payloads.SEQUENCE.length;
    }
    return prepared;
  }

  /** {@code sender}'s frame, now carrying {@code sequence}. */
  byte[] numbered(Peer sender, long sequence) {
    byte[] frame = frames[sender.index];
    Payloads.rewrite(frame, sequenceAt[sender.index], sequence);
    return frame;
  }

  /** A frame's size on the wire, in bytes. */
  int frameBytes() {
    return frames[0].length;
  }
}
