package org.signalbox.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * This node's subscriptions to its room channels (sharded pub/sub): on one Redis a single
 * connection; on a Redis Cluster one connection per shard that owns a channel's slot ({@link
 * ShardChannels}). Messages go to the listener the session was opened with.
 */
interface Channels {

  /** Subscribes; completes when Redis confirmed it, or fails. */
  CompletableFuture<Void> subscribe(String channel);

  /** Unsubscribes; nothing to wait for (a late message is dropped: no room wants it). */
  void unsubscribe(String channel);

  void close();

  /** True when {@code connection} is one the whole session listens on (one Redis). */
  default boolean dependsOn(Object connection) {
    return false;
  }
}
