package org.signalbox.cluster;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How a node reaches its Redis: one server ({@link OneRedis}) or a Redis Cluster ({@link
 * ShardedRedis}). Both give the same commands (a cluster routes each by its first key's slot);
 * they differ in how channels are subscribed, in what counts as Redis being gone, and in how
 * many partitions the rooms are spread over ({@link Keys}).
 */
interface RedisBackend {

  /** Three connections: commands, health (never behind relays) and channels. */
  record Connections(
      StatefulConnection<String, String> commands,
      RedisClusterAsyncCommands<String, String> redis,
      StatefulConnection<String, String> health,
      RedisClusterAsyncCommands<String, String> healthCommands,
      Channels channels) {

    /** True when the session ends with {@code connection} (one Redis: any of its three). */
    boolean dependsOn(Object connection) {
      return commands == connection || health == connection || channels.dependsOn(connection);
    }

    void close() {
      channels.close();
      health.closeAsync();
      commands.closeAsync();
    }
  }

  /** What a backend reports about its connections. */
  interface Events {
    /** A connection the whole session depends on closed (one Redis only). */
    void sessionConnectionClosed(Object connection);

    /** These channels are no longer listened to (their shard failed over or their slot moved). */
    void channelsLost(List<String> channels);
  }

  /** Partitions of the key space ({@link Keys}). */
  int partitions();

  /** Opens a session's connections; throws when Redis does not answer. */
  Connections open();

  /**
   * Redis's {@code TIME}, from the one server or the first shard that answers: a cluster serves
   * while any shard does (a shard's own failover is the business of its rooms, not the node's).
   */
  CompletableFuture<List<String>> time(Connections connections);

  /**
   * True on a Redis Cluster: a shard's trouble is its own rooms' (the node serves on), and a
   * script that a shard does not know is loaded again. On one Redis, a script Redis does not know
   * means it lost its state, and any trouble is the whole node's.
   */
  boolean sharded();

  /** Where Redis is, for log lines (never the password). */
  String where();

  void shutdown();
}
