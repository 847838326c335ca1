package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Checks made the same way on every deployed server (the run command's Jetty and the Arquillian
 * suites): what differs between servers is how they are started, not what a client sees.
 */
public final class DeployedChecks {

  private DeployedChecks() {}

  /**
   * The same origin is welcome; other origins, and none, get 403 at the handshake. So does the
   * same host and port under https: the server sees plain HTTP, and an {@code
   * X-Forwarded-Proto: https} from a peer it does not trust changes nothing.
   */
  public static void onlyTheSameOriginIsWelcome(URI socket, String sameOrigin) {
    try (TestClient same = TestClient.connect(socket, sameOrigin)) {
      assertEquals(1, same.welcome().getInt("protocol"));
    }
    assertEquals(403, HandshakeProbe.status(socket, "http://evil.example"));
    assertEquals(403, HandshakeProbe.status(socket, "http://127.0.0.1:1"));
    assertEquals(403, HandshakeProbe.status(socket, null));
    String secureOrigin = sameOrigin.replaceFirst("^http:", "https:");
    assertEquals(403, HandshakeProbe.status(socket, secureOrigin), secureOrigin);
    assertEquals(403, HandshakeProbe.statusWith(socket,
        Map.of("Origin", secureOrigin, "X-Forwarded-Proto", "https")), "untrusted proto");
  }

  /**
   * For a server running with {@code serverNames=<servedName>} (no port: the default one) and
   * {@code trustedProxies=127.0.0.1}: a DNS-rebinding page, whose {@code Origin} and {@code Host}
   * agree, is refused with 403, and so is the server's own address, not being among the names;
   * the served name is welcome. {@code X-Forwarded-Proto} from the trusted peer sets the scheme:
   * behind it an http page is refused and an https page welcome.
   */
  public static void serverNamesAndTheForwardedSchemeDecide(URI socket, String servedName) {
    String rebound = "rebind.attacker.example";
    assertEquals(403, HandshakeProbe.statusWith(socket,
        Map.of("Host", rebound, "Origin", "http://" + rebound)), "rebinding page");
    String ownAddress = socket.getHost() + ":" + socket.getPort();
    assertEquals(403, HandshakeProbe.statusWith(socket,
        Map.of("Host", ownAddress, "Origin", "http://" + ownAddress)), "a name not served");
    assertWelcomed(socket, Map.of("Host", servedName, "Origin", "http://" + servedName), "served");

    assertEquals(403, HandshakeProbe.statusWith(socket, Map.of(
        "Host", servedName, "Origin", "http://" + servedName, "X-Forwarded-Proto", "https")),
        "an http page behind a TLS proxy");
    assertWelcomed(socket, Map.of(
        "Host", servedName, "Origin", "https://" + servedName, "X-Forwarded-Proto", "https"),
        "an https page behind a TLS proxy");
  }

  /**
   * For a server running with {@code serverNames=<servedName>}, {@code trustedProxies=127.0.0.1}
   * and {@code maxConnectionsPerAddress=<limit>}, clients told apart by the {@code
   * X-Forwarded-For} the trusted peer sends. One address gets {@code limit} connections; the next
   * is refused ({@code refusal}: 429 at the handshake, or 1013 as the first frame after it), also
   * when it puts another address of its own to the left of its real one; another address is
   * welcome meanwhile; a closed connection's slot comes back. Then {@code limit} connections for
   * each of 8 addresses at once are all welcome: a container that shared one user-property map
   * between concurrent handshakes would count some against the wrong address and refuse it.
   */
  public static void connectionsPerAddressAreLimited(
      URI socket, String servedName, int limit, int refusal) {
    List<HandshakeProbe.Handshake> open = new ArrayList<>();
    try {
      String address = "203.0.113.1";
      for (int i = 0; i < limit; i++) {
        open.add(assertWelcomed(socket, from(servedName, address), "connection " + (i + 1)));
      }
      assertRefused(socket, from(servedName, address), refusal, "connection " + (limit + 1));
      assertRefused(socket, from(servedName, "198.51.100.250, " + address), refusal,
          "a hop of the client's own making");
      open.add(assertWelcomed(socket, from(servedName, "203.0.113.2"), "another address"));

      open.remove(0).close();
      open.add(awaitWelcome(socket, from(servedName, address)));
    } finally {
      open.forEach(HandshakeProbe.Handshake::close);
      open.clear();
    }

    int addresses = 8;
    ExecutorService pool = Executors.newFixedThreadPool(addresses * limit);
    List<Future<HandshakeProbe.Handshake>> burst = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      for (int a = 0; a < addresses; a++) {
        Map<String, String> headers = from(servedName, "192.0.2." + (a + 1));
        for (int i = 0; i < limit; i++) {
          burst.add(pool.submit(() -> {
            go.await();
            return HandshakeProbe.open(socket, headers);
          }));
        }
      }
      go.countDown();
      List<String> refused = new ArrayList<>();
      for (Future<HandshakeProbe.Handshake> f : burst) {
        HandshakeProbe.Handshake h = f.get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        open.add(h);
        String first = h.status() == 101 ? h.firstFrame() : "status " + h.status();
        if (!first.startsWith("text:") || !first.contains("\"welcome\"")) {
          refused.add(first);
        }
      }
      assertEquals(List.of(), refused, addresses + " addresses x " + limit + " at once");
    } catch (Exception e) {
      throw new AssertionError("the burst of handshakes failed", e);
    } finally {
      pool.shutdownNow();
      open.forEach(HandshakeProbe.Handshake::close);
    }
  }

  /** Headers of a page at the served name, relayed by the trusted peer for {@code forwardedFor}. */
  private static Map<String, String> from(String servedName, String forwardedFor) {
    return Map.of("Host", servedName, "Origin", "http://" + servedName,
        "X-Forwarded-For", forwardedFor);
  }

  /** Opens a connection that must be upgraded and welcomed; the caller closes it. */
  private static HandshakeProbe.Handshake assertWelcomed(
      URI socket, Map<String, String> headers, String what) {
    HandshakeProbe.Handshake h = HandshakeProbe.open(socket, headers);
    try {
      assertEquals(101, h.status(), what);
      String first = h.firstFrame();
      assertTrue(first.startsWith("text:") && first.contains("\"welcome\""), what + ": " + first);
      return h;
    } catch (RuntimeException | AssertionError e) {
      h.close();
      throw e;
    }
  }

  private static void assertRefused(
      URI socket, Map<String, String> headers, int refusal, String what) {
    try (HandshakeProbe.Handshake h = HandshakeProbe.open(socket, headers)) {
      if (refusal == 429) {
        assertEquals(429, h.status(), what);
      } else {
        assertEquals(101, h.status(), what);
        assertEquals("close:" + refusal, h.firstFrame(), what + ": closed before welcome");
      }
    }
  }

  /**
   * A connection that is welcome once the server has handled an earlier close: the slot is given
   * back when the server sees the close, a moment after the client's close returned.
   */
  private static HandshakeProbe.Handshake awaitWelcome(URI socket, Map<String, String> headers) {
    long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
    while (true) {
      HandshakeProbe.Handshake h = HandshakeProbe.open(socket, headers);
      String first = h.status() == 101 ? h.firstFrame() : "status " + h.status();
      if (first.startsWith("text:")) {
        return h;
      }
      h.close();
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the closed connection's slot never came back: " + first);
      }
      try {
        Thread.sleep(50); // a poll: the release is the server's, with nothing to wait on here
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The HTTP binding beside {@code socket} (PROTOCOL.md): {@code <socket>/http}, over http. */
  public static URI httpBinding(URI socket) {
    return URI.create(socket.toString().replaceFirst("^ws", "http") + "/http");
  }

  /**
   * The HTTP binding at {@code <socket>/http}, for a server running with {@code pollMs} and the
   * default origin policy (its own origin only). The open answer carries {@code welcome} and
   * {@code pollMs}; an open or a POST of frames from another origin, or without one, is 403 and
   * changes nothing, and so is a DELETE from another origin; a poll with nothing to deliver waits
   * pollMs and answers empty. In one room, an HTTP peer and a WebSocket peer relay to each other
   * both ways; the HTTP peer's DELETE is its close (the WebSocket peer sees {@code peer-left}
   * {@code left}), and every request for the ended session is then 404 {@code unknown-session}.
   */
  public static void httpBindingBesideTheSocket(URI socket, String origin, long pollMs) {
    URI binding = httpBinding(socket);
    assertEquals(403, httpOpen(binding, null, Map.of()).statusCode(), "an open without Origin");
    assertEquals(403, httpOpen(binding, "http://evil.example", Map.of()).statusCode(),
        "an open from another origin");

    HttpResponse<String> opened = httpOpen(binding, origin, Map.of());
    assertEquals(200, opened.statusCode(), opened::body);
    assertTrue(opened.headers().firstValue("Content-Type").orElse("").startsWith(
        "application/json"), () -> "the open answer's type: " + opened.headers().map());
    assertEquals("no-store", opened.headers().firstValue("Cache-Control").orElse(null),
        "no proxy keeps a session's frames");
    JsonObject open = HttpLine.parse(opened.body());
    assertEquals(pollMs, open.getJsonNumber("pollMs").longValue(), opened::body);
    assertTrue(open.getString("session").length() >= 22, "128 random bits or more: " + open);
    JsonArray first = open.getJsonArray("frames");
    assertEquals(1, first.size(), opened::body);
    assertEquals("welcome", first.getJsonObject(0).getString("type"), opened::body);
    assertEquals(1, first.getJsonObject(0).getInt("protocol"), opened::body);
    URI session = URI.create(binding + "/" + open.getString("session"));
    try {
      // Nothing to deliver: the poll is held pollMs (not a container's timeout) and answers empty.
      long started = System.nanoTime();
      HttpResponse<String> empty = HttpLine.send(HttpLine.request(URI.create(session + "?ack=1"),
          null, Map.of()).timeout(Duration.ofMillis(pollMs).plus(TestClient.WAIT)).GET().build());
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(200, empty.statusCode(), empty::body);
      assertEquals(HttpLine.parse("{\"frames\":[],\"seq\":1}"), HttpLine.parse(empty.body()));
      assertTrue(waitedMs >= pollMs && waitedMs < pollMs + TestClient.WAIT.toMillis(),
          "an empty poll answered after " + waitedMs + " ms, pollMs " + pollMs);

      // Another origin, or none, drives no session; the frames from the session's own page do.
      String ping = "[{\"type\":\"ping\",\"id\":\"%s\"}]";
      assertEquals(403, httpPost(session, "http://evil.example", ping.formatted("evil"))
          .statusCode(), "frames from another origin");
      assertEquals(403, httpPost(session, null, ping.formatted("none")).statusCode(),
          "frames without Origin");
      assertEquals(403, httpCall(session, "http://evil.example", "DELETE").statusCode(),
          "a DELETE from another origin");
      assertEquals(204, httpPost(session, origin, ping.formatted("own")).statusCode());
      HttpResponse<String> pong = httpCall(URI.create(session + "?ack=1"), origin, "GET");
      assertEquals(200, pong.statusCode(), pong::body);
      JsonObject answer = HttpLine.parse(pong.body());
      JsonArray pongs = answer.getJsonArray("frames");
      assertEquals(1, pongs.size(), () -> "only the own page's ping was handled: " + pong.body());
      assertEquals("own", pongs.getJsonObject(0).getString("ref"), pong::body);
      assertEquals(2, answer.getInt("seq"), pong::body);
      assertEquals(204, httpCall(session, origin, "DELETE").statusCode(), "DELETE");
    } catch (RuntimeException | AssertionError e) {
      httpCall(session, origin, "DELETE"); // else it lingers for 2 x pollMs
      throw e;
    }

    try (TestClient ws = TestClient.connect(socket, origin);
        TestClient http = TestClient.connect(binding, origin)) {
      ws.join("http-binding", "W");
      JsonObject joined = http.join("http-binding", "H");
      assertEquals(ws.welcomePeerId(),
          joined.getJsonArray("peers").getJsonObject(0).getString("peerId"));
      assertEquals("H", ws.expect("peer-joined").getJsonObject("peer").getString("name"));

      ws.send(signalTo(http.welcomePeerId(), "offer"));
      JsonObject offer = http.expect("signal");
      assertEquals(ws.welcomePeerId(), offer.getString("from"));
      assertEquals("offer", offer.getJsonObject("data").getString("sdp"));
      http.send(signalTo(ws.welcomePeerId(), "answer"));
      JsonObject answer = ws.expect("signal");
      assertEquals(http.welcomePeerId(), answer.getString("from"));
      assertEquals("answer", answer.getJsonObject("data").getString("sdp"));
      http.send("{\"type\":\"message\",\"data\":{\"text\":\"héllo ✓\"}}");
      assertEquals("héllo ✓", ws.expect("message").getJsonObject("data").getString("text"));

      String ended = http.http().session();
      http.closeWith(1000); // DELETE, 204
      JsonObject left = ws.expect("peer-left");
      assertEquals(http.welcomePeerId(), left.getString("peerId"));
      assertEquals("left", left.getString("reason"));
      for (HttpResponse<String> after :
          httpRequestsFor(URI.create(binding + "/" + ended), origin, Map.of())) {
        assertEquals(404, after.statusCode(), () -> after.request().method() + ": " + after.body());
        assertEquals("unknown-session", HttpLine.parse(after.body()).getString("error"),
            () -> after.request().method() + ": " + after.body());
      }
    }
  }

  private static String signalTo(String to, String sdp) {
    return "{\"type\":\"signal\",\"to\":\"" + to + "\",\"data\":{\"sdp\":\"" + sdp + "\"}}";
  }

  /** {@code POST <binding>} with an empty body: a session's open, with {@code headers}. */
  public static HttpResponse<String> httpOpen(
      URI binding, String origin, Map<String, String> headers) {
    return HttpLine.send(HttpLine.request(binding, origin, headers)
        .POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  /**
   * A poll, a {@code POST} of a ping (id {@code "other"}) and a {@code DELETE} for {@code
   * session}, each with {@code headers}: what every kind of request for the session is answered.
   */
  public static List<HttpResponse<String>> httpRequestsFor(
      URI session, String origin, Map<String, String> headers) {
    return List.of(
        HttpLine.send(HttpLine.request(URI.create(session + "?ack=0"), origin, headers)
            .GET().build()),
        HttpLine.send(HttpLine.request(session, origin, headers)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("[{\"type\":\"ping\",\"id\":\"other\"}]"))
            .build()),
        HttpLine.send(HttpLine.request(session, origin, headers).DELETE().build()));
  }

  /** {@code POST} of {@code frames} (a JSON array) to a session, as application/json. */
  private static HttpResponse<String> httpPost(URI session, String origin, String frames) {
    return HttpLine.send(HttpLine.request(session, origin, Map.of())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(frames)).build());
  }

  /** A {@code GET} (a poll: give its {@code ?ack}) or {@code DELETE} of a session. */
  private static HttpResponse<String> httpCall(URI uri, String origin, String method) {
    return HttpLine.send(HttpLine.request(uri, origin, Map.of())
        .method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  /** A frame over the default maxMessageBytes closes with 1009; the room sees disconnected. */
  public static void frameOverMaxMessageBytesClosesWith1009(URI socket, String origin) {
    TestClient[] c = TestClient.room(socket, origin, "too-big", 2);
    try {
      c[0].send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(65536) + "\"}");
      assertClosedAndRoomSeesDisconnected(1009, c[0], c[1], "");
    } finally {
      TestClient.closeAll(c);
    }
  }

  /**
   * A message of exactly the default maxMessageBytes (64 KiB of UTF-8, two- and four-byte chars
   * among them) is relayed whole, sent as one frame or in fragments; a byte more in fragments
   * closes with 1009. A container hands such a message over in parts, and the server joins them.
   */
  public static void messagesUpToMaxMessageBytesArriveWhole(URI socket, String origin) {
    TestClient[] c = TestClient.room(socket, origin, "large", 2);
    try {
      TestClient from = c[0];
      TestClient to = c[1];
      String data = dataFilling(65_536, to.welcomePeerId());
      String frame = messageFrame(to.welcomePeerId(), data);
      assertEquals(65_536, frame.getBytes(StandardCharsets.UTF_8).length);
      from.send(frame);
      assertEquals(data, to.expect("message").getString("data"));
      from.sendInParts(frame, 5);
      assertEquals(data, to.expect("message").getString("data"));

      from.sendInParts(messageFrame(to.welcomePeerId(), data + "x"), 5);
      assertClosedAndRoomSeesDisconnected(1009, from, to, "");
    } finally {
      TestClient.closeAll(c);
    }
  }

  /**
   * A binary frame closes with 1003 whatever its size (a large one too, which a container would
   * otherwise refuse as too big for its buffer); the room sees disconnected.
   */
  public static void binaryFramesCloseWith1003(URI socket, String origin) {
    for (int size : new int[] {16, 20_000}) {
      TestClient[] c = TestClient.room(socket, origin, "binary-" + size, 2);
      try {
        c[0].sendBinary(new byte[size]);
        assertClosedAndRoomSeesDisconnected(1003, c[0], c[1], size + " bytes");
      } finally {
        TestClient.closeAll(c);
      }
    }
  }

  /** {@code closed} was closed with {@code code}, and {@code peer} saw it leave disconnected. */
  private static void assertClosedAndRoomSeesDisconnected(
      int code, TestClient closed, TestClient peer, String what) {
    assertEquals(code, closed.awaitClose(), what);
    JsonObject left = peer.expect("peer-left");
    assertEquals(closed.welcomePeerId(), left.getString("peerId"), what);
    assertEquals("disconnected", left.getString("reason"), what);
  }

  private static String messageFrame(String to, String data) {
    return "{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":\"" + data + "\"}";
  }

  /** Data that makes {@link #messageFrame} exactly {@code bytes} long in UTF-8. */
  private static String dataFilling(int bytes, String to) {
    int room = bytes - messageFrame(to, "").getBytes(StandardCharsets.UTF_8).length;
    // "é" is two bytes, the emoji four (a surrogate pair): both must be counted as bytes.
    String unit = "é\uD83D\uDE00abcd";
    int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
    return unit.repeat(room / unitBytes) + "x".repeat(room % unitBytes);
  }
}
