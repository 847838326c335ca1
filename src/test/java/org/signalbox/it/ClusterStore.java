package org.signalbox.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.signalbox.testing.RedisCluster;
import org.signalbox.testing.RedisServer;

/**
 * The store a test's cluster nodes share, as its {@code redisUrl}: one Redis, or a Redis Cluster
 * of three masters with a replica each. Closing it stops its processes.
 */
record ClusterStore(String url, AutoCloseable processes) implements AutoCloseable {

  /**
   * How long a Redis Cluster's nodes wait before they fail a master over: the low end of what
   * docs/cluster.md advises, and twice what a loaded test machine can starve a redis-server for
   * without a failover that no test asked for.
   */
  static final long NODE_TIMEOUT_MS = 2_000;

  static ClusterStore oneRedis(String name) throws Exception {
    RedisServer redis = RedisServer.start(name, false);
    return new ClusterStore(redis.url(), redis);
  }

  static ClusterStore redisCluster(String name) throws Exception {
    RedisCluster cluster = RedisCluster.start(name, 3, 1, NODE_TIMEOUT_MS);
    return new ClusterStore(cluster.url(), cluster);
  }

  /** The names of the keys that match {@code pattern}, on every master ({@code KEYS}: tests only). */
  List<String> keys(String pattern) throws IOException {
    if (processes instanceof RedisServer redis) {
      return redis.keys(pattern);
    }
    RedisCluster cluster = (RedisCluster) processes;
    List<String> keys = new ArrayList<>();
    for (int port : cluster.masterPorts()) {
      for (Object key : (List<?>) cluster.call(port, "KEYS", pattern)) {
        keys.add((String) key);
      }
    }
    return keys;
  }

  @Override
  public void close() throws Exception {
    processes.close();
  }
}
