package org.signalbox.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.NodeGauges;
import org.signalbox.testing.TestClient;
import org.signalbox.testing.WebhookReceiver;
import org.signalbox.testing.WebhookReceiver.Delivery;

/**
 * A single node's room events, as a portal's webhook receiver sees them: every type of PORTAL.md
 * in the order it happened for a scripted call, signed in the Standard Webhooks form (checked by
 * the receiver's own verifier), and retried with the same {@code webhook-id} without anything
 * overtaking the event that waits.
 */
class RoomEventsTest {

  static final String SECRET = "whsec_" + java.util.Base64.getEncoder()
      .encodeToString("a webhook key of thirty-two bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static String resumeJoin(String room, String token) {
    return "{\"type\":\"join\",\"room\":\"" + room + "\",\"resume\":\"" + token + "\",\"id\":\"r\"}";
  }

  @Test
  void everyEventOfAScriptedCallArrivesOnceInOrderAndSigned() throws InterruptedException {
    try (WebhookReceiver hooks = WebhookReceiver.start(SECRET);
        EmbeddedServer server = EmbeddedServer.start(Map.of(
            "webhookUrls", hooks.url(), "webhookSecret", SECRET, "resumeGraceMs", "1500"))) {
      int n = 0;
      TestClient a = TestClient.connect(server.uri());
      TestClient b = TestClient.connect(server.uri());
      try {
        a.join("standup", "Alice");
        hooks.awaitAccepted(n += 2, WAIT);
        String token = b.join("standup", "Bob").getString("resumeToken");
        a.expect("peer-joined");
        hooks.awaitAccepted(n += 1, WAIT);
        b.abort();
        hooks.awaitAccepted(n += 1, WAIT); // peer.lost
        try (TestClient again = TestClient.connect(server.uri())) {
          again.send(resumeJoin("standup", token));
          assertTrue(again.expect("joined").getBoolean("resumed"));
          hooks.awaitAccepted(n += 1, WAIT); // peer.resumed
          again.send("{\"type\":\"leave\"}");
          again.expect("left");
          hooks.awaitAccepted(n += 1, WAIT); // peer.left left
        }
        try (TestClient c = TestClient.connect(server.uri())) {
          c.join("standup", "Carol");
          hooks.awaitAccepted(n += 1, WAIT);
          c.abort();
          hooks.awaitAccepted(n += 2, WAIT); // peer.lost, then peer.left timeout after the grace
        }
        TestClient d = TestClient.connect(server.uri());
        try {
          d.join("standup", "Dave");
          hooks.awaitAccepted(n += 1, WAIT);
          assertTrue(server.node().membership().remove("standup", d.welcomePeerId()));
          assertEquals("removed", d.expect("left").getString("reason"));
          hooks.awaitAccepted(n += 1, WAIT);
        } finally {
          d.close();
        }
        assertTrue(server.node().membership().close("standup"));
        assertEquals("closed", skipTo(a, "left").getString("reason"));
        List<Delivery> all = hooks.awaitAccepted(n += 2, WAIT);

        assertEquals(List.of("room.started", "peer.joined", "peer.joined", "peer.lost",
            "peer.resumed", "peer.left", "peer.joined", "peer.lost", "peer.left", "peer.joined",
            "peer.left", "peer.left", "room.finished"), all.stream().map(Delivery::type).toList());
        String alice = a.welcomePeerId();
        String bob = b.welcomePeerId();
        assertEquals(Map.of("room", "standup"), Map.copyOf(all.get(0).data()).entrySet().stream()
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> ((jakarta.json.JsonString) e.getValue()).getString())));
        assertData(all.get(1), "peerId", alice, "name", "Alice");
        assertFalse(all.get(1).data().containsKey("identity"), "open mode has no identity");
        assertData(all.get(2), "peerId", bob, "name", "Bob");
        assertData(all.get(3), "peerId", bob);
        assertData(all.get(4), "peerId", bob);
        assertData(all.get(5), "peerId", bob, "reason", "left");
        assertData(all.get(7), "peerId", all.get(6).data().getString("peerId"));
        assertData(all.get(8), "reason", "timeout");
        assertData(all.get(10), "peerId", d.welcomePeerId(), "reason", "removed");
        assertData(all.get(11), "peerId", alice, "reason", "closed");
        assertTrue(all.get(12).data().getJsonNumber("durationMs").longValue() > 0);
        for (Delivery delivery : all) {
          assertTrue(delivery.signed(), "signature of " + delivery.type());
          assertEquals("standup", delivery.data().getString("room"));
          Instant at = Instant.parse(delivery.json().getString("timestamp"));
          assertTrue(Math.abs(Long.parseLong(delivery.timestamp()) - at.getEpochSecond()) < 30);
        }
        assertEquals(all.size(), new HashSet<>(all.stream().map(Delivery::id).toList()).size(),
            "one webhook-id per event");
        assertEquals(all.size(), hooks.deliveries().size(), "nothing sent twice");
        // The receiver answers before the sender counts the answer: await the count, bounded.
        assertEquals(13.0, awaitCounter(server, 13.0), 0.0);
        assertEquals(2.0, NodeGauges.counter(server.node(), "signalbox_room_events", "type",
            "peer.lost"), 0.0);
      } finally {
        TestClient.closeAll(a, b);
      }
    }
  }

  @Test
  void aReceiverThatFailsThreeTimesGetsTheSameEventAgainAndNothingOvertakesIt() {
    AtomicInteger requests = new AtomicInteger();
    try (WebhookReceiver hooks = WebhookReceiver.start(SECRET);
        EmbeddedServer server = EmbeddedServer.start(Map.of(
            "webhookUrls", hooks.url(), "webhookSecret", SECRET))) {
      hooks.answer(() -> requests.incrementAndGet() <= 3 ? 500 : 200);
      try (TestClient a = TestClient.connect(server.uri());
          TestClient b = TestClient.connect(server.uri())) {
        a.join("retry", "A");
        b.join("retry", "B");
        b.send("{\"type\":\"leave\"}");
        b.expect("left");
        List<Delivery> accepted = hooks.awaitAccepted(4, Duration.ofSeconds(30));
        List<Delivery> all = hooks.deliveries();
        assertEquals(List.of("room.started", "room.started", "room.started", "room.started",
                "peer.joined", "peer.joined", "peer.left"),
            all.stream().map(Delivery::type).toList(), "retries first, then the rest in order");
        String id = all.get(0).id();
        for (int i = 0; i < 4; i++) {
          assertEquals(id, all.get(i).id(), "the same webhook-id on every attempt");
          assertEquals(all.get(0).body(), all.get(i).body(), "the same body on every attempt");
          assertTrue(all.get(i).signed());
          // webhook-timestamp is the attempt's own (Unix seconds), not the first attempt's.
          long stamped = Long.parseLong(all.get(i).timestamp());
          long arrived = all.get(i).receivedAt() / 1000;
          assertTrue(stamped >= arrived - 2 && stamped <= arrived,
              "attempt " + i + " stamped " + stamped + ", arrived at " + arrived);
        }
        // The attempts span at least 3.5 s (0.5 + 1 + 2 at the least jitter).
        assertTrue(Long.parseLong(all.get(3).timestamp()) > Long.parseLong(all.get(0).timestamp()),
            "a later attempt has a later webhook-timestamp: " + all.get(0).timestamp() + ", "
                + all.get(3).timestamp());
        // Backoff 1 s, 2 s, 4 s, each within ±50 %: the retries came no sooner.
        for (int i = 1; i < 4; i++) {
          long gap = all.get(i).receivedAt() - all.get(i - 1).receivedAt();
          long nominal = 1000L << (i - 1);
          assertTrue(gap >= nominal / 2 - 50, "retry " + i + " after " + gap + " ms");
        }
        assertEquals(4, accepted.size());
        assertEquals(3.0, NodeGauges.counter(server.node(), "signalbox_webhook_events",
            "outcome", "retried"), 0.0);
      }
    }
  }

  @Test
  void aJoinInTokenModeNamesItsIdentity() {
    try (WebhookReceiver hooks = WebhookReceiver.start(SECRET);
        EmbeddedServer server = EmbeddedServer.start(Map.of("auth", "token",
            "tokenSecret", Tokens.SECRET, "webhookUrls", hooks.url(), "webhookSecret", SECRET));
        TestClient a = TestClient.connect(server.uri())) {
      String token = Tokens.sign(Tokens.claims("audited", "user-4711")
          .claim("name", "Dana Q.").build());
      a.send("{\"type\":\"join\",\"room\":\"audited\",\"token\":\"" + token + "\"}");
      a.expect("joined");
      Delivery joined = hooks.awaitAccepted(2, WAIT).get(1);
      assertEquals("peer.joined", joined.type());
      assertData(joined, "peerId", a.welcomePeerId(), "name", "Dana Q.", "identity", "user-4711");
    }
  }

  /** The next frame of {@code type}, past the room's events before it (at most 20). */
  static JsonObject skipTo(TestClient client, String type) {
    for (int i = 0; i < 20; i++) {
      JsonObject frame = client.next();
      if (type.equals(frame.getString("type"))) {
        return frame;
      }
    }
    throw new AssertionError("no " + type + " in 20 frames");
  }

  private static void assertData(Delivery delivery, String... pairs) {
    JsonObject data = delivery.data();
    for (int i = 0; i < pairs.length; i += 2) {
      assertNotNull(data.get(pairs[i]), pairs[i] + " in " + delivery.body());
      assertEquals(pairs[i + 1], data.getString(pairs[i]), pairs[i] + " in " + delivery.body());
    }
  }

  /** The webhooks counted sent, once it reaches {@code want} or {@code WAIT} has passed. */
  private static double awaitCounter(EmbeddedServer server, double want)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    double sent = NodeGauges.counter(server.node(), "signalbox_webhook_events", "outcome", "sent");
    while (sent < want && System.nanoTime() < deadline) {
      Thread.sleep(20); // a counter has no event to await
      sent = NodeGauges.counter(server.node(), "signalbox_webhook_events", "outcome", "sent");
    }
    return sent;
  }
}
