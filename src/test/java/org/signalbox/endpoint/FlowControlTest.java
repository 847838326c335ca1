package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.signalbox.testing.DeployedChecks;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.RawSocket;
import org.signalbox.testing.TestClient;

/**
 * Flow control of PROTOCOL.md, "Limits in detail" and "Guarantees": the bounded outbound queue
 * that cuts off a stalled receiver without slowing anyone else, the token bucket that answers
 * every frame it drops, the flood guard's 1008, message size in UTF-8 bytes, and binary frames.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowControlTest {

  private static final Duration QUIET = Duration.ofMillis(200);

  // ---------------------------------------------------------------------------------------------
  // Outbound queue

  @ParameterizedTest
  @EnumSource(Binding.class)
  void stalledReceiverIsClosedAndLeavesAsDisconnectedWhileOthersKeepTalking(Binding binding) throws Exception {
    // burst is small so that the queue (2 x burst) fills after a few frames that cannot be
    // written; the rate is high so that the sender's flood is never the one refused.
    try (EmbeddedServer server = EmbeddedServer.start(Map.of(
        "outboundQueue", "64", "burst", "32", "messagesPerSecond", "100000"))) {
      TestClient[] c = TestClient.room(server.uri(binding), "stall", 4);
      TestClient sender = c[0];
      TestClient stalled = c[1];
      TestClient p = c[2];
      TestClient q = c[3];
      String stalledId = stalled.welcomePeerId();
      ExecutorService pairThread = Executors.newSingleThreadExecutor();
      try {
        stalled.stopReading();
        AtomicBoolean stop = new AtomicBoolean();
        Future<PairStats> pair = pairThread.submit(() -> pingPong(p, q, stalledId, stop));

        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(15).toNanos();
        String big = "{\"type\":\"message\",\"to\":\"" + stalledId + "\",\"data\":\""
            + "x".repeat(8 * 1024) + "\"}";
        JsonObject left = null;
        int sent = 0;
        int refused = 0;
        // Relays offered while the server is closing the stalled peer may be answered
        // unknown-peer; anything else, or no peer-left in time, fails.
        while (left == null) {
          assertTrue(System.nanoTime() < deadline,
              "the stalled receiver was not closed after " + sent + " frames of 8 KB");
          if (pair.isDone()) {
            outcome(pair); // the pair failed while the flood went on: report that
          }
          try {
            sender.send(big);
          } catch (CompletionException e) {
            throw new AssertionError("the server stopped reading the sender after " + sent
                + " frames: it blocks on the stalled socket", e);
          }
          sent++;
          JsonObject f;
          while (left == null && (f = sender.poll()) != null) {
            if (f.getString("type").equals("peer-left")) {
              left = f;
            } else {
              assertEquals("unknown-peer", f.getString("code", ""), f.toString());
              refused++;
            }
          }
        }
        Duration toClose = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(stalledId, left.getString("peerId"));
        assertEquals("disconnected", left.getString("reason"), "a server-started close");

        stop.set(true);
        PairStats stats = outcome(pair);
        System.out.printf("stalled receiver: cut off after %d frames of 8 KB (%d refused) in %d ms;"
            + " meanwhile %d round trips, slowest %d ms%n", sent, refused, toClose.toMillis(),
            stats.roundTrips, stats.slowestNanos / 1_000_000);
        assertTrue(stats.roundTrips > 0, "the other pair talked during the flood");
        assertTrue(stats.slowestNanos < Duration.ofSeconds(1).toNanos(),
            "a stalled receiver never slows other peers: slowest round trip "
                + stats.slowestNanos / 1_000_000 + " ms");
        // The third peers see the same departure, whenever it came during their talk.
        for (TestClient witness : new TestClient[] {p, q}) {
          JsonObject seen = stats.leftSeen.get(witness);
          if (seen == null) {
            seen = witness.expect("peer-left");
          }
          assertEquals(stalledId, seen.getString("peerId"));
          assertEquals("disconnected", seen.getString("reason"));
        }

        // Gone from the room: a relay to it is refused, and the sender is served at once.
        sender.send("{\"type\":\"message\",\"id\":\"late\",\"to\":\"" + stalledId
            + "\",\"data\":1}");
        JsonObject late = nextWithRef(sender, "late");
        assertEquals("unknown-peer", late.getString("code"), late.toString());
        sender.send("{\"type\":\"ping\",\"id\":\"after\"}");
        assertEquals("pong", nextWithRef(sender, "after").getString("type"));
        // The server let go of the socket too, although the client never read the close frame.
        awaitConnections(server, 3, Duration.ofSeconds(10));
        assertFalse(sender.isClosed() || p.isClosed() || q.isClosed(), "only the stalled one");
      } finally {
        pairThread.shutdownNow();
        TestClient.closeAll(c);
      }
    }
  }

  @Test
  void stalledReceiverThatWakesUpReadsWhatWasWrittenInOrderAndThenClose1008() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of(
        "outboundQueue", "64", "burst", "32", "messagesPerSecond", "100000"));
        RawSocket stalled = RawSocket.open(server.uri());
        TestClient sender = TestClient.connect(server.uri())) {
      stalled.send("{\"type\":\"join\",\"room\":\"wake\",\"name\":\"stalled\"}");
      assertEquals("joined", stalled.nextText().getString("type"));
      stalled.pause();
      sender.join("wake", "sender");
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      String pad = "x".repeat(8 * 1024);
      JsonObject left = null;
      for (int seq = 0; left == null; seq++) {
        assertTrue(System.nanoTime() < deadline, "not cut off after " + seq + " frames");
        sender.send("{\"type\":\"message\",\"to\":\"" + stalled.peerId()
            + "\",\"data\":{\"seq\":" + seq + ",\"pad\":\"" + pad + "\"}}");
        JsonObject f;
        while (left == null && (f = sender.poll()) != null) {
          if (f.getString("type").equals("peer-left")) {
            left = f;
          }
        }
      }
      assertEquals("disconnected", left.getString("reason"));
      // Awake again (before the server gives up waiting for its write in flight, 2 s), the
      // client finds the frames the network took, in order and without a gap, then the close
      // that PROTOCOL.md names for an outbound queue overflow.
      stalled.resume();
      assertEquals("peer-joined", stalled.nextText().getString("type"));
      int seq = 0;
      Object event;
      while (!((event = stalled.next()) instanceof Integer)) {
        JsonObject frame = (JsonObject) event;
        assertEquals(seq++, frame.getJsonObject("data").getInt("seq"), "a prefix, in order");
      }
      assertTrue(seq > 0, "the network held some of the flood");
      assertEquals(1008, event, "closed for outbound queue overflow");
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void readingReceiverTakesAFullBurstOfAPeerWithDefaultSettings(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      TestClient[] c = TestClient.room(server.uri(binding), "burst", 2);
      TestClient sender = c[0];
      TestClient receiver = c[1];
      try {
        // The join took one token of the full bucket (500): 499 relays spend the rest, like a
        // peer joining a full room with an offer and a volley of candidates for everyone.
        int relays = 499;
        String to = receiver.welcomePeerId();
        sender.send("{\"type\":\"signal\",\"to\":\"" + to + "\",\"data\":{\"seq\":0,"
            + "\"description\":{\"type\":\"offer\",\"sdp\":\"" + "a=x\\r\\n".repeat(800) + "\"}}}");
        for (int seq = 1; seq < relays; seq++) {
          sender.send("{\"type\":\"signal\",\"to\":\"" + to + "\",\"data\":{\"seq\":" + seq
              + ",\"candidate\":{\"candidate\":\"candidate:" + seq
              + " 1 udp 2122260223 192.0.2.1 " + (50000 + seq) + " typ host\",\"sdpMid\":\"0\","
              + "\"sdpMLineIndex\":0}}}");
        }
        for (int seq = 0; seq < relays; seq++) {
          JsonObject got = receiver.expect("signal");
          assertEquals(seq, got.getJsonObject("data").getInt("seq"));
        }
        assertFlushed(receiver, "receiver");
        assertFlushedAllowingRateLimit(sender, "sender");
        assertFalse(receiver.isClosed(), "a reading receiver is never cut off by a legal burst");
        assertFalse(sender.isClosed());
      } finally {
        TestClient.closeAll(c);
      }
    }
  }

  @Test
  void receiverThatFallsBehindIsNotCutOffByAFullBurstOfSdpSizedFrames() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start();
        RawSocket receiver = RawSocket.open(server.uri());
        TestClient sender = TestClient.connect(server.uri())) {
      receiver.send("{\"type\":\"join\",\"room\":\"behind\",\"name\":\"receiver\"}");
      assertEquals("joined", receiver.nextText().getString("type"));
      // A busy tab: it reads nothing for a while, then catches up. Meanwhile the kernel buffers
      // fill and the rest waits in the server's queue, which must hold a whole burst of frames
      // the size of a video call's SDP (6 KB: 3 MB in all, within the default outboundBytes).
      receiver.pause();
      sender.join("behind", "sender");
      String to = receiver.peerId();
      String pad = "x".repeat(6_000);
      int relays = 499; // with the join, the whole default burst
      for (int seq = 0; seq < relays; seq++) {
        sender.send("{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":{\"seq\":" + seq
            + ",\"pad\":\"" + pad + "\"}}");
      }
      // Answered only after the server handled every relay before it: all are queued now.
      assertFlushedAllowingRateLimit(sender, "sender");
      receiver.resume();
      assertEquals("peer-joined", receiver.nextText().getString("type"));
      for (int seq = 0; seq < relays; seq++) {
        JsonObject got = receiver.nextText();
        assertEquals(seq, got.getJsonObject("data").getInt("seq"), "order after catching up");
      }
      receiver.send("{\"type\":\"ping\",\"id\":\"flush\"}");
      assertEquals("pong", receiver.nextText().getString("type"), "still open, nothing else sent");
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void signalsAndMessagesFromOnePeerArriveInTheOrderSent(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      TestClient[] c = TestClient.room(server.uri(binding), "order", 3);
      TestClient a = c[0];
      TestClient b = c[1];
      TestClient third = c[2];
      try {
        String to = b.welcomePeerId();
        // 400 signals with a message after every fourth: 499 frames, with the join exactly the
        // default burst, so the rate limit refuses none of them.
        int frames = 499;
        List<String> kinds = new ArrayList<>();
        for (int seq = 0; seq < frames; seq++) {
          String kind = seq % 5 != 4 ? "signal" : seq % 10 == 4 ? "direct" : "broadcast";
          kinds.add(kind);
          String data = "{\"seq\":" + seq + "}";
          a.send(switch (kind) {
            case "signal" -> "{\"type\":\"signal\",\"to\":\"" + to + "\",\"data\":" + data + "}";
            case "direct" -> "{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":" + data + "}";
            default -> "{\"type\":\"message\",\"data\":" + data + "}";
          });
        }
        assertEquals(400, kinds.stream().filter("signal"::equals).count());
        for (int seq = 0; seq < frames; seq++) {
          JsonObject got = b.next();
          String kind = kinds.get(seq);
          assertEquals(kind.equals("signal") ? "signal" : "message", got.getString("type"),
              got.toString());
          assertEquals(seq, got.getJsonObject("data").getInt("seq"), "order from one peer");
          assertEquals(a.welcomePeerId(), got.getString("from"));
          assertEquals(kind.equals("direct"), got.containsKey("to"), got.toString());
        }
        // The bystander gets exactly the broadcasts, in the same order.
        for (int seq = 0; seq < frames; seq++) {
          if (kinds.get(seq).equals("broadcast")) {
            assertEquals(seq, third.expect("message").getJsonObject("data").getInt("seq"));
          }
        }
        assertFlushed(b, "b");
        assertFlushed(third, "third");
        assertFlushedAllowingRateLimit(a, "a");
      } finally {
        TestClient.closeAll(c);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rate limit

  @ParameterizedTest
  @EnumSource(Binding.class)
  void everyFrameOverTheRateIsAnsweredRateLimitedAndEveryOtherIsDelivered(Binding binding) {
    int burst = 20;
    int perSecond = 10;
    int frames = 100;
    try (EmbeddedServer server = EmbeddedServer.start(Map.of(
        "burst", Integer.toString(burst), "messagesPerSecond", Integer.toString(perSecond)))) {
      TestClient receiver = TestClient.connect(server.uri(binding));
      TestClient sender = TestClient.connect(server.uri(binding));
      try {
        receiver.join("rate", "receiver");
        long joinedAt = System.nanoTime();
        sender.join("rate", "sender");
        receiver.expect("peer-joined");
        String to = receiver.welcomePeerId();
        for (int id = 0; id < frames; id++) {
          sender.send("{\"type\":\"message\",\"id\":" + id + ",\"to\":\"" + to + "\",\"data\":"
              + id + "}");
        }
        // Answers come in the order of the frames they answer, so the flush's answer (a pong,
        // or rate-limited itself) comes after every answer to the flood.
        sender.send("{\"type\":\"ping\",\"id\":\"flush\"}");
        List<Integer> refused = new ArrayList<>();
        for (JsonObject f = sender.next(); !"flush".equals(refString(f)); f = sender.next()) {
          JsonObject answer = f;
          assertEquals("rate-limited", answer.getString("code", ""), answer::toString);
          refused.add(answer.getInt("ref"));
        }
        double seconds = (System.nanoTime() - joinedAt) / 1e9;
        // The receiver's own ping is answered after every relay queued for it before.
        receiver.send("{\"type\":\"ping\",\"id\":\"flush\"}");
        List<Integer> delivered = new ArrayList<>();
        for (JsonObject f = receiver.next(); !"flush".equals(refString(f)); f = receiver.next()) {
          JsonObject relayed = f;
          assertEquals("message", relayed.getString("type"), relayed::toString);
          delivered.add(relayed.getInt("data"));
        }

        List<Integer> outcomes = new ArrayList<>(refused);
        outcomes.addAll(delivered);
        outcomes.sort(null);
        List<Integer> everyId = new ArrayList<>();
        for (int id = 0; id < frames; id++) {
          everyId.add(id);
        }
        assertEquals(everyId, outcomes, "each id delivered or refused, exactly once");
        assertEquals(sorted(delivered), delivered, "deliveries in the order sent");
        assertEquals(sorted(refused), refused, "answers in the order sent");
        // The bucket starts full; the sender's join spent one token of it.
        assertTrue(delivered.size() >= burst - 1, "a whole burst passes: " + delivered.size());
        assertTrue(delivered.size() <= burst + perSecond * seconds + 1,
            "no more than the bucket allows: " + delivered.size() + " in " + seconds + " s");
        sender.expectNothing(QUIET);
        assertFalse(sender.isClosed(), "one burst over the rate never closes");
        assertFalse(receiver.isClosed());
        receiver.expectNothing(Duration.ZERO);
      } finally {
        TestClient.closeAll(sender, receiver);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void malformedFramesPingsAndJoinsEachSpendATokenToo(Binding binding) {
    // A bucket of 4 that refills once in 10 s: the order of the answers shows what each cost.
    try (EmbeddedServer server = EmbeddedServer.start(Map.of(
        "burst", "4", "messagesPerSecond", "1"))) {
      TestClient client = TestClient.connect(server.uri(binding));
      try {
        client.join("tokens", "client");
        // Back to back, so that no token comes back in between.
        client.send("{\"type\":\"no-such-type\",\"id\":1}");
        // Over HTTP no frame can be no JSON (the body would be 400): one without a valid id.
        client.send(binding == Binding.WEBSOCKET ? "not json at all" : "{\"id\":[]}");
        client.send("{\"type\":\"ping\",\"id\":2}");
        client.send("{\"type\":\"ping\",\"id\":3}");
        assertEquals(1, client.expectError("bad-message").getInt("ref"));
        client.expectError("bad-message");
        assertEquals(2, client.expect("pong").getInt("ref"));
        // The join, two malformed frames and a ping spent the whole bucket.
        assertEquals(3, client.expectError("rate-limited").getInt("ref"));
        assertFalse(client.isClosed());
      } finally {
        client.close();
      }
    }
  }

  @Test
  void sustainedFloodingIsClosedWith1008OnlyAfterTenBurstsWereDropped() throws Exception {
    int burst = 5;
    // The answers to the dropped frames must not overflow the flooder's own queue first.
    try (EmbeddedServer server = EmbeddedServer.start(
        Map.of("burst", Integer.toString(burst), "messagesPerSecond", "1",
            "outboundQueue", "10000"));
        TestClient witness = TestClient.connect(server.uri());
        RawSocket flooder = RawSocket.open(server.uri())) {
      witness.join("flood", "witness");
      flooder.send("{\"type\":\"join\",\"room\":\"flood\",\"name\":\"flooder\"}");
      assertEquals("joined", flooder.nextText().getString("type"));
      witness.expect("peer-joined");
      // One frame at a time, each answered before the next: the count of frames the server saw
      // before it closed is then exact, not blurred by frames still in flight.
      int passed = 0;
      int dropped = 0;
      int closeCode = -1;
      for (int id = 0; id < 12 * burst && closeCode < 0; id++) {
        if (!flooder.trySend("{\"type\":\"ping\",\"id\":" + id + "}")) {
          closeCode = flooder.awaitClose();
          break;
        }
        Object event = flooder.next();
        if (event instanceof Integer code) {
          closeCode = code;
          break;
        }
        JsonObject answer = (JsonObject) event;
        assertEquals(id, answer.getInt("ref"), answer.toString());
        if (answer.getString("type").equals("pong")) {
          passed++;
        } else {
          assertEquals("rate-limited", answer.getString("code"), answer.toString());
          dropped++;
          assertTrue(passed <= burst, "the bucket never held more than a burst");
        }
      }
      assertEquals(1008, closeCode, "sustained flooding closes with 1008; dropped " + dropped);
      // Only more than 10 x burst drops within 10 s may close, and each drop is answered first.
      assertTrue(dropped > 10 * burst, "closed after only " + dropped + " drops");
      JsonObject left = witness.expect("peer-left");
      assertEquals(flooder.peerId(), left.getString("peerId"));
      assertEquals("disconnected", left.getString("reason"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Message size

  @ParameterizedTest
  @EnumSource(Binding.class)
  void aFrameOfExactlyMaxMessageBytesIsAcceptedInAsciiAndInMultiByteText(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "1024"));
        TestClient client = TestClient.connect(server.uri(binding))) {
      for (String pad : new String[] {"x", "é", "€", "😀"}) {
        client.send(pingOf(1024, pad));
        assertEquals("pong", client.next().getString("type"), "1024 bytes padded with " + pad);
      }
      assertFalse(client.isClosed());
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void aFrameOneByteOverMaxMessageBytesClosesWith1009AndTheRoomSeesDisconnected(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "1024"))) {
      TestClient[] c = TestClient.room(server.uri(binding), "big", 2);
      try {
        c[0].send(pingOf(1025, "x"));
        assertEquals(1009, closeCodeOf(c[0]));
        assertDisconnected(c[1], c[0].welcomePeerId());
      } finally {
        TestClient.closeAll(c);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void messagesUpToMaxMessageBytesArriveWholeInOneFrameOrInFragments(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      DeployedChecks.messagesUpToMaxMessageBytesArriveWhole(server.uri(binding), null);
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void fewerCharsThanMaxMessageBytesButMoreUtf8BytesClosesWith1009(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "1024"))) {
      for (String pad : new String[] {"é", "€"}) {
        TestClient[] c = TestClient.room(server.uri(binding), "wide", 2);
        try {
          String frame = pingOf(1025, pad);
          assertTrue(frame.length() < 1024, "only a byte count catches it");
          c[0].send(frame);
          assertEquals(1009, closeCodeOf(c[0]), "1025 bytes padded with " + pad);
          assertDisconnected(c[1], c[0].welcomePeerId());
        } finally {
          TestClient.closeAll(c);
        }
      }
    }
  }

  @Test
  void fragmentsAreCountedAsOneMessageAgainstMaxMessageBytes() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "1024"));
        TestClient witness = TestClient.connect(server.uri());
        RawSocket fragmented = RawSocket.open(server.uri())) {
      witness.join("frag", "witness");
      fragmented.send("{\"type\":\"join\",\"room\":\"frag\",\"name\":\"fragmented\"}");
      assertEquals("joined", fragmented.nextText().getString("type"));
      witness.expect("peer-joined");
      // Fragments are no offence in themselves: 1024 bytes in three parts pass.
      String whole = pingOf(1024, "x");
      fragmented.sendPart(whole.substring(0, 400), false);
      fragmented.sendPart(whole.substring(400, 800), false);
      fragmented.sendPart(whole.substring(800), true);
      assertEquals("pong", fragmented.nextText().getString("type"));
      // Every part is far below the limit; only the whole message is over it.
      String over = pingOf(1500, "x");
      fragmented.sendPart(over.substring(0, 500), false);
      fragmented.sendPart(over.substring(500, 1000), false);
      fragmented.trySendPart(over.substring(1000), true);
      assertEquals(1009, fragmented.awaitClose());
      assertDisconnected(witness, fragmented.peerId());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Binary frames

  @Test
  void aBinaryFrameClosesWith1003AndTheRoomSeesDisconnected() {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      TestClient[] c = TestClient.room(server.uri(), "binary", 2);
      try {
        c[0].sendBinary("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(1003, closeCodeOf(c[0]));
        assertDisconnected(c[1], c[0].welcomePeerId());
      } finally {
        TestClient.closeAll(c);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Round trips between two peers and what they saw of a third one leaving. */
  private static final class PairStats {
    int roundTrips;
    long slowestNanos;
    final Map<TestClient, JsonObject> leftSeen = new HashMap<>();
  }

  /**
   * p sends to q, q answers p, until {@code stop}: the round trips of two peers that share a room
   * with a stalled one. Each wait is 2 s, so a server blocked on the stalled socket fails fast.
   */
  private static PairStats pingPong(
      TestClient p, TestClient q, String leaving, AtomicBoolean stop) {
    PairStats stats = new PairStats();
    Duration wait = Duration.ofSeconds(2);
    while (!stop.get()) {
      int n = stats.roundTrips;
      long t0 = System.nanoTime();
      p.send("{\"type\":\"message\",\"to\":\"" + q.welcomePeerId() + "\",\"data\":" + n + "}");
      JsonObject there = nextRelay(q, wait, leaving, stats);
      assertEquals(n, there.getInt("data"));
      q.send("{\"type\":\"message\",\"to\":\"" + p.welcomePeerId() + "\",\"data\":" + n + "}");
      JsonObject back = nextRelay(p, wait, leaving, stats);
      assertEquals(n, back.getInt("data"));
      stats.slowestNanos = Math.max(stats.slowestNanos, System.nanoTime() - t0);
      stats.roundTrips++;
    }
    return stats;
  }

  /** The next relay to {@code client}, noting a peer-left of {@code leaving} on the way. */
  private static JsonObject nextRelay(TestClient client, Duration wait, String leaving,
      PairStats stats) {
    while (true) {
      JsonObject f = client.next(wait);
      if (!f.getString("type").equals("peer-left")) {
        assertEquals("message", f.getString("type"), f.toString());
        return f;
      }
      assertEquals(leaving, f.getString("peerId"), f.toString());
      stats.leftSeen.put(client, f);
    }
  }

  /** The pair's result within 10 s, its own assertion failure rethrown as it was. */
  private static PairStats outcome(Future<PairStats> pair) throws Exception {
    try {
      return pair.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError failure) {
        throw new AssertionError("the other pair: " + failure.getMessage(), failure);
      }
      throw e;
    }
  }

  /** Connects {@code size} clients into {@code room}, each having read every join event. */
  /** A ping of exactly {@code bytes} UTF-8 bytes, padded with {@code pad} in an unknown field. */
  private static String pingOf(int bytes, String pad) {
    String head = "{\"type\":\"ping\",\"pad\":\"";
    String tail = "\"}";
    int room = bytes - head.length() - tail.length();
    int unit = pad.getBytes(StandardCharsets.UTF_8).length;
    String frame = head + pad.repeat(room / unit) + "x".repeat(room % unit) + tail;
    assertEquals(bytes, frame.getBytes(StandardCharsets.UTF_8).length);
    return frame;
  }

  /** The close code the server sent, failing clearly when it sent none within the wait. */
  private static int closeCodeOf(TestClient client) {
    try {
      return client.awaitClose();
    } catch (CompletionException e) {
      throw new AssertionError("the server did not close the connection within "
          + TestClient.WAIT, e);
    }
  }

  private static void assertDisconnected(TestClient witness, String peerId) {
    JsonObject left = witness.expect("peer-left");
    assertEquals(peerId, left.getString("peerId"));
    assertEquals("disconnected", left.getString("reason"), "a server-started close");
  }

  /** Proves nothing is queued for {@code client}: the answer to a ping is its next frame. */
  private static void assertFlushed(TestClient client, String who) {
    client.send("{\"type\":\"ping\",\"id\":\"flush\"}");
    JsonObject f = client.next();
    assertEquals("pong", f.getString("type"), () -> who + " got " + f);
    assertEquals("flush", f.getString("ref"));
  }

  /**
   * Like {@link #assertFlushed} for a client that just spent its whole bucket: the flush ping may
   * itself be refused, and that answer is as good a marker.
   */
  private static void assertFlushedAllowingRateLimit(TestClient client, String who) {
    client.send("{\"type\":\"ping\",\"id\":\"flush\"}");
    JsonObject f = client.next();
    assertEquals("flush", refString(f), () -> who + " got " + f + " before the flush's answer");
    assertTrue(f.getString("type").equals("pong")
        || f.getString("code", "").equals("rate-limited"), f::toString);
  }

  private static JsonObject nextWithRef(TestClient client, String ref) {
    while (true) {
      JsonObject f = client.next();
      if (ref.equals(refString(f))) {
        return f;
      }
      assertEquals("unknown-peer", f.getString("code", ""), () -> "unexpected " + f);
    }
  }

  private static String refString(JsonObject frame) {
    return frame.get("ref") instanceof JsonString s ? s.getString() : null;
  }

  private static List<Integer> sorted(List<Integer> list) {
    List<Integer> copy = new ArrayList<>(list);
    copy.sort(null);
    return copy;
  }

  private static void awaitConnections(EmbeddedServer server, int count, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    // The server's count has no change notification; polling it is the only way to wait.
    while (server.node().connectionCount() != count) {
      assertTrue(System.nanoTime() < deadline, "connections: "
          + server.node().connectionCount() + ", want " + count);
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
