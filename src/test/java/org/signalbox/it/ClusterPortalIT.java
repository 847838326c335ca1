package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.peerId;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.RedisServer;
import org.signalbox.testing.TestClient;
import org.signalbox.testing.WebhookReceiver;
import org.signalbox.testing.WebhookReceiver.Delivery;

/**
 * PORTAL.md's events in a cluster: two nodes of the run command on one real Redis, each with the
 * same webhook receiver. Each event is produced once, by the script that made the change, and
 * delivered once, in the room's order, whichever node serves whom; a node killed with {@code
 * kill -9} in the middle of delivering an event it produced loses nothing: the other node
 * delivers it once the dead node's lease has run out. The last test kills a node, so the class
 * starts its own cluster per test.
 */
class ClusterPortalIT {

  private static final String SECRET = "a webhook secret of at least thirty-two bytes";
  private static final long RESUME_GRACE_MS = 3_000;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Map<String, String> environment(RedisServer redis, WebhookReceiver hooks) {
    return ClusterNodes.environment(redis, Map.of(
        "SIGNALBOX_WEBHOOK_URLS", hooks.url(),
        "SIGNALBOX_WEBHOOK_SECRET", SECRET,
        "SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS)));
  }

  @Test
  void eachEventOfACallAcrossTwoNodesArrivesOnceInOrder() throws Exception {
    try (WebhookReceiver hooks = WebhookReceiver.start(SECRET);
        RedisServer redis = RedisServer.start("portal-once", false);
        ClusterNodes nodes = ClusterNodes.start("cluster-portal", 2, environment(redis, hooks));
        TestClient a = TestClient.connect(nodes.socket(0));
        TestClient b = TestClient.connect(nodes.socket(1))) {
      String alice = peerId(a.join("review", "Alice"));
      String bob = peerId(b.join("review", "Bob"));
      a.expect("peer-joined");
      b.send("{\"type\":\"leave\"}");
      b.expect("left");
      assertEquals("left", a.expect("peer-left").getString("reason"));
      a.send("{\"type\":\"leave\"}");
      a.expect("left");
      hooks.await(list -> list.stream().anyMatch(d -> d.type().equals("room.finished")), WAIT);
      // A duplicate has no event to await: give it a bounded second to show (both pumps look
      // four times a second).
      Thread.sleep(1_000);
      List<Delivery> all = hooks.deliveries();
      assertEquals(List.of("room.started", "peer.joined", "peer.joined", "peer.left",
          "peer.left", "room.finished"), all.stream().map(Delivery::type).toList());
      assertEquals(alice, all.get(1).data().getString("peerId"));
      assertEquals(bob, all.get(2).data().getString("peerId"));
      assertEquals(bob, all.get(3).data().getString("peerId"));
      assertEquals("left", all.get(3).data().getString("reason"));
      assertEquals(alice, all.get(4).data().getString("peerId"));
      assertEquals(6, new HashSet<>(all.stream().map(Delivery::id).toList()).size());
      assertTrue(all.stream().allMatch(Delivery::signed), "every delivery signed");
      double counted = 0;
      for (int i = 0; i < 2; i++) {
        for (String type : List.of("room.started", "peer.joined", "peer.left", "room.finished")) {
          counted += nodes.metric(i, "signalbox_room_events_total{type=\"" + type + "\"}");
        }
      }
      assertEquals(6.0, counted, "the listeners got each event once in the cluster");
    }
  }

  /**
   * The node that produced the event is the only one running when its attempt starts, so it holds
   * the attempt when it is killed; the second node starts after the kill and must deliver what the
   * dead node left in Redis, beginning with the cut attempt, then what it finds itself (the dead
   * node's member lost, its grace over, the room finished).
   */
  @Test
  void aNodeKilledWhileDeliveringItsEventLosesNoDelivery() throws Exception {
    CountDownLatch killed = new CountDownLatch(1);
    AtomicInteger requests = new AtomicInteger();
    try (WebhookReceiver hooks = WebhookReceiver.start(SECRET);
        RedisServer redis = RedisServer.start("portal-kill", false);
        ClusterNodes first = ClusterNodes.start("cluster-portal-kill", 1, environment(redis, hooks));
        TestClient a = TestClient.connect(first.socket(0))) {
      // The first attempt is held unanswered until its node is dead; every later one succeeds.
      hooks.answer(() -> {
        if (requests.incrementAndGet() == 1) {
          try {
            killed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return 500;
        }
        return 204;
      });
      String alice = peerId(a.join("audit", "Alice"));
      hooks.awaitArrived(1, WAIT);
      first.kill(0);
      killed.countDown();
      long killedAt = System.nanoTime();
      try (RunCommandServer second =
          ClusterNodes.launch("cluster-portal-kill-late", 1, environment(redis, hooks))) {
        second.awaitHealthy();
        hooks.await(list -> list.stream().anyMatch(d -> d.type().equals("room.finished")),
            Duration.ofSeconds(60));
      }
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      List<Delivery> accepted = hooks.accepted();
      assertEquals(List.of("room.started", "peer.joined", "peer.lost", "peer.left",
          "room.finished"), accepted.stream().map(Delivery::type).toList());
      assertEquals(hooks.deliveries().get(0).id(), accepted.get(0).id(),
          "the attempt cut by the kill is made again with the same webhook-id");
      assertEquals(alice, accepted.get(1).data().getString("peerId"));
      assertEquals(alice, accepted.get(2).data().getString("peerId"));
      assertEquals("timeout", accepted.get(3).data().getString("reason"));
      assertTrue(accepted.stream().allMatch(Delivery::signed), "every delivery signed");
      System.out.printf("kill -9 to room.finished delivered by the other node: %d ms%n", tookMs);
    }
  }
}
