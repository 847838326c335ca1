package org.signalbox.transport;

import java.security.Principal;
import java.util.List;
import java.util.function.Consumer;
import org.signalbox.config.Transport;

/**
 * What a {@link Connection} needs of the transport that carries it: a bounded, ordered way out
 * for its frames, an end, and the facts of who is at the other side. The connection itself (rate
 * limit, checks, routing, membership, ending) is the same whatever carries it.
 */
public interface Wire {

  /** Makes the wire of a new connection; {@code overflow} is told when its outbound limit is hit. */
  @FunctionalInterface
  interface Factory {
    Wire open(Consumer<String> overflow);
  }

  /** For the log. */
  String id();

  /** The container's authenticated user of the request that opened it, or null. */
  Principal user();

  /** The client's address as trustedProxies lets the node believe it, or null when unknown. */
  String clientAddress();

  /** The binding, as the join policy and the admin API show it. */
  Transport transport();

  /**
   * Queues {@code frame} behind the ones before it. False when the wire is closing, or when the
   * frame would pass the outbound limits (then {@code overflow} has been told, once).
   */
  boolean offer(String frame);

  /** Ends the wire with {@code code} (a WebSocket close code) after the frames queued before. */
  void close(int code, String reason);

  /** Stops taking frames without an end of its own: the other side has already gone. */
  void discard();

  /** Frames accepted and not yet delivered. */
  int pending();

  /** UTF-8 bytes of those frames. */
  long pendingBytes();

  /** How long the frames now pending have waited for the client to take any (0 when none wait). */
  long stalledNanos(long nowNanos);

  /** Asks the client for a sign of life, where the transport has one of its own. */
  void ping();

  /**
   * Whether the client is gone without a word: a socket silent for two heartbeat intervals (its
   * last frame or pong came at {@code lastTrafficNanos}), an HTTP session with no poll for two
   * poll times.
   */
  boolean lost(long nowNanos, long lastTrafficNanos, long heartbeatNanos);

  /**
   * Takes the relays and room events the client has not confirmed (see {@code
   * Link#takeUnconfirmed}); the wire will not deliver them any more.
   */
  List<String> takeUnconfirmed();
}
