package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.expect;
import static org.signalbox.it.ClusterTesting.ids;
import static org.signalbox.it.ClusterTesting.joinInTurn;
import static org.signalbox.it.ClusterTesting.leave;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.numbered;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.resume;
import static org.signalbox.it.ClusterTesting.signal;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.TestClient;

/**
 * {@code kill -9} of a node in the middle of a call. Its peers reconnect through the balancer to
 * a surviving node and resume; one that never comes back is announced gone by the survivors once
 * its grace has run out. The test kills a node, so it starts its own cluster.
 */
class ClusterNodeKillIT {

  /** The store the nodes share: here one Redis; a Redis Cluster in the subclass. */
  ClusterStore startStore() throws Exception {
    return ClusterStore.oneRedis("kill");
  }

  /** Names the nodes' logs. */
  String name() {
    return "cluster-kill";
  }

  private static final long RESUME_GRACE_MS = 4_000;
  /** CONTRACT: nodes refresh their key every 1 s with a 3 s TTL; survivors notice within ~4 s. */
  private static final long NODE_LOSS_DETECTION_MS = 4_000;
  /** CONTRACT: graces are swept about once a second. */
  private static final long SWEEP_MS = 1_000;
  private static final long MARGIN_MS = 3_000;

  private static void log(long since, String what) {
    System.out.printf("+%d ms: %s%n", Duration.ofNanos(System.nanoTime() - since).toMillis(), what);
  }

  @Test
  void peersOfAKilledNodeResumeElsewhereAndOneThatStaysAwayTimesOut() throws Exception {
    try (ClusterStore store = startStore();
        ClusterNodes nodes = ClusterNodes.start(name(), 3, ClusterNodes.environment(store.url(), Map.of(
            "SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS))));
        // A balancer whose next choice after node 1 is dropped is node 2.
        RoundRobinProxy balancer = RoundRobinProxy.start(List.of(nodes.port(2), nodes.port(1), nodes.port(0)))) {
      TestClient p = TestClient.connect(nodes.socket(0));
      TestClient q = TestClient.connect(nodes.socket(1));
      TestClient p2 = TestClient.connect(nodes.socket(2));
      TestClient r = TestClient.connect(nodes.socket(1));
      TestClient q2 = null;
      try {
        List<JsonObject> joined = joinInTurn("call", List.of(p, q, p2, r), "P", "Q", "P2", "R");
        JsonObject jp = joined.get(0);
        JsonObject jq = joined.get(1);
        JsonObject jp2 = joined.get(2);
        JsonObject jr = joined.get(3);
        System.out.printf("peers: P %s (node 0), Q %s (node 1), P2 %s (node 2), R %s (node 1)%n",
            peerId(jp), peerId(jq), peerId(jp2), peerId(jr));
        // Mid-call: P and Q negotiate across nodes 0 and 1.
        signal(p, peerId(jq), numbered("offer", 0), null);
        assertEquals(numbered("offer", 0), q.expect("signal").getJsonObject("data"));
        signal(q, peerId(jp), numbered("answer", 0), null);
        assertEquals(numbered("answer", 0), p.expect("signal").getJsonObject("data"));

        long killedAt = System.nanoTime();
        nodes.kill(1);
        balancer.drop(nodes.port(1));
        q.awaitClose(Duration.ofSeconds(5));
        r.awaitClose(Duration.ofSeconds(5));
        log(killedAt, "node 1 killed; Q and R saw their sockets close");

        // Sent after Q's connection is gone: the first relay finds Q's node dead and holds them.
        for (int n = 0; n < 5; n++) {
          message(p, peerId(jq), numbered("held", n), "held-" + n);
        }
        assertEquals(List.of(), untilPong(p, "sent"), "held for Q, not refused");
        log(killedAt, "P's 5 messages to Q answered (pong)");

        // Q's client reconnects at once, like a browser whose backoff starts at 0, and resumes.
        q2 = TestClient.connect(URI.create("ws://127.0.0.1:" + balancer.port() + "/signal"));
        assertEquals(nodes.port(2), balancer.chosen().get(0), "resumed on node 2");
        JsonObject resumed = resume(q2, "call", jq.getString("resumeToken"));
        log(killedAt, "Q resumed: " + resumed);
        assertTrue(resumed.getBoolean("resumed"), resumed::toString);
        assertEquals(peerId(jq), peerId(resumed), "the same peerId");
        assertEquals(List.of(peerId(jp), peerId(jp2), peerId(jr)), ids(resumed.getJsonArray("peers")),
            "R is still in the room, in its grace");
        for (int n = 0; n < 5; n++) {
          assertEquals(numbered("held", n), q2.expect("message").getJsonObject("data"));
        }
        log(killedAt, "Q got the held messages");
        signal(q2, peerId(jp), numbered("answer", 1), null);
        assertEquals(numbered("answer", 1), expect(p, "P (node 0), from Q resumed on node 2", "signal", killedAt, q2, p2)
            .getJsonObject("data"));
        signal(p, peerId(jq), numbered("offer", 1), null);
        assertEquals(numbered("offer", 1), expect(q2, "Q resumed on node 2, from P", "signal", killedAt)
            .getJsonObject("data"));

        // R never returns: each member, on either surviving node, hears it once, after the grace.
        Duration bound = Duration.ofMillis(NODE_LOSS_DETECTION_MS + RESUME_GRACE_MS + SWEEP_MS + MARGIN_MS);
        for (TestClient member : List.of(p, p2, q2)) {
          long left = bound.toNanos() - (System.nanoTime() - killedAt);
          JsonObject gone = member.next(Duration.ofNanos(Math.max(left, 1)));
          assertEquals("peer-left", gone.getString("type"), gone::toString);
          assertEquals(peerId(jr), gone.getString("peerId"), gone::toString);
          assertEquals("timeout", gone.getString("reason"), gone::toString);
          assertEquals("call", gone.getString("room"));
        }
        long timedOutAfterMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        System.out.printf("R's peer-left timeout reached every member %d ms after the kill%n", timedOutAfterMs);
        assertTrue(timedOutAfterMs >= RESUME_GRACE_MS, "not before the grace: " + timedOutAfterMs + " ms");

        // Q, resumed on a survivor, is not swept with its dead node's other peers; nothing repeats.
        p.expectNothing(Duration.ofMillis(SWEEP_MS + 1_000));
        assertEquals(List.of(), untilPong(p2, "p2-end"));
        assertEquals(List.of(), untilPong(q2, "q2-end"));
        message(p2, peerId(jq), numbered("still-there", 0), null);
        assertEquals(numbered("still-there", 0), q2.expect("message").getJsonObject("data"));
      } finally {
        leave(p, q, p2, r, q2);
      }
    }
  }
}
