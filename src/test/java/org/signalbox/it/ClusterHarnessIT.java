package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.RedisServer;
import org.signalbox.testing.TestClient;

/**
 * The cluster tests' own machinery, checked on its own so that a cluster test failing means the
 * cluster failed: Redis keeps or forgets its keys across a restart as asked, several nodes serve
 * side by side, SIGKILL kills the server itself, and the balancer hands connections round.
 */
class ClusterHarnessIT {

  @Test
  void persistentRedisKeepsItsKeysAcrossAStopAndStartOnTheSamePort() throws Exception {
    try (RedisServer redis = RedisServer.start("harness-persistent", true)) {
      assertEquals("redis://127.0.0.1:" + redis.port() + "/0", redis.url());
      assertEquals("+OK", redis.command("SET", "room:x", "kept"));
      redis.stop();
      assertFalse(redis.isRunning());
      assertFalse(redis.ping(), "nothing answers while it is stopped");
      redis.start();
      assertEquals(1, redis.dbSize(), "the key survived the restart");
      assertTrue(redis.cpuTicks() >= 0);
    }
  }

  @Test
  void plainRedisStartsEmptyAgain() throws Exception {
    try (RedisServer redis = RedisServer.start("harness-plain", false)) {
      assertEquals("+OK", redis.command("SET", "room:x", "lost"));
      redis.stop();
      redis.start();
      assertEquals(0, redis.dbSize());
    }
  }

  @Test
  void nodesServeSideBySideAndSigkillEndsOnlyTheOneKilled() throws Exception {
    // Without Redis: single nodes, which is all this machinery needs.
    try (ClusterNodes nodes = ClusterNodes.start("harness", 2, Map.of("SIGNALBOX_ALLOWED_ORIGINS", "*"));
        RoundRobinProxy proxy = RoundRobinProxy.start(List.of(nodes.port(0), nodes.port(1)))) {
      // The process we hold is the JVM that serves (the mvn script execs Java too, when the nodes
      // are run commands), so SIGKILL ends the server, not a wrapper.
      String command = nodes.node(0).processHandle().info().command().orElse("");
      assertTrue(command.endsWith("/java"), command);

      URI balanced = URI.create("ws://127.0.0.1:" + proxy.port() + "/signal");
      TestClient first = TestClient.connect(balanced);
      TestClient second = TestClient.connect(balanced);
      assertEquals(List.of(nodes.port(0), nodes.port(1)), proxy.chosen());

      nodes.kill(0);
      assertFalse(nodes.node(0).isAlive());
      assertEquals(128 + 9, nodes.node(0).exitValue(), "killed by signal 9");
      assertTrue(first.awaitClose(Duration.ofSeconds(5)) > 0, "its client lost the connection");
      assertEquals(200, nodes.health(1).status(), "the other node still serves");
      assertFalse(second.isClosed());

      // The balancer skips the dead node: the next connection lands on the live one.
      try (TestClient third = TestClient.connect(balanced)) {
        assertEquals(nodes.port(1), proxy.chosen().get(2));
        third.send("{\"type\":\"ping\",\"id\":1}");
        third.expect("pong");
      }

      proxy.drop(nodes.port(1));
      assertTrue(second.awaitClose(Duration.ofSeconds(5)) > 0, "a dropped target's connections are reset");
      first.close();
      second.close();
    }
  }
}
