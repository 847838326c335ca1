package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.await;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.numbered;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.resumeUntilServed;
import static org.signalbox.it.ClusterTesting.roomPrefix;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.it.ClusterTesting.RoundTrips;
import org.signalbox.testing.RedisCluster;
import org.signalbox.testing.TestClient;

/**
 * A Redis Cluster shard's master dies mid-call (SIGKILL); its replica takes over. The room on that
 * shard pauses: its peers' connections close with 1001, they resume and the call goes on. A room
 * on another shard relays all along and notices nothing. Each node says what happened in one log
 * line, and neither takes the other for dead.
 */
class ClusterShardFailoverIT {

  private static final long RESUME_GRACE_MS = 20_000;
  /** Bound of the whole failover as a client sees it: the shard's failover plus a resume. */
  private static final Duration RESUMED_WITHIN = Duration.ofSeconds(30);
  private static final String LOST_LINE = "Redis stopped delivering";

  private static void log(long since, String what) {
    System.out.printf("+%d ms: %s%n", Duration.ofNanos(System.nanoTime() - since).toMillis(), what);
  }

  private static int masterOf(RedisCluster cluster, String room) throws Exception {
    return cluster.masterPortForSlot(RedisCluster.slotOf(roomPrefix(room) + "m"));
  }

  @Test
  void aShardsMasterDiesAndOnlyItsRoomsPauseUntilTheirPeersResume() throws Exception {
    try (ClusterStore store = ClusterStore.redisCluster("failover");
        ClusterNodes nodes = ClusterNodes.start("cluster-failover", 2, ClusterNodes.environment(
            store.url(), Map.of("SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS))))) {
      RedisCluster cluster = (RedisCluster) store.processes();
      String hit = "hit";
      int hitMaster = masterOf(cluster, hit);
      String calm = null;
      for (int i = 0; i < 500 && calm == null; i++) {
        if (masterOf(cluster, "calm-" + i) != hitMaster) {
          calm = "calm-" + i;
        }
      }
      assertTrue(calm != null, "a room on another shard");
      TestClient a = TestClient.connect(nodes.socket(0));
      TestClient b = TestClient.connect(nodes.socket(1));
      TestClient c = TestClient.connect(nodes.socket(0));
      TestClient d = TestClient.connect(nodes.socket(1));
      List<TestClient> later = new ArrayList<>();
      try {
        JsonObject ja = a.join(hit, "A");
        JsonObject jb = b.join(hit, "B");
        a.expect("peer-joined");
        String cId = peerId(c.join(calm, "C"));
        String dId = peerId(d.join(calm, "D"));
        c.expect("peer-joined");
        message(a, peerId(jb), numbered("before", 0), null);
        assertEquals(numbered("before", 0), b.expect("message").getJsonObject("data"));
        int[] logFrom = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
          logFrom[i] = nodes.node(i).output().length();
        }

        long killedAt = System.nanoTime();
        cluster.killMaster(hitMaster);
        log(killedAt, "killed the master of room " + hit + " (port " + hitMaster + ")");

        // The calm room relays both ways all along, each message answered in turn, while the hit
        // room's peers are sent away and resume.
        RoundTrips calmRoom = new RoundTrips("calm", c, cId, d, dId);
        Thread relaying = new Thread(calmRoom, "calm-room");
        relaying.start();
        TestClient a2;
        TestClient b2;
        List<String> attempts = new ArrayList<>();
        try {
          assertEquals(1001, a.awaitClose(Duration.ofSeconds(10)), "A is sent away to resume");
          assertEquals(1001, b.awaitClose(Duration.ofSeconds(10)), "B is sent away to resume");
          log(killedAt, "A and B closed with 1001");
          // They resume, each as a browser would: again after a short backoff while the shard has
          // no master yet (1013).
          a2 = resumeUntilServed(nodes.socket(1), hit, ja.getString("resumeToken"), killedAt,
              RESUMED_WITHIN, attempts, later).client();
          b2 = resumeUntilServed(nodes.socket(0), hit, jb.getString("resumeToken"), killedAt,
              RESUMED_WITHIN, attempts, later).client();
          // A quick failover leaves little time: the calm room's count is awaited, not assumed.
          await("the calm room relays through the failover", Duration.ofSeconds(10),
              () -> calmRoom.roundTrips >= 10 || calmRoom.failure != null);
        } finally {
          calmRoom.stop();
          relaying.join(Duration.ofSeconds(15).toMillis());
        }
        assertFalse(relaying.isAlive(), "the calm room's relays ended");
        assertEquals(null, calmRoom.failure, "the calm room relayed every message, in turn");
        assertTrue(calmRoom.roundTrips >= 10, "the calm room relayed all along: "
            + calmRoom.roundTrips);
        log(killedAt, "A and B resumed (on the other node each) after " + attempts
            + "; the calm room relayed " + calmRoom.roundTrips + " round trips meanwhile, the"
            + " slowest in " + calmRoom.slowestMs + " ms");
        message(a2, peerId(jb), numbered("after", 0), null);
        assertEquals(numbered("after", 0), b2.expect("message").getJsonObject("data"));
        message(b2, peerId(ja), numbered("after", 1), null);
        assertEquals(numbered("after", 1), a2.expect("message").getJsonObject("data"));
        log(killedAt, "the hit room goes on; the shard failed over in "
            + cluster.awaitFailover(hitMaster, Duration.ofSeconds(10)).toMillis() + " ms");

        // The calm room never noticed: no close, no error, nothing more than its own relays.
        assertFalse(c.isClosed() || d.isClosed(), "the calm room's peers stayed connected");
        message(c, dId, numbered("calm-end", 0), null);
        assertEquals(numbered("calm-end", 0), d.expect("message").getJsonObject("data"));
        assertEquals(List.of(), untilPong(c, "calm-end"), "nothing else for C");
        assertEquals(List.of(), untilPong(d, "calm-end"), "nothing else for D");

        // One line on each node says what happened; neither took the other for dead.
        for (int i = 0; i < nodes.size(); i++) {
          String since = nodes.node(i).output().substring(logFrom[i]);
          assertEquals(1, since.split(LOST_LINE, -1).length - 1,
              "node " + i + " logs the lost channels once:\n" + since);
          assertFalse(since.contains("is gone"), "node " + i + " took no node for gone:\n" + since);
        }
      } finally {
        TestClient.closeAll(a, b, c, d);
        TestClient.closeAll(later.toArray(TestClient[]::new));
      }
    }
  }
}
