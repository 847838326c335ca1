package org.signalbox.it;

/**
 * {@link ClusterPortalIT}'s governed call on a Redis Cluster: the admin API answers for every
 * shard, and each room event, written to its room's partition, reaches the webhook receiver once
 * and in order through the pumps' per-partition indexes.
 */
class ClusterPortalOnRedisClusterIT extends ClusterPortalIT {

  @Override
  ClusterStore startStore(String name) throws Exception {
    return ClusterStore.redisCluster(name);
  }

  @Override
  String name() {
    return "cluster-portal-sharded";
  }

  /**
   * Not repeated here: the lease a killed node leaves is the same script and code on both stores,
   * and {@link ClusterNodeKillOnRedisClusterIT} kills a node on a Redis Cluster.
   */
  @Override
  void aNodeKilledWhileDeliveringItsEventLosesNoDelivery() {}
}
