package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.await;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.numbered;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.resumeUntilServed;
import static org.signalbox.it.ClusterTesting.roomPrefix;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.it.ClusterTesting.Resumed;
import org.signalbox.it.ClusterTesting.RoundTrips;
import org.signalbox.testing.RedisCluster;
import org.signalbox.testing.TestClient;

/**
 * A room's partition moves to another master of a live Redis Cluster (resharding, {@code CLUSTER
 * SETSLOT} and {@code MIGRATE}, as {@code redis-cli --cluster reshard} does it) while one of its
 * peers is in its grace with relays buffered for it. Unlike a failover nothing is lost: the keys
 * move with the slot. The node whose channel the old master took back gives the room up and
 * sends its peer away to resume; the peer in its grace resumes and gets every buffered relay, in
 * order; then the two relay both ways. A room on another partition of the same master relays all
 * along. Only the node that had the channel says so, once, and no node is taken for gone.
 */
class ClusterSlotMoveIT {

  private static final long RESUME_GRACE_MS = 20_000;
  /** Bound of a resume as a client sees it, from the moment every Redis node agrees on the move. */
  private static final Duration RESUMED_WITHIN = Duration.ofSeconds(15);
  private static final Duration REDIS_STATE_WITHIN = Duration.ofSeconds(5);
  private static final String LOST_LINE = "Redis stopped delivering";
  private static final int HELD = 3;

  private static void log(long since, String what) {
    System.out.printf("+%d ms: %s%n", Duration.ofNanos(System.nanoTime() - since).toMillis(), what);
  }

  private static int slotOf(String room) {
    return RedisCluster.slotOf(roomPrefix(room) + "m");
  }

  private static String redis(RedisCluster cluster, int port, String... words) {
    try {
      return cluster.command(port, words);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aRoomsSlotMovesToAnotherMasterAndItsPeersResumeWithNothingLost() throws Exception {
    try (RedisCluster cluster = RedisCluster.start("slotmove", 3, 0, ClusterStore.NODE_TIMEOUT_MS);
        ClusterNodes nodes = ClusterNodes.start("cluster-slotmove", 2, ClusterNodes.environment(
            cluster.url(), Map.of("SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS))))) {
      String moving = "moving";
      int slot = slotOf(moving);
      int from = cluster.masterPortForSlot(slot);
      int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();
      // The staying room is on the same master, in another partition: the shard that gives one
      // slot away serves its other slots, and the channels on them, as before.
      String staying = null;
      for (int i = 0; i < 500 && staying == null; i++) {
        String room = "staying-" + i;
        if (slotOf(room) != slot && cluster.masterPortForSlot(slotOf(room)) == from) {
          staying = room;
        }
      }
      assertTrue(staying != null, "a room in another partition of the same master");
      String members = roomPrefix(moving) + "m";

      TestClient a = TestClient.connect(nodes.socket(0));
      TestClient b = TestClient.connect(nodes.socket(1));
      TestClient c = TestClient.connect(nodes.socket(0));
      TestClient d = TestClient.connect(nodes.socket(1));
      List<TestClient> later = new ArrayList<>();
      try {
        JsonObject ja = a.join(moving, "A");
        JsonObject jb = b.join(moving, "B");
        a.expect("peer-joined");
        String aId = peerId(ja);
        String bId = peerId(jb);
        String cId = peerId(c.join(staying, "C"));
        String dId = peerId(d.join(staying, "D"));
        c.expect("peer-joined");
        message(a, bId, numbered("before", 0), null);
        assertEquals(numbered("before", 0), b.expect("message").getJsonObject("data"));
        assertEquals(":1", redis(cluster, from, "EXISTS", members), "the room lives on :" + from);

        // B is cut off: node 1 puts it in its grace. Relays to it are then buffered in Redis.
        b.abort();
        await("B in its grace in Redis", REDIS_STATE_WITHIN, () -> {
          String member = String.valueOf(uncheckedCall(cluster, from, "HGET", members, bId));
          return member.contains("\"st\":\"g\"");
        });
        for (int n = 0; n < HELD; n++) {
          message(a, bId, numbered("held", n), "held-" + n);
        }
        assertEquals(List.of(), untilPong(a, "held"), "A's relays to B in its grace are accepted");
        String buffer = roomPrefix(moving) + "b:" + bId;
        await("the " + HELD + " relays buffered for B on :" + from, REDIS_STATE_WITHIN,
            () -> (":" + HELD).equals(redis(cluster, from, "LLEN", buffer)));

        int[] logFrom = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
          logFrom[i] = nodes.node(i).output().length();
        }
        // The staying room relays both ways all along: before, during and after the move.
        RoundTrips stayingRoom = new RoundTrips("staying", c, cId, d, dId);
        Thread relaying = new Thread(stayingRoom, "staying-room");
        relaying.start();
        TestClient a2;
        TestClient b2;
        List<String> attempts = new ArrayList<>();
        long movedAt;
        try {
          await("the staying room relays before the move", Duration.ofSeconds(10),
              () -> stayingRoom.roundTrips >= 3 || stayingRoom.failure != null);
          movedAt = System.nanoTime();
          cluster.moveSlot(slot, to);
          log(movedAt, "slot " + slot + " of room " + moving + " moved from :" + from + " to :" + to
              + " and every Redis node agrees");
          long settledAt = System.nanoTime();

          // The keys moved with the slot: the room and B's buffer are on the new master now.
          assertEquals(":1", redis(cluster, to, "EXISTS", members), "the room's members on :" + to);
          assertEquals(":" + HELD, redis(cluster, to, "LLEN", buffer), "B's buffer on :" + to);
          String old = redis(cluster, from, "EXISTS", members);
          assertTrue(old.startsWith("-MOVED " + slot + " "), "the old master sends clients on: " + old);

          // Node 0 served A from the channel the old master took back: A is sent away to resume.
          assertEquals(1001, a.awaitClose(Duration.ofSeconds(10)), "A is sent away to resume");
          log(movedAt, "A closed with 1001");
          // Both resume on the node they were on: node 0 subscribes the room's channel again, now
          // on the new master; node 1 for the first time since B's loss.
          Resumed ra = resumeUntilServed(nodes.socket(0), moving, ja.getString("resumeToken"),
              settledAt, RESUMED_WITHIN, attempts, later);
          a2 = ra.client();
          assertEquals(aId, peerId(ra.joined()), "A keeps its peerId");
          Resumed rb = resumeUntilServed(nodes.socket(1), moving, jb.getString("resumeToken"),
              settledAt, RESUMED_WITHIN, attempts, later);
          b2 = rb.client();
          assertEquals(bId, peerId(rb.joined()), "B keeps its peerId");
          // Nothing lost: what was buffered for B before the move comes right after its joined.
          for (int n = 0; n < HELD; n++) {
            JsonObject held = b2.expect("message");
            assertEquals(aId, held.getString("from"), held::toString);
            assertEquals(numbered("held", n), held.getJsonObject("data"), "held, in order");
          }
          log(movedAt, "A and B resumed after " + attempts + "; B got its " + HELD + " held relays");
          message(a2, bId, numbered("after", 0), null);
          assertEquals(numbered("after", 0), b2.expect("message").getJsonObject("data"));
          message(b2, aId, numbered("after", 1), null);
          assertEquals(numbered("after", 1), a2.expect("message").getJsonObject("data"));
          int byNow = stayingRoom.roundTrips;
          await("the staying room relays after the move", Duration.ofSeconds(10),
              () -> stayingRoom.roundTrips >= byNow + 3 || stayingRoom.failure != null);
        } finally {
          stayingRoom.stop();
          relaying.join(Duration.ofSeconds(15).toMillis());
        }
        assertFalse(relaying.isAlive(), "the staying room's relays ended");
        assertEquals(null, stayingRoom.failure, "the staying room relayed every message, in turn");
        log(movedAt, "the staying room relayed " + stayingRoom.roundTrips + " round trips, the"
            + " slowest in " + stayingRoom.slowestMs + " ms");
        assertFalse(c.isClosed() || d.isClosed(), "the staying room's peers stayed connected");
        message(c, dId, numbered("staying-end", 0), null);
        assertEquals(numbered("staying-end", 0), d.expect("message").getJsonObject("data"));
        assertEquals(List.of(), untilPong(c, "staying-end"), "nothing else for C");
        assertEquals(List.of(), untilPong(d, "staying-end"), "nothing else for D");
        assertEquals(List.of(), untilPong(a2, "a-end"), "nothing else for A");
        assertEquals(List.of(), untilPong(b2, "b-end"), "nothing else for B");

        // Node 0 had the room's channel (A) and says so once; node 1 had none (B was in its
        // grace, so it had let the channel go) and the staying room's channel did not move.
        String log0 = nodes.node(0).output().substring(logFrom[0]);
        assertEquals(1, log0.split(LOST_LINE, -1).length - 1, "node 0 logs the lost channel once:\n"
            + log0);
        assertTrue(log0.contains(LOST_LINE + " 1 room channel(s)") && log0.contains("their 1 peer(s)"),
            "node 0's line counts one room and one peer:\n" + log0);
        String log1 = nodes.node(1).output().substring(logFrom[1]);
        assertFalse(log1.contains(LOST_LINE), "node 1 lost no channel:\n" + log1);
        for (int i = 0; i < nodes.size(); i++) {
          String all = nodes.node(i).output();
          assertFalse(all.contains("is gone"), "node " + i + " took no node for gone:\n" + all);
        }
        assertNotEquals(from, cluster.masterPortForSlot(slot), "the slot stayed moved");
      } finally {
        TestClient.closeAll(a, b, c, d);
        TestClient.closeAll(later.toArray(TestClient[]::new));
      }
    }
  }

  private static Object uncheckedCall(RedisCluster cluster, int port, String... words) {
    try {
      return cluster.call(port, words);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
