package org.signalbox;

import org.signalbox.cluster.ClusterContext;
import org.signalbox.cluster.RedisMembership;
import org.signalbox.room.Membership;

/**
 * The only reference from the node to the cluster package. Kept in its own class so that a
 * single node never resolves it: the JVM loads the cluster's classes, and the Redis client with
 * them, only when {@code redisUrl} is set and this method first runs.
 */
final class ClusterLoader {

  private ClusterLoader() {}

  static Membership membership(Signalbox node) {
    return RedisMembership.start(new ClusterContext(node.settings(), node.outbound(),
        node.metrics().registry(), node.timers(), node.blockingExecutor(), node.ids(),
        node::closeAllGoingAway));
  }
}
