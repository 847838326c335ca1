package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.peerId;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.TestClient;
import org.signalbox.testing.WebhookReceiver;
import org.signalbox.testing.WebhookReceiver.Delivery;

/**
 * PORTAL.md in a cluster: two nodes of the run command on one real Redis, each with the same
 * webhook receiver and the admin API on. Either node's admin API answers for the whole cluster.
 * Each event is produced once, by the script that made the change, and delivered once, in the
 * room's order, whichever node serves whom; a failed attempt is retried by one node at a time
 * (RedisEventStore's lease); a node killed with {@code kill -9} in the middle of delivering an
 * event it produced loses nothing: the other node delivers it once the dead node's lease has run
 * out. The last test kills a node, so the class starts its own cluster per test.
 */
class ClusterPortalIT {

  /** The store the nodes share: here one Redis; a Redis Cluster in the subclass. */
  ClusterStore startStore(String name) throws Exception {
    return ClusterStore.oneRedis(name);
  }

  /** Names the nodes' logs. */
  String name() {
    return "cluster-portal";
  }

  private static final String SECRET = "a webhook secret of at least thirty-two bytes";
  private static final long RESUME_GRACE_MS = 3_000;
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** How long the receiver takes to fail an attempt: both nodes' pumps look twice meanwhile. */
  private static final long FAILING_ANSWER_MS = 500;

  private static Map<String, String> environment(ClusterStore redis, WebhookReceiver hooks,
      long resumeGraceMs) {
    return ClusterNodes.environment(redis.url(), Map.of(
        "SIGNALBOX_ADMIN_AUTH", "token",
        "SIGNALBOX_ADMIN_SECRET", Tokens.ADMIN_SECRET,
        "SIGNALBOX_WEBHOOK_URLS", hooks.url(),
        "SIGNALBOX_WEBHOOK_SECRET", SECRET,
        "SIGNALBOX_RESUME_GRACE_MS", Long.toString(resumeGraceMs)));
  }

  private static Map<String, String> environment(ClusterStore redis, WebhookReceiver hooks) {
    return environment(redis, hooks, RESUME_GRACE_MS);
  }

  /** The admin API of node {@code i}, as the portal's back end calls it. */
  private static AdminChecks.Answer admin(ClusterNodes nodes, int i, String method, String path,
      String body) {
    return AdminChecks.call(nodes.node(i).http("/"), method, path, body,
        "Bearer " + Tokens.admin("cluster-ops"));
  }

  /**
   * A call with peers on both nodes, governed through either node's admin API: each node answers
   * for the whole cluster (list, inspect, message, remove, close); a peer removed in its grace goes
   * with its buffer in Redis, and its resume token joins afresh. The receiver fails the first
   * event twice, slowly, while both nodes' pumps look for work: each attempt is made by one node
   * only, after its backoff, and each event of the call reaches the receiver once, in order,
   * whichever node produced it.
   */
  @Test
  void theAdminApiGovernsTheClusterAndEachEventArrivesOnceInOrder() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    try (WebhookReceiver hooks = WebhookReceiver.start(SECRET);
        ClusterStore redis = startStore("portal-once");
        ClusterNodes nodes = ClusterNodes.start(name(), 2,
            environment(redis, hooks, 30_000));
        TestClient a = TestClient.connect(nodes.socket(0));
        TestClient b = TestClient.connect(nodes.socket(1));
        TestClient c = TestClient.connect(nodes.socket(0))) {
      hooks.answer(() -> {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
          if (requests.incrementAndGet() <= 2) {
            // A slow receiver, not a wait for a condition: the attempt stays open this long.
            Thread.sleep(FAILING_ANSWER_MS);
            return 503;
          }
          return 204;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 500;
        } finally {
          inFlight.decrementAndGet();
        }
      });
      String alice = peerId(a.join("review", "Alice"));
      JsonObject bobJoined = b.join("review", "Bob");
      String bob = peerId(bobJoined);
      a.expect("peer-joined");

      // Node 1 sees the room as a whole, Alice (node 0) first.
      JsonObject list = admin(nodes, 1, "GET", "admin/rooms", null).json();
      assertEquals("review", list.getJsonArray("rooms").getJsonObject(0).getString("room"));
      assertEquals(2, list.getJsonArray("rooms").getJsonObject(0).getInt("peers"));
      JsonObject detail = admin(nodes, 1, "GET", "admin/rooms/review", null).json();
      assertEquals(List.of(alice, bob), detail.getJsonArray("peers").stream()
          .map(p -> p.asJsonObject().getString("peerId")).toList());
      assertEquals("connected", detail.getJsonArray("peers").getJsonObject(0).getString("state"));
      assertTrue(detail.getJsonNumber("createdAt").longValue() > 0);

      // A message through node 1 to Alice on node 0, then to everyone.
      assertEquals(202, admin(nodes, 1, "POST", "admin/rooms/review/messages",
          "{\"to\":\"" + alice + "\",\"data\":{\"notice\":1}}").status());
      JsonObject one = a.expect("message");
      assertEquals("@server", one.getString("from"));
      assertEquals(alice, one.getString("to"));
      assertEquals(202, admin(nodes, 0, "POST", "admin/rooms/review/messages",
          "{\"data\":{\"notice\":2}}").status());
      for (TestClient peer : List.of(a, b)) {
        JsonObject all = peer.expect("message");
        assertEquals("@server", all.getString("from"));
        assertFalse(all.containsKey("to"));
        assertEquals(2, all.getJsonObject("data").getInt("notice"));
      }

      // Carol joins on node 0 and is removed through node 1.
      String carol = peerId(c.join("review", "Carol"));
      a.expect("peer-joined");
      b.expect("peer-joined");
      assertEquals(204, admin(nodes, 1, "DELETE", "admin/rooms/review/peers/" + carol, null)
          .status());
      assertEquals("removed", c.expect("left").getString("reason"));
      for (TestClient peer : List.of(a, b)) {
        JsonObject left = peer.expect("peer-left");
        assertEquals(carol, left.getString("peerId"));
        assertEquals("removed", left.getString("reason"));
      }
      c.send("{\"type\":\"ping\",\"id\":\"still\"}");
      c.expect("pong");
      assertEquals(404, admin(nodes, 0, "DELETE", "admin/rooms/review/peers/" + carol, null)
          .status());

      // Bob (node 1) drops into his grace; a relay to him is buffered in Redis; node 0 removes
      // him with his buffer; his resume token then joins afresh, with nothing buffered.
      b.abort();
      awaitState(nodes, bob, "grace");
      a.send("{\"type\":\"message\",\"to\":\"" + bob + "\",\"data\":{\"held\":1}}");
      String buffer = "sb:{*}:r:review:b:" + bob;
      awaitKeys(redis, buffer, 1);
      assertEquals(204, admin(nodes, 0, "DELETE", "admin/rooms/review/peers/" + bob, null)
          .status());
      JsonObject bobRemoved = a.expect("peer-left");
      assertEquals(List.of(bob, "removed"),
          List.of(bobRemoved.getString("peerId"), bobRemoved.getString("reason")));
      assertEquals(List.of(), redis.keys(buffer), "the buffer went with him");
      assertEquals(404, admin(nodes, 1, "DELETE", "admin/rooms/review/peers/" + bob, null)
          .status());
      String bobAgain;
      try (TestClient b2 = TestClient.connect(nodes.socket(1))) {
        b2.send("{\"type\":\"join\",\"room\":\"review\",\"name\":\"Bob\",\"resume\":\""
            + bobJoined.getString("resumeToken") + "\"}");
        JsonObject fresh = b2.expect("joined");
        assertFalse(fresh.getBoolean("resumed"), "his place is gone: a fresh join");
        bobAgain = peerId(fresh);
        assertEquals(b2.welcomePeerId(), bobAgain);
        b2.send("{\"type\":\"ping\",\"id\":\"after\"}");
        assertEquals("after", b2.expect("pong").getString("ref"), "nothing buffered came first");
        assertEquals(bobAgain, a.expect("peer-joined").getJsonObject("peer").getString("peerId"));
        b2.send("{\"type\":\"leave\"}");
        b2.expect("left");
      }
      assertEquals("left", a.expect("peer-left").getString("reason"));
      // Node 1 serves nobody in the room any more and still closes it for the cluster.
      assertEquals(204, admin(nodes, 1, "DELETE", "admin/rooms/review", null).status());
      assertEquals("closed", a.expect("left").getString("reason"));
      assertEquals(404, admin(nodes, 0, "GET", "admin/rooms/review", null).status());

      hooks.await(l -> l.stream().anyMatch(d -> d.type().equals("room.finished")), WAIT);
      // A duplicate has no event to await: give it a bounded second to show (both pumps look
      // four times a second).
      Thread.sleep(1_000);
      List<Delivery> all = hooks.deliveries();
      assertEquals(List.of("room.started", "room.started", "room.started", "peer.joined",
          "peer.joined", "peer.joined", "peer.left", "peer.lost", "peer.left", "peer.joined",
          "peer.left", "peer.left", "room.finished"),
          all.stream().map(Delivery::type).toList(), "two failed attempts, then once each");
      assertEquals(List.of(503, 503, 204), all.subList(0, 3).stream().map(Delivery::answered)
          .toList());
      assertEquals(1, all.subList(0, 3).stream().map(Delivery::id).distinct().count(),
          "one webhook-id on every attempt");
      assertEquals(1, mostInFlight.get(), "never two attempts at once in the cluster");
      // Each retry waited for its backoff (1 s, then 2 s, each at least halved by the jitter)
      // after the failing answer: no second node made an attempt of its own meanwhile.
      long firstGap = all.get(1).receivedAt() - all.get(0).receivedAt();
      long secondGap = all.get(2).receivedAt() - all.get(1).receivedAt();
      assertTrue(firstGap >= FAILING_ANSWER_MS + 500 - 50, "first retry after " + firstGap + " ms");
      assertTrue(secondGap >= 1_000 - 50, "second retry after " + secondGap + " ms");
      List<Delivery> accepted = all.subList(2, all.size());
      assertEquals(alice, accepted.get(1).data().getString("peerId"));
      assertEquals(bob, accepted.get(2).data().getString("peerId"));
      assertEquals(carol, accepted.get(3).data().getString("peerId"));
      assertEquals(List.of(carol, "removed"), List.of(accepted.get(4).data().getString("peerId"),
          accepted.get(4).data().getString("reason")));
      assertEquals(bob, accepted.get(5).data().getString("peerId"), "peer.lost");
      assertEquals(List.of(bob, "removed"), List.of(accepted.get(6).data().getString("peerId"),
          accepted.get(6).data().getString("reason")));
      assertEquals(bobAgain, accepted.get(7).data().getString("peerId"));
      assertEquals(List.of(bobAgain, "left"), List.of(accepted.get(8).data().getString("peerId"),
          accepted.get(8).data().getString("reason")));
      assertEquals(List.of(alice, "closed"), List.of(accepted.get(9).data().getString("peerId"),
          accepted.get(9).data().getString("reason")));
      assertEquals(11, new HashSet<>(accepted.stream().map(Delivery::id).toList()).size());
      assertTrue(all.stream().allMatch(Delivery::signed), "every delivery signed");
      double counted = 0;
      double retried = 0;
      double sent = 0;
      for (int i = 0; i < 2; i++) {
        for (String type : List.of("room.started", "peer.joined", "peer.lost", "peer.left",
            "room.finished")) {
          counted += nodes.metric(i, "signalbox_room_events_total{type=\"" + type + "\"}");
        }
        retried += nodes.metric(i, "signalbox_webhook_events_total{outcome=\"retried\"}");
        sent += nodes.metric(i, "signalbox_webhook_events_total{outcome=\"sent\"}");
      }
      assertEquals(11.0, counted, "the listeners got each event once in the cluster");
      assertEquals(2.0, retried, "each failed attempt counted once, by the node that made it");
      assertEquals(11.0, sent, "each event sent once in the cluster");
    }
  }

  /** Waits (bounded) until node 0's admin API shows {@code peerId} of room review in {@code state}. */
  private static void awaitState(ClusterNodes nodes, String peerId, String state)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      seen = admin(nodes, 0, "GET", "admin/rooms/review", null).json().getJsonArray("peers")
          .stream().map(JsonValue::asJsonObject).filter(p -> p.getString("peerId").equals(peerId))
          .map(p -> p.getString("state")).findFirst().orElse(null);
      if (state.equals(seen)) {
        return;
      }
      Thread.sleep(50); // polling the admin API: a grace has no event to await
    }
    throw new AssertionError(peerId + " is " + seen + ", not " + state + ", after " + WAIT);
  }

  /** Waits (bounded) until Redis holds {@code count} keys named {@code key}. */
  private static void awaitKeys(ClusterStore redis, String key, int count) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (redis.keys(key).size() != count) {
      assertTrue(System.nanoTime() < deadline, key + ": " + redis.keys(key));
      Thread.sleep(20); // polling Redis: a buffered relay has no event to await
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
        ClusterStore redis = startStore("portal-kill");
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
