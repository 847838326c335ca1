package org.signalbox.it;

/** {@link ClusterNodeKillIT}'s {@code kill -9} of a node, with the nodes on a Redis Cluster. */
class ClusterNodeKillOnRedisClusterIT extends ClusterNodeKillIT {

  @Override
  ClusterStore startStore() throws Exception {
    return ClusterStore.redisCluster("kill");
  }

  @Override
  String name() {
    return "cluster-kill-sharded";
  }
}
