package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.signalbox.testing.RedisCluster;

/**
 * The Redis Cluster the sharded cluster tests run on, checked on its own (no Signalbox node):
 * our slot hashing agrees with Redis, a key's slot lives on one master and the others redirect,
 * ACL users exist on every node, and a killed master's replica takes over with its keys.
 * The failover test runs last: it changes the topology.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterHarnessIT {

  /** The cluster's node timeout; a property so the failover time can be measured for others. */
  private static final long NODE_TIMEOUT_MS = Long.getLong("signalbox.it.redisNodeTimeoutMs", 1000);
  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);
  private static final Duration FAIL_SEEN_BOUND = Duration.ofSeconds(15);

  private static RedisCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    cluster = RedisCluster.start("harness-cluster", 3, 1, NODE_TIMEOUT_MS);
    System.out.printf("redis cluster 3+3 ready in %d ms (node timeout %d ms)%n",
        (System.nanoTime() - t0) / 1_000_000, NODE_TIMEOUT_MS);
    for (RedisCluster.Node node : cluster.topology()) {
      System.out.println("  " + node);
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void topologyAndUrlsNameTheThreeMastersEachWithAReplica() throws Exception {
    List<Integer> masters = cluster.masterPorts();
    assertEquals(3, masters.size());
    assertEquals(6, cluster.ports().size());
    String hosts = "127.0.0.1:" + masters.get(0) + ",127.0.0.1:" + masters.get(1) + ",127.0.0.1:" + masters.get(2);
    assertEquals("redis-cluster://" + hosts, cluster.url());
    assertEquals("redis-cluster://u:p@" + hosts, cluster.url("u", "p"));
    for (int master : masters) {
      int replica = cluster.replicaPortOf(master);
      assertEquals("master", cluster.role(master));
      assertEquals("slave", cluster.role(replica));
      assertTrue(cluster.info(replica, "replication").contains("master_port:" + master));
      assertTrue(cluster.cpuTicks(master) >= 0);
    }
  }

  @Test
  @Order(2)
  void slotOfAgreesWithClusterKeyslot() throws Exception {
    List<String> keys = List.of("sb:{p7}:nodes", "a{b}c", "sb:{p7}:members", "plain", "{}x", "foo{}{bar}",
        "foo{{bar}}zap", "{user1000}.following", "{user1000}.followers", "123456789", "é{ü}", "");
    int port = cluster.masterPorts().get(0);
    for (String key : keys) {
      assertEquals(":" + RedisCluster.slotOf(key), cluster.command(port, "CLUSTER", "KEYSLOT", key), key);
    }
    assertEquals(0x31C3, RedisCluster.slotOf("123456789"), "CRC16-XMODEM's check value");
    assertEquals(RedisCluster.slotOf("sb:{p7}:nodes"), RedisCluster.slotOf("sb:{p7}:members"), "one hash tag, one slot");
  }

  @Test
  @Order(3)
  void aKeyLivesOnTheMasterOfItsSlotAndTheOthersRedirect() throws Exception {
    String key = "a{b}c";
    int slot = RedisCluster.slotOf(key);
    int owner = cluster.masterPortForSlot(slot);
    assertEquals("+OK", cluster.command(owner, "SET", key, "here"));
    for (int other : cluster.masterPorts()) {
      if (other != owner) {
        assertEquals("-MOVED " + slot + " 127.0.0.1:" + owner, cluster.command(other, "SET", key, "there"));
      }
    }
    // A replica redirects too unless the connection asked for READONLY.
    int replica = cluster.replicaPortOf(owner);
    assertEquals("-MOVED " + slot + " 127.0.0.1:" + owner, cluster.command(replica, "GET", key));
    assertEquals("here", cluster.call(owner, "GET", key));
  }

  @Test
  @Order(4)
  void anAclUserExistsOnEveryNodeAndReachesOnlyItsKeysAndChannels() throws Exception {
    cluster.aclSetUser("sb-test", "reset", "on", ">pw", "~sb:*", "&sb:*", "+@all");
    for (int port : cluster.ports()) {
      assertEquals("+PONG", cluster.commandAs(port, "sb-test", "pw", "PING"), "user on :" + port);
    }
    String key = "sb:{p7}:acl";
    int owner = cluster.masterPortForSlot(RedisCluster.slotOf(key));
    assertEquals("+OK", cluster.commandAs(owner, "sb-test", "pw", "SET", key, "1"));
    assertTrue(cluster.commandAs(owner, "sb-test", "wrong", "GET", key).startsWith("-WRONGPASS"));
    // Same hash tag, same slot, same node: the refusal is the ACL's, not a redirect.
    String outside = cluster.commandAs(owner, "sb-test", "pw", "SET", "other:{p7}", "1");
    assertTrue(outside.startsWith("-NOPERM"), outside);
    assertEquals(":0", cluster.commandAs(owner, "sb-test", "pw", "SPUBLISH", "sb:{p7}:ch", "x"));
    String channel = cluster.commandAs(owner, "sb-test", "pw", "SPUBLISH", "other:{p7}", "x");
    assertTrue(channel.startsWith("-NOPERM"), channel);
  }

  @Test
  @Order(5)
  void aKilledMastersReplicaTakesOverItsSlotsWithItsKeysAndTheOtherShardsServeThroughout() throws Exception {
    String key = "sb:{p7}:nodes";
    int slot = RedisCluster.slotOf(key);
    int dead = cluster.masterPortForSlot(slot);
    int replica = cluster.replicaPortOf(dead);
    // On the SET's own connection (WAIT counts against it), asked again while a loaded machine
    // keeps the replica from acknowledging within a second.
    assertEquals(":1", cluster.setOnMasterAndReplica(dead, key, "kept", 16),
        "the replica acknowledged the write");

    // Redis 7 does not propagate SCRIPT LOAD: a promoted replica lacks the master's scripts.
    String sha = (String) cluster.call(dead, "SCRIPT", "LOAD", "return 'sb'");
    assertEquals(List.of(1L), cluster.call(dead, "SCRIPT", "EXISTS", sha));
    assertEquals(List.of(0L), cluster.call(replica, "SCRIPT", "EXISTS", sha), "SCRIPT LOAD reached the replica");

    int other = cluster.masterPorts().stream().filter(p -> p != dead).findFirst().orElseThrow();
    List<RedisCluster.SlotRange> otherSlots = slotsOf(other);
    String otherKey = keyOn(other);

    cluster.killMaster(dead);
    awaitFailSeenBy(other, dead);
    boolean promotedAlready = "master".equals(cluster.role(replica));
    // cluster-require-full-coverage no: a shard without a master does not stop the others.
    assertEquals("+OK", cluster.command(other, "SET", otherKey, "served"));

    Duration took = cluster.awaitFailover(dead, FAILOVER_BOUND);
    System.out.printf("failover with node timeout %d ms took %d ms (replica promoted before the other"
        + " master's write: %s)%n", NODE_TIMEOUT_MS, took.toMillis(), promotedAlready);

    assertEquals(replica, cluster.masterPortForSlot(slot));
    assertEquals("master", cluster.role(replica));
    assertEquals("kept", cluster.call(replica, "GET", key), "the promoted replica kept the key");
    String evalsha = cluster.command(replica, "EVALSHA", sha, "0");
    assertTrue(evalsha.startsWith("-NOSCRIPT"), evalsha);
    assertEquals("+PONG", cluster.commandAs(replica, "sb-test", "pw", "PING"), "the ACL user is there");

    assertEquals("master", cluster.role(other), "another master never changed role");
    assertEquals(otherSlots, slotsOf(other));
    assertEquals("served", cluster.call(other, "GET", otherKey));
    List<Integer> masters = cluster.masterPorts();
    assertEquals(3, masters.size(), masters.toString());
    assertTrue(masters.contains(replica) && masters.contains(other) && !masters.contains(dead), masters.toString());
  }

  private static List<RedisCluster.SlotRange> slotsOf(int port) throws Exception {
    return cluster.topology().stream().filter(n -> n.port() == port).findFirst().orElseThrow().slots();
  }

  /** A key under {@code sb:} whose slot the master on {@code port} owns. */
  private static String keyOn(int port) throws Exception {
    for (int i = 0; i < 10_000; i++) {
      String key = "sb:{k" + i + "}:x";
      if (cluster.masterPortForSlot(RedisCluster.slotOf(key)) == port) {
        return key;
      }
    }
    throw new IllegalStateException("no key found for :" + port);
  }

  /** Until the node on {@code port} flags the dead node FAIL (not just PFAIL, its own suspicion). */
  private static void awaitFailSeenBy(int port, int deadPort) throws Exception {
    long deadline = System.nanoTime() + FAIL_SEEN_BOUND.toNanos();
    while (cluster.nodes(port).stream().noneMatch(n -> n.port() == deadPort && n.flags().contains("fail"))) {
      assertTrue(System.nanoTime() < deadline, ":" + port + " did not mark :" + deadPort + " FAIL");
      Thread.sleep(20); // cluster gossip: nothing to subscribe to
    }
  }
}
