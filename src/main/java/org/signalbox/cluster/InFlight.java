package org.signalbox.cluster;

import org.signalbox.config.Settings;

/**
 * Relays (and broadcasts) this node has issued to Redis and Redis has not answered yet, bounded
 * per connection and per node, by count and by UTF-8 bytes. All of a node's commands share one
 * connection to Redis, answered in order: whatever is in flight is queued ahead of the next relay,
 * of any room. The bounds keep that queue short, so that one room's burst can neither make another
 * room's relays wait long nor grow the heap; a relay over a bound is not issued and its sender is
 * answered at once ({@code rate-limited} over its connection's share, {@code undeliverable} over
 * the node's).
 *
 * <p>Each connection has a small reserve that the node's bound does not count: a connection with
 * only a few relays on their way (a call's signaling, one offer and its candidates) is never
 * refused because other connections burst. Only what a connection has beyond its reserve competes
 * for the node's shared bound.
 *
 * <p>A relay stays counted until Redis answers it (or the connection to Redis fails): commands
 * have no client-side timeout, so what is counted is what Redis still holds for this node.
 */
final class InFlight {

  /**
   * Relays in flight per node beyond the connections' reserves. Redis spends about 9 µs on a
   * relay (docs/cluster.md, Cost), so a full queue is some 40 ms of its work.
   */
  static final int NODE_COMMANDS = 4_096;
  /**
   * UTF-8 bytes of relays in flight per node beyond the connections' reserves: 16 frames of the
   * default maxMessageBytes (64 KiB). Every byte in flight is ahead of the next relay of any room
   * (encoded by this node, copied by Redis, decoded by the receiving node), so this is what keeps
   * another room's relay within a second even on nodes and a Redis short of CPU: on a two-core
   * machine loaded far beyond its cores that pipeline drained 3 MB/s (ClusterInFlightIT). At
   * 1 ms a round trip it still carries 1 GB/s. A thirty-second of Redis's default hard limit for
   * one subscriber's output buffer (client-output-buffer-limit pubsub 32mb), so one node's burst
   * alone cannot make Redis drop a receiving node's subscription.
   */
  static final long NODE_BYTES = 1L << 20;
  /**
   * One connection may hold at most this share of the node's bytes (256 KiB: 4 frames of 64 KiB,
   * a large transfer moves at 256 KiB a round trip): four bursting senders are needed to fill the
   * node, and a single one meets its own bound first and is told {@code rate-limited}, as for its
   * message rate.
   */
  static final int CONNECTION_SHARE = 4;
  /**
   * Relays per connection that the node's bound does not count: a call's signaling (an offer and
   * its trickled candidates, a few dozen small frames) may be on its way at once, even while other
   * connections burst and Redis is slow to answer.
   */
  static final int RESERVED_COMMANDS = 32;
  /**
   * Bytes per connection that the node's bound does not count: an offer's SDP (a few KB) and its
   * candidates. Large messages compete for the node's bound, so the reserves of many bursting
   * connections add little to what is queued ahead of others.
   */
  static final long RESERVED_BYTES = 16 << 10;

  /** Why a relay was not issued. */
  enum Refusal {
    /** Over the sender's own share: {@code rate-limited}. */
    CONNECTION,
    /** Over the node's bound, which all rooms share: {@code undeliverable}. */
    NODE
  }

  /** One connection's relays in flight; guarded by its {@link InFlight}'s monitor. */
  static final class Share {
    private int count;
    private long bytes;
  }

  /** Per connection: a whole legal burst of small relays, at most an eighth of the node's. */
  private final int connectionCommands;
  /** Per connection: the node's bytes over {@link #CONNECTION_SHARE}. */
  private final long connectionBytes;

  // Guarded by this. All relays in flight, and the part of them beyond the reserves.
  private int count;
  private long bytes;
  private int sharedCount;
  private long sharedBytes;
  private int peakCount;
  private long peakBytes;

  InFlight(Settings settings) {
    this.connectionCommands = Math.max(1, Math.min(settings.burst(), NODE_COMMANDS / 8));
    this.connectionBytes = NODE_BYTES / CONNECTION_SHARE;
  }

  /** Counts a relay of {@code size} bytes for {@code share}; null when it may be issued. */
  synchronized Refusal take(Share share, long size) {
    int nextCount = share.count + 1;
    long nextBytes = share.bytes + size;
    // A connection with nothing in flight may always issue one: a frame a little over a bound (a
    // relay's envelope around a maximal message) must not be refused for ever.
    if (share.count > 0 && (nextCount > connectionCommands || nextBytes > connectionBytes)) {
      return Refusal.CONNECTION;
    }
    int moreShared = overCount(nextCount) - overCount(share.count);
    long moreSharedBytes = overBytes(nextBytes) - overBytes(share.bytes);
    if ((moreShared > 0 || moreSharedBytes > 0) && (sharedCount > 0 || sharedBytes > 0)
        && (sharedCount + moreShared > NODE_COMMANDS
            || sharedBytes + moreSharedBytes > NODE_BYTES)) {
      return Refusal.NODE;
    }
    share.count = nextCount;
    share.bytes = nextBytes;
    sharedCount += moreShared;
    sharedBytes += moreSharedBytes;
    count++;
    bytes += size;
    peakCount = Math.max(peakCount, count);
    peakBytes = Math.max(peakBytes, bytes);
    return null;
  }

  /** Redis answered a relay that {@link #take} counted (or the connection to it failed). */
  synchronized void done(Share share, long size) {
    int nextCount = share.count - 1;
    long nextBytes = share.bytes - size;
    sharedCount -= overCount(share.count) - overCount(nextCount);
    sharedBytes -= overBytes(share.bytes) - overBytes(nextBytes);
    share.count = nextCount;
    share.bytes = nextBytes;
    count--;
    bytes -= size;
  }

  private static int overCount(int n) {
    return Math.max(0, n - RESERVED_COMMANDS);
  }

  private static long overBytes(long n) {
    return Math.max(0, n - RESERVED_BYTES);
  }

  synchronized int shareCount(Share share) {
    return share.count;
  }

  synchronized int count() {
    return count;
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int peakCount() {
    return peakCount;
  }

  synchronized long peakBytes() {
    return peakBytes;
  }

  int connectionCommands() {
    return connectionCommands;
  }

  long connectionBytes() {
    return connectionBytes;
  }
}
