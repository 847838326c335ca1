package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;

/** Frame size, rate, flooding, stalled receivers, heartbeats and the connection cap. */
class LimitsTest {

  private static final Duration QUIET = Duration.ofMillis(300);

  /** A ping frame of exactly {@code bytes} UTF-8 bytes, padded with {@code pad} characters. */
  private static String pingOf(int bytes, String pad) {
    String head = "{\"type\":\"ping\",\"pad\":\"";
    String tail = "\"}";
    int room = bytes - head.length() - tail.length();
    int unit = pad.getBytes(StandardCharsets.UTF_8).length;
    String frame = head + pad.repeat(room / unit) + "x".repeat(room % unit) + tail;
    assertEquals(bytes, frame.getBytes(StandardCharsets.UTF_8).length);
    return frame;
  }

  private static TestClient[] room(EmbeddedServer server, String room, int size) {
    TestClient[] clients = new TestClient[size];
    for (int i = 0; i < size; i++) {
      clients[i] = TestClient.connect(server.uri());
      clients[i].join(room, "P" + i);
      for (int j = 0; j < i; j++) {
        clients[j].expect("peer-joined");
      }
    }
    return clients;
  }

  private static void closeAll(TestClient... clients) {
    for (TestClient c : clients) {
      c.close();
    }
  }

  @Test
  void maxMessageBytesCountsUtf8BytesAndClosesWith1009() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "1024"))) {
      TestClient[] c = room(server, "big", 2);
      try {
        c[0].send(pingOf(1024, "x"));
        c[0].expect("pong");
        c[0].send(pingOf(1023, "€"));
        c[0].expect("pong");
        // 1025 bytes in fewer than 1024 chars: only a byte count catches it.
        String multiByte = pingOf(1025, "€");
        assertTrue(multiByte.length() < 1024);
        c[0].send(multiByte);
        assertEquals(1009, c[0].awaitClose());
        JsonObject left = c[1].expect("peer-left");
        assertEquals("disconnected", left.getString("reason"));
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void aMessageOverTheLimitInSeveralFragmentsClosesWith1009() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "1024"))) {
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(server.uri(), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
              closed.complete(code);
              return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
              closed.complete(1006);
            }
          }).get(10, TimeUnit.SECONDS);
      ws.request(Long.MAX_VALUE);
      ws.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(600), false).get(10, TimeUnit.SECONDS);
      ws.sendText("x".repeat(600) + "\"}", true).get(10, TimeUnit.SECONDS);
      assertEquals(1009, closed.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aBinaryFrameClosesWith1003AndTheRoomSeesDisconnected() {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      TestClient[] c = room(server, "bin", 2);
      try {
        c[0].sendBinary(new byte[] {1, 2, 3});
        assertEquals(1003, c[0].awaitClose());
        assertEquals("disconnected", c[1].expect("peer-left").getString("reason"));
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void everyMessageOverTheRateIsAnsweredAndEveryOtherDelivered() {
    int burst = 20;
    int perSecond = 10;
    try (EmbeddedServer server = EmbeddedServer.start(
        Map.of("burst", Integer.toString(burst), "messagesPerSecond", Integer.toString(perSecond)))) {
      TestClient[] c = room(server, "rate", 2);
      try {
        long start = System.nanoTime();
        for (int id = 0; id < 100; id++) {
          c[0].send("{\"type\":\"message\",\"id\":" + id + ",\"to\":\"" + c[1].welcomePeerId()
              + "\",\"data\":" + id + "}");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Set<Integer> refused = new HashSet<>();
        Set<Integer> delivered = new HashSet<>();
        // Every id gets exactly one outcome: read until all 100 are accounted for.
        while (refused.size() + delivered.size() < 100) {
          JsonObject answer = c[0].poll();
          if (answer != null) {
            assertEquals("rate-limited", answer.getString("code"), answer.toString());
            assertTrue(refused.add(answer.getInt("ref")), "answered once");
            continue;
          }
          JsonObject relayed = c[1].poll();
          if (relayed != null) {
            assertTrue(delivered.add(relayed.getInt("data")), "delivered once");
            continue;
          }
          JsonObject next = c[0].next(Duration.ofSeconds(5));
          assertEquals("rate-limited", next.getString("code"), next.toString());
          assertTrue(refused.add(next.getInt("ref")));
        }
        Set<Integer> both = new HashSet<>(refused);
        both.retainAll(delivered);
        assertEquals(Set.of(), both, "never both delivered and refused");
        // The join took one token of the burst.
        assertTrue(delivered.size() >= burst - 1, "the full burst passes: " + delivered.size());
        assertTrue(delivered.size() <= burst + perSecond * elapsed + 2,
            "no more than the bucket allows: " + delivered.size() + " in " + elapsed + " s");
        c[0].expectNothing(QUIET);
        c[1].expectNothing(Duration.ZERO);
        assertFalse(c[0].isClosed(), "one burst over the rate never closes");
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void sustainedFloodingClosesWith1008() {
    try (EmbeddedServer server = EmbeddedServer.start(
        Map.of("burst", "5", "messagesPerSecond", "1", "outboundQueue", "10000"))) {
      TestClient[] c = room(server, "flood", 2);
      try {
        // The join took 1 of the 5 tokens: 4 pings pass; the next is dropped and answered.
        for (int i = 0; i < 4; i++) {
          c[0].send("{\"type\":\"ping\",\"id\":" + i + "}");
          c[0].expect("pong");
        }
        c[0].send("{\"type\":\"ping\",\"id\":\"first-drop\"}");
        assertEquals("first-drop", c[0].expectError("rate-limited").getString("ref"));
        assertFalse(c[0].isClosed(), "one drop is no flood");
        // 50 more drops make 51 within 10 s, more than 10 x burst: the flooder is cut off.
        for (int i = 0; i < 50; i++) {
          c[0].send("{\"type\":\"ping\",\"id\":" + i + "}");
        }
        // The room learns at once; the server closes the flooder's session.
        assertEquals("disconnected", c[1].expect("peer-left").getString("reason"));
        MembershipTest.awaitConnections(server, 1);
        // The 1008 close frame itself is checked on Jetty (RunCommandSettingsIT): here embedded
        // Tyrus closes the session, but the JDK client does not report that close frame.
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void aStalledReceiverIsClosedAndNeverSlowsTheOthers() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of(
        "outboundQueue", "64", "burst", "32", "messagesPerSecond", "100000"))) {
      TestClient[] c = room(server, "slow", 4);
      TestClient sender = c[0];
      TestClient stalled = c[1];
      TestClient p = c[2];
      TestClient q = c[3];
      try {
        stalled.stopReading();
        String pad = "x".repeat(32 * 1024);
        String to = stalled.welcomePeerId();
        JsonObject gone = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int sent = 0;
        // Flood until the server gives up on the stalled receiver; meanwhile the others talk.
        while (gone == null) {
          assertTrue(System.nanoTime() < deadline, "the stalled receiver was never closed");
          for (int i = 0; i < 16; i++, sent++) {
            sender.send("{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":\"" + pad + "\"}");
          }
          long t0 = System.nanoTime();
          p.send("{\"type\":\"message\",\"to\":\"" + q.welcomePeerId() + "\",\"data\":" + sent + "}");
          JsonObject got = q.next(Duration.ofSeconds(2));
          if (got.getString("type").equals("peer-left")) {
            gone = got;
            break;
          }
          assertEquals(sent, got.getInt("data"));
          assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "others unaffected");
          gone = p.poll();
        }
        assertEquals("peer-left", gone.getString("type"));
        assertEquals(to, gone.getString("peerId"));
        assertEquals("disconnected", gone.getString("reason"));
        // Relays to it are now refused, and the pair still works.
        sender.send("{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":1}");
        JsonObject answer;
        do {
          answer = sender.next();
        } while (!answer.getString("type").equals("error"));
        assertEquals("unknown-peer", answer.getString("code"));
        p.send("{\"type\":\"message\",\"to\":\"" + q.welcomePeerId() + "\",\"data\":-1}");
        JsonObject last;
        do {
          last = q.next(); // skips what the loop above left unread; each wait is bounded
        } while (!last.getString("type").equals("message") || last.getInt("data") != -1);
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void aReadingReceiverTakesAFullBurstFromAPeer() {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      TestClient[] c = room(server, "burst", 2);
      try {
        for (int seq = 0; seq < 500; seq++) {
          c[0].send("{\"type\":\"signal\",\"to\":\"" + c[1].welcomePeerId()
              + "\",\"data\":{\"candidate\":{\"candidate\":\"candidate:" + seq + " 1 udp 1 127.0.0.1 9 typ host\"},\"seq\":" + seq + "}}");
        }
        for (int seq = 0; seq < 500; seq++) {
          assertEquals(seq, c[1].expect("signal").getJsonObject("data").getInt("seq"));
        }
        assertNull(c[0].poll(), "no error for a legal burst");
        assertFalse(c[1].isClosed());
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void heartbeatsPingLiveClientsAndDropSilentOnesIntoTheGrace() {
    try (EmbeddedServer server =
        EmbeddedServer.start(Map.of("heartbeatMs", "200", "resumeGraceMs", "600"))) {
      TestClient[] c = room(server, "beat", 3);
      try {
        c[2].stopReading(); // answers no pings from now on
        long silentSince = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (c[0].pings() < 4) {
          assertTrue(System.nanoTime() < deadline, "pings every heartbeatMs");
          c[0].expectNothing(Duration.ofMillis(50));
        }
        // The silent one is lost after two intervals, then kept silently for the grace.
        JsonObject left = c[0].next(Duration.ofSeconds(5));
        long afterMs = (System.nanoTime() - silentSince) / 1_000_000;
        assertEquals("peer-left", left.getString("type"));
        assertEquals(c[2].welcomePeerId(), left.getString("peerId"));
        assertEquals("timeout", left.getString("reason"));
        assertTrue(afterMs >= 400 + 600 - 100, "two intervals plus the grace: " + afterMs + " ms");
        assertEquals("timeout", c[1].expect("peer-left").getString("reason"));
        assertFalse(c[0].isClosed(), "a client that answers pings stays");
        assertFalse(c[1].isClosed());
        c[0].send("{\"type\":\"ping\"}");
        c[0].expect("pong");
      } finally {
        closeAll(c);
      }
    }
  }

  @Test
  void pastMaxConnectionsASocketIsClosedWith1013() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxConnections", "2"));
        TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      CompletableFuture<String> firstText = new CompletableFuture<>();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(server.uri(), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              firstText.complete(data.toString());
              return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
              closed.complete(code);
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      ws.request(Long.MAX_VALUE);
      assertEquals(1013, closed.get(10, TimeUnit.SECONDS));
      assertFalse(firstText.isDone(), "no welcome for a refused connection");
      a.closeWith(1000);
      MembershipTest.awaitConnections(server, 1);
      try (TestClient c = TestClient.connect(server.uri())) {
        assertEquals(1, c.welcome().getInt("protocol"));
      }
    }
  }

  @Test
  void stoppingTheNodeClosesEverySocketWith1001() {
    EmbeddedServer server = EmbeddedServer.start();
    try (TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      a.join("room", "A");
      server.node().stop();
      assertEquals(1001, a.awaitClose());
      assertEquals(1001, b.awaitClose());
    } finally {
      server.close();
    }
  }
}
