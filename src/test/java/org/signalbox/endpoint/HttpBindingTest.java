package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.signalbox.it.CutProxy;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.HttpLine;
import org.signalbox.testing.RawHttpSession;
import org.signalbox.testing.TestClient;

/**
 * What only the HTTP binding has (PROTOCOL.md, HTTP binding): sessions, numbered frames and
 * acknowledgements, its statuses and checks, and WebSocket and HTTP peers in one room. The
 * protocol itself over HTTP is tested by the endpoint scenarios, which run over both bindings.
 */
class HttpBindingTest {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(TestClient.WAIT).build();

  private static String signal(String to, int seq) {
    return "{\"type\":\"signal\",\"to\":\"" + to + "\",\"data\":{\"seq\":" + seq + "}}";
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(TestClient.WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return HttpLine.parse(response.body());
  }

  @Test
  void aLostPollAnswerComesAgainForTheSameAckAndAnAckDropsWhatItConfirms() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("pollMs", "500"))) {
      URI base = server.uri(Binding.HTTP);
      JsonObject opened = json(send(HttpRequest.newBuilder(base).POST(
          HttpRequest.BodyPublishers.noBody())));
      String session = opened.getString("session");
      assertTrue(session.length() >= 22, "128 random bits or more: " + session);
      assertEquals(500, opened.getInt("pollMs"));
      assertEquals("welcome", opened.getJsonArray("frames").getJsonObject(0).getString("type"));
      URI at = URI.create(base + "/" + session);
      assertEquals(204, send(HttpRequest.newBuilder(at).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "[{\"type\":\"join\",\"room\":\"r\"},{\"type\":\"ping\",\"id\":1}]"))).statusCode());
      JsonObject first = json(send(HttpRequest.newBuilder(URI.create(at + "?ack=1")).GET()));
      assertEquals(3, first.getInt("seq"));
      assertEquals(List.of("joined", "pong"), RawHttpSession.types(first));
      // The answer was "lost": the same ack gets the same frames.
      JsonObject again = json(send(HttpRequest.newBuilder(URI.create(at + "?ack=1")).GET()));
      assertEquals(first, again);
      // Acknowledged, they are gone; with nothing new, the poll waits pollMs and answers empty.
      long started = System.nanoTime();
      JsonObject empty = json(send(HttpRequest.newBuilder(URI.create(at + "?ack=3")).GET()));
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(List.of(), RawHttpSession.types(empty));
      assertEquals(3, empty.getInt("seq"));
      assertTrue(waitedMs >= 450 && waitedMs < 5_000, "waited " + waitedMs + " ms");
    }
  }

  @Test
  void aSecondPollEndsTheFirstWithAnEmptyAnswer() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("pollMs", "20000"))) {
      URI base = server.uri(Binding.HTTP);
      JsonObject opened = json(send(HttpRequest.newBuilder(base)
          .POST(HttpRequest.BodyPublishers.noBody())));
      URI at = URI.create(base + "/" + opened.getString("session"));
      HttpRequest poll = HttpRequest.newBuilder(URI.create(at + "?ack=1"))
          .timeout(TestClient.WAIT).GET().build();
      var first = HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString());
      // It waits, with nothing to send, until the second one arrives.
      assertThrows(TimeoutException.class, () -> first.get(300, TimeUnit.MILLISECONDS));
      var second = HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString());
      JsonObject replaced = json(first.get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(List.of(), RawHttpSession.types(replaced));
      assertEquals(1, replaced.getInt("seq"));
      send(HttpRequest.newBuilder(at).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("[{\"type\":\"ping\",\"id\":7}]")));
      JsonObject answered = json(second.get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(List.of("pong"), RawHttpSession.types(answered));
      assertEquals(2, answered.getInt("seq"));
    }
  }

  @Test
  void everyBadRequestGetsItsStatusAndChangesNothing() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of(
            "allowedOrigins", "https://portal.example", "pollMs", "20000"))) {
      URI base = server.uri(Binding.HTTP);
      String origin = "https://portal.example";
      // Opening: the origin rule of the handshake.
      assertEquals(403, send(HttpRequest.newBuilder(base)
          .POST(HttpRequest.BodyPublishers.noBody())).statusCode(), "no Origin");
      assertEquals(403, send(HttpRequest.newBuilder(base).header("Origin", "https://evil.example")
          .POST(HttpRequest.BodyPublishers.noBody())).statusCode(), "a foreign Origin");
      try (TestClient c = TestClient.connect(base, origin)) {
        c.join("r", "C");
        URI at = URI.create(base + "/" + c.http().session());
        String frame = "[{\"type\":\"ping\",\"id\":\"x\"}]";
        // A cross-site form cannot send JSON, and a page of another site is refused.
        assertEquals(415, send(HttpRequest.newBuilder(at).header("Origin", origin)
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(frame))).statusCode());
        assertEquals(415, send(HttpRequest.newBuilder(at).header("Origin", origin)
            .POST(HttpRequest.BodyPublishers.ofString(frame))).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(at).header("Origin", "https://evil.example")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(frame))).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(at)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(frame))).statusCode(), "no Origin");
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(at + "?ack=0"))
            .header("Origin", "https://evil.example").GET()).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(at).header("Origin", "https://evil.example")
            .DELETE()).statusCode());
        assertEquals(400, send(HttpRequest.newBuilder(URI.create(at + "?ack=x"))
            .GET()).statusCode());
        assertEquals(400, c.http().post("{\"type\":\"ping\"}"), "an object, not an array");
        // Nothing of that was handled, and the session is still there.
        c.expectNothing(Duration.ofMillis(200));
        c.send("{\"type\":\"ping\",\"id\":\"alive\"}");
        assertEquals("alive", c.expect("pong").getString("ref"));
        // Unknown sessions: 404 with the error the client acts on.
        URI unknown = URI.create(base + "/AAAAAAAAAAAAAAAAAAAAAAAA");
        for (HttpRequest.Builder request : List.of(
            HttpRequest.newBuilder(URI.create(unknown + "?ack=0")).GET(),
            HttpRequest.newBuilder(unknown).header("Origin", origin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(frame)),
            HttpRequest.newBuilder(unknown).header("Origin", origin).DELETE())) {
          HttpResponse<String> answer = send(request);
          assertEquals(404, answer.statusCode());
          assertEquals("unknown-session", json(answer).getString("error"));
        }
      }
    }
  }

  @Test
  void sessionsCountAgainstTheConnectionsOfAnAddress() throws Exception {
    // (Embedded Tyrus tells no client address of a socket; on servers sockets and sessions count
    // together, which DeployedChecks and HandshakeLimitsIT see for sockets.)
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxConnectionsPerAddress", "2"));
        TestClient holding = TestClient.connect(server.uri(Binding.HTTP));
        TestClient session = TestClient.connect(server.uri(Binding.HTTP))) {
      HttpResponse<String> third = send(HttpRequest.newBuilder(server.uri(Binding.HTTP))
          .POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(429, third.statusCode());
      session.closeWith(1000);
      MembershipTest.awaitConnections(server, 1);
      try (TestClient again = TestClient.connect(server.uri(Binding.HTTP))) {
        assertEquals("welcome", again.welcome().getString("type"), "a slot was given back");
      }
    }
  }

  @Test
  void aServerEndIsTheLastFrameOfAPollAndThenTheSessionIs404() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxMessageBytes", "256"));
        TestClient a = TestClient.connect(server.uri(Binding.WEBSOCKET));
        TestClient c = TestClient.connect(server.uri(Binding.HTTP))) {
      a.join("r", "A");
      c.join("r", "C");
      a.expect("peer-joined");
      String session = c.http().session();
      assertEquals(413, c.http().post("[{\"type\":\"ping\",\"pad\":\"" + "x".repeat(300) + "\"}]"));
      assertEquals(1009, c.awaitClose());
      assertEquals("disconnected", a.expect("peer-left").getString("reason"));
      HttpResponse<String> after = send(HttpRequest.newBuilder(
          URI.create(server.uri(Binding.HTTP) + "/" + session + "?ack=" + c.http().seq())).GET());
      assertEquals(404, after.statusCode());
    }
  }

  @Test
  void deleteIsTheClientsCloseAndTheRoomSeesLeft() {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient a = TestClient.connect(server.uri(Binding.WEBSOCKET));
        TestClient c = TestClient.connect(server.uri(Binding.HTTP))) {
      a.join("r", "A");
      c.join("r", "C");
      a.expect("peer-joined");
      c.closeWith(1000);
      assertEquals("left", a.expect("peer-left").getString("reason"));
      MembershipTest.awaitConnections(server, 1);
    }
  }

  @Test
  void webSocketAndHttpPeersShareARoomRelayBothWaysAndSeeOneEventOrder() {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient ws = TestClient.connect(server.uri(Binding.WEBSOCKET));
        TestClient http = TestClient.connect(server.uri(Binding.HTTP))) {
      ws.join("mixed", "W");
      http.join("mixed", "H");
      assertEquals("H", ws.expect("peer-joined").getJsonObject("peer").getString("name"));
      for (int i = 0; i < 50; i++) {
        ws.send(signal(http.welcomePeerId(), i));
        http.send(signal(ws.welcomePeerId(), i));
      }
      for (int i = 0; i < 50; i++) {
        assertEquals(i, http.expect("signal").getJsonObject("data").getInt("seq"));
        assertEquals(i, ws.expect("signal").getJsonObject("data").getInt("seq"));
      }
      ws.send("{\"type\":\"message\",\"data\":\"to all\"}");
      assertEquals("to all", http.expect("message").getString("data"));
      // Joins and leaves of others arrive in one order on both bindings.
      List<String> wsOrder = new ArrayList<>();
      List<String> httpOrder = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        try (TestClient t = TestClient.connect(server.uri(i % 2 == 0 ? Binding.HTTP
            : Binding.WEBSOCKET))) {
          t.join("mixed", "T" + i);
          t.closeWith(1000);
        }
      }
      for (int i = 0; i < 6; i++) {
        JsonObject w = ws.next();
        JsonObject h = http.next();
        wsOrder.add(w.getString("type") + " " + peerOf(w));
        httpOrder.add(h.getString("type") + " " + peerOf(h));
      }
      assertEquals(wsOrder, httpOrder);
      MembershipTest.awaitConnections(server, 2);
      assertEquals(Map.of("websocket", 1.0, "http", 1.0), Map.of(
          "websocket", server.node().metrics().connectionsOver("websocket"),
          "http", server.node().metrics().connectionsOver("http")));
    }
  }

  /**
   * The network drops poll answers (the proxy resets every connection again and again while
   * relays flow): every relay still arrives exactly once, in order.
   */
  @Test
  void pollAnswersLostOnTheNetworkAreSentAgainNothingLostNothingTwice() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("pollMs", "2000"));
        TestClient sender = TestClient.connect(server.uri(Binding.WEBSOCKET))) {
      URI direct = server.uri(Binding.HTTP);
      try (CutProxy proxy = CutProxy.start(direct.getPort())) {
        URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port() + direct.getPath());
        try (TestClient receiver = TestClient.connect(viaProxy)) {
          sender.join("lossy", "S");
          receiver.join("lossy", "R");
          sender.expect("peer-joined");
          int total = 200;
          for (int i = 0; i < total; i++) {
            sender.send(signal(receiver.welcomePeerId(), i));
            if (i % 20 == 10) {
              proxy.cut(); // whatever poll is on the wire now loses its answer
              proxy.restore();
            }
          }
          for (int i = 0; i < total; i++) {
            assertEquals(i, receiver.expect("signal").getJsonObject("data").getInt("seq"));
          }
          receiver.expectNothing(Duration.ofMillis(300));
        }
      }
    }
  }

  /**
   * A session that stops polling is lost after 2 x pollMs; the relays it had received but not
   * acknowledged are delivered again on resume, before the ones sent after the loss.
   */
  @Test
  void relaysALostSessionNeverAcknowledgedComeFirstOnResume() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("pollMs", "300"));
        TestClient a = TestClient.connect(server.uri(Binding.WEBSOCKET))) {
      RawHttpSession b = RawHttpSession.open(server.uri(Binding.HTTP));
      b.post("[{\"type\":\"join\",\"room\":\"r\"}]");
      String token = b.poll(1).getJsonArray("frames").getJsonObject(0).getString("resumeToken");
      a.join("r", "A");
      a.send(signal(b.peerId(), 1));
      a.send(signal(b.peerId(), 2));
      b.awaitUnacknowledged(2, "signal", 2);
      // Received, never acknowledged; this client polls no more and is lost after 2 x pollMs.
      MembershipTest.awaitConnections(server, 1);
      a.send(signal(b.peerId(), 3));
      try (TestClient back = TestClient.connect(server.uri(Binding.HTTP))) {
        back.send("{\"type\":\"join\",\"room\":\"r\",\"resume\":\"" + token + "\"}");
        assertTrue(back.expect("joined").getBoolean("resumed"));
        for (int i = 1; i <= 3; i++) {
          assertEquals(i, back.expect("signal").getJsonObject("data").getInt("seq"));
        }
        back.expectNothing(Duration.ofMillis(300));
      }
    }
  }

  private static String peerOf(JsonObject event) {
    return event.containsKey("peer") ? event.getJsonObject("peer").getString("name")
        : event.getString("peerId");
  }
}
