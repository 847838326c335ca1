package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin API (PORTAL.md) checked from outside, the same way on every deployed server (the run
 * command's Jetty and the Arquillian suites), with real WebSocket peers in the rooms it governs.
 * Each scenario uses rooms of its own and closes its peers.
 */
public final class AdminChecks {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final URI base;
  private final URI socket;
  private final String origin;
  private final String admin;
  private final String peer;

  /**
   * @param base the web application's root, ending in {@code /}
   * @param admin the {@code Authorization} of an admin
   * @param peer the {@code Authorization} a peer's handshake needs, or null
   */
  public AdminChecks(URI base, URI socket, String origin, String admin, String peer) {
    this.base = base;
    this.socket = socket;
    this.origin = origin;
    this.admin = admin;
    this.peer = peer;
  }

  /** An HTTP answer with its body parsed when it is JSON. */
  public record Answer(int status, String body, HttpResponse<String> response) {
    public JsonObject json() {
      assertTrue(response.headers().firstValue("Content-Type").orElse("")
          .startsWith("application/json"), "Content-Type of " + body);
      return Json.createReader(new StringReader(body)).readObject();
    }

    /** The error code of a refusal, checked to have the contract's shape. */
    public String error() {
      JsonObject error = json();
      assertFalse(error.getString("message").isEmpty(), body);
      return error.getString("error");
    }

    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  /**
   * Calls {@code path} (relative to {@code base}, such as {@code admin/rooms}).
   *
   * @param body a JSON body sent as {@code application/json}, or null
   * @param authorization the {@code Authorization} header, or null
   */
  public static Answer call(URI base, String method, String path, String body, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** As an admin. */
  public Answer call(String method, String path, String body) {
    return call(base, method, path, body, admin);
  }

  private TestClient connect() {
    return TestClient.connect(socket, origin, peer);
  }

  /** A peer over the HTTP binding beside the socket ({@code …/signal/http}). */
  private TestClient connectOverHttp() {
    return TestClient.connect(DeployedChecks.httpBinding(socket), origin, peer);
  }

  /** The peer answers a ping with a pong as its very next frame: nothing else was queued. */
  private static void nothingElseQueued(TestClient client) {
    client.send("{\"type\":\"ping\",\"id\":\"probe\"}");
    JsonObject next = client.next();
    assertEquals("pong", next.getString("type"), () -> "unexpected frame " + next);
  }

  /**
   * The room is listed with its peer count, shown with its peers oldest first, and a removed peer
   * gets {@code left} {@code removed}, stays connected (pings, rejoins when it asks), while the
   * other gets {@code peer-left} {@code removed}; removing it again is 404. The other peer is
   * served over the HTTP binding, which the peer's {@code transport} shows.
   */
  public void listInspectAndRemoveAPeer(String room) {
    try (TestClient a = connect(); TestClient b = connectOverHttp()) {
      long before = System.currentTimeMillis();
      JsonObject joinedA = a.join(room, "Ann");
      JsonObject joinedB = b.join(room, "Ben");
      a.expect("peer-joined");

      Answer list = call("GET", "admin/rooms", null);
      assertEquals(200, list.status(), list.body());
      JsonArray rooms = list.json().getJsonArray("rooms");
      List<String> names = rooms.getValuesAs(JsonObject.class).stream()
          .map(r -> r.getString("room")).toList();
      assertEquals(new TreeSet<>(names).stream().toList(), names, "by room name");
      JsonObject row = rooms.getValuesAs(JsonObject.class).stream()
          .filter(r -> r.getString("room").equals(room)).findFirst().orElseThrow(
              () -> new AssertionError(room + " is not listed: " + list.body()));
      assertEquals(2, row.getInt("peers"));
      long createdAt = row.getJsonNumber("createdAt").longValue();
      assertTrue(createdAt >= before - 5_000 && createdAt <= System.currentTimeMillis() + 5_000,
          "createdAt in ms since the epoch: " + createdAt);

      Answer shown = call("GET", "admin/rooms/" + room, null);
      assertEquals(200, shown.status(), shown.body());
      JsonObject detail = shown.json();
      assertEquals(room, detail.getString("room"));
      assertEquals(createdAt, detail.getJsonNumber("createdAt").longValue());
      List<JsonObject> peers = detail.getJsonArray("peers").getValuesAs(JsonObject.class);
      assertEquals(List.of(a.welcomePeerId(), b.welcomePeerId()),
          peers.stream().map(p -> p.getString("peerId")).toList(), "oldest first");
      assertEquals(joinedA.getString("name"), peers.get(0).getString("name"));
      assertEquals(joinedB.getString("name"), peers.get(1).getString("name"));
      assertEquals(List.of("websocket", "http"),
          peers.stream().map(p -> p.getString("transport")).toList());
      for (JsonObject p : peers) {
        assertEquals("connected", p.getString("state"));
        assertTrue(p.getJsonNumber("joinedAt").longValue() >= createdAt, p.toString());
      }

      Answer removed = call("DELETE", "admin/rooms/" + room + "/peers/" + a.welcomePeerId(), null);
      assertEquals(204, removed.status(), removed.body());
      JsonObject left = a.expect("left");
      assertEquals(room, left.getString("room"));
      assertEquals("removed", left.getString("reason"));
      JsonObject peerLeft = b.expect("peer-left");
      assertEquals(a.welcomePeerId(), peerLeft.getString("peerId"));
      assertEquals("removed", peerLeft.getString("reason"));
      assertEquals(404, call("DELETE", "admin/rooms/" + room + "/peers/" + a.welcomePeerId(), null)
          .status(), "removed already");
      assertEquals(1, call("GET", "admin/rooms/" + room, null).json().getJsonArray("peers").size());

      // Still connected, outside the room, and welcome back when it asks.
      nothingElseQueued(a);
      assertFalse(a.isClosed());
      a.join(room, "Ann");
      assertEquals(a.welcomePeerId(), b.expect("peer-joined").getJsonObject("peer").getString("peerId"));
    }
  }

  /** Every peer gets {@code left} {@code closed} and no {@code peer-left}; the room is gone. */
  public void closeARoom(String room) {
    try (TestClient a = connect(); TestClient b = connect(); TestClient c = connect()) {
      a.join(room, "Ann");
      b.join(room, "Ben");
      c.join(room, "Cid");
      a.expect("peer-joined");
      a.expect("peer-joined");
      b.expect("peer-joined");

      Answer closed = call("DELETE", "admin/rooms/" + room, null);
      assertEquals(204, closed.status(), closed.body());
      for (TestClient peer : List.of(a, b, c)) {
        JsonObject left = peer.expect("left");
        assertEquals(room, left.getString("room"));
        assertEquals("closed", left.getString("reason"));
        nothingElseQueued(peer); // no peer-left for a closed room
        assertFalse(peer.isClosed(), "the connection stays open");
      }
      assertEquals(404, call("GET", "admin/rooms/" + room, null).status());
      assertEquals(404, call("DELETE", "admin/rooms/" + room, null).status());
      assertFalse(call("GET", "admin/rooms", null).body().contains("\"" + room + "\""));
    }
  }

  /**
   * A message from {@code "@server"} reaches the one peer it names, with {@code to}, and only
   * it; without {@code to} every peer gets it, without {@code to}.
   */
  public void sendServerMessages(String room) {
    try (TestClient a = connect(); TestClient b = connect()) {
      a.join(room, "Ann");
      b.join(room, "Ben");
      a.expect("peer-joined");

      Answer toOne = call("POST", "admin/rooms/" + room + "/messages",
          "{\"to\":\"" + b.welcomePeerId() + "\",\"data\":{\"text\":\"h\u00e9llo \u2713\",\"n\":[1,2.5]}}");
      assertEquals(202, toOne.status(), toOne.body());
      JsonObject message = b.expect("message");
      assertEquals("@server", message.getString("from"));
      assertEquals(b.welcomePeerId(), message.getString("to"));
      assertEquals("h\u00e9llo \u2713", message.getJsonObject("data").getString("text"));
      assertEquals(Json.createArrayBuilder().add(1).add(2.5).build(),
          message.getJsonObject("data").getJsonArray("n"));
      nothingElseQueued(a); // the other peer got nothing

      Answer toAll = call("POST", "admin/rooms/" + room + "/messages", "{\"data\":\"all hands\"}");
      assertEquals(202, toAll.status(), toAll.body());
      for (TestClient peer : List.of(a, b)) {
        JsonObject broadcast = peer.expect("message");
        assertEquals("@server", broadcast.getString("from"));
        assertEquals("all hands", broadcast.getString("data"));
        assertFalse(broadcast.containsKey("to"), "no to when sent to every peer: " + broadcast);
      }

      assertEquals(404, call("POST", "admin/rooms/" + room + "/messages",
          "{\"to\":\"no-such-peer-in-this-room\",\"data\":1}").status());
      assertEquals(404, call("POST", "admin/rooms/" + room + "-empty/messages", "{\"data\":1}").status());
    }
  }

  /** The OpenAPI document, behind the same auth, lists the table's paths. */
  public void openApiDocument() {
    Answer doc = call("GET", "admin/openapi.json", null);
    assertEquals(200, doc.status(), doc.body());
    JsonObject openApi = doc.json();
    assertTrue(openApi.getString("openapi").startsWith("3.1"));
    assertEquals(Set.of("/admin/rooms", "/admin/rooms/{room}", "/admin/rooms/{room}/peers/{peerId}",
        "/admin/rooms/{room}/messages", "/admin/openapi.json"), openApi.getJsonObject("paths").keySet());
  }

  /**
   * 404 for a room without peers and for a peer not in the room, 400 for a bad room name and a
   * bad body, 413 for a body over {@code maxBytes}: each with the contract's error object.
   */
  public void refusalsOfAnAdmin(String room, int maxBytes) {
    try (TestClient a = connect()) {
      a.join(room, "Ann");
      Answer noRoom = call("GET", "admin/rooms/" + room + "-nobody-here", null);
      assertEquals(404, noRoom.status(), noRoom.body());
      assertEquals("not-found", noRoom.error());
      Answer noPeer = call("DELETE", "admin/rooms/" + room + "/peers/AAAAAAAAAAAAAAAAAAAAAA", null);
      assertEquals(404, noPeer.status(), noPeer.body());
      assertEquals("not-found", noPeer.error());

      for (String bad : List.of("x".repeat(65), "bad~name", "bad%20name")) {
        Answer badName = call("GET", "admin/rooms/" + bad, null);
        assertEquals(400, badName.status(), bad + ": " + badName.body());
        assertEquals("bad-request", badName.error());
      }
      String messages = "admin/rooms/" + room + "/messages";
      for (String body : List.of("not json", "[1]", "{\"text\":\"no data\"}", "{\"to\":7,\"data\":1}")) {
        Answer badBody = call("POST", messages, body);
        assertEquals(400, badBody.status(), body + ": " + badBody.body());
        assertEquals("bad-request", badBody.error());
      }
      HttpRequest plain = HttpRequest.newBuilder(base.resolve(messages)).timeout(Duration.ofSeconds(10))
          .header("Authorization", admin).header("Content-Type", "text/plain")
          .POST(HttpRequest.BodyPublishers.ofString("{\"data\":1}")).build();
      assertEquals(400, send(plain).statusCode(), "only application/json is taken");
      Answer tooLarge = call("POST", messages,
          "{\"data\":\"" + "x".repeat(maxBytes) + "\"}");
      assertEquals(413, tooLarge.status());
      assertEquals("too-large", tooLarge.error());
      nothingElseQueued(a); // none of these reached the room
    }
  }

  /**
   * A refusal answered before the body was read (a wrong content type, no token, a body over
   * {@code maxBytes}) leaves a keep-alive connection able to serve the next request, the body
   * arriving only after the answer; a server that will close instead says so with {@code
   * Connection: close}. Java's HttpClient reuses such a connection at once, so a server that
   * dropped it silently failed the next admin call with no answer at all.
   */
  public void refusalsKeepTheConnection(String room, int maxBytes) {
    Duration hold = Duration.ofMillis(300);
    Map<String, String> json = Map.of("Content-Type", "application/json", "Authorization", admin);
    String messages = "admin/rooms/" + room + "/messages";
    try (TestClient a = connect(); KeepAliveConnection http = new KeepAliveConnection(base)) {
      a.join(room, "Ann");
      KeepAliveConnection.Answer plain = http.exchange("POST", messages,
          Map.of("Content-Type", "text/plain", "Authorization", admin), "{\"data\":1}", hold);
      assertEquals(400, plain.status(), plain.body());
      KeepAliveConnection.Answer anonymous = http.exchange("POST", messages,
          Map.of("Content-Type", "application/json"), "{\"data\":1}", hold);
      assertEquals(401, anonymous.status(), anonymous.body());
      KeepAliveConnection.Answer tooLarge = http.exchange("POST", messages, json,
          "{\"data\":\"" + "x".repeat(maxBytes) + "\"}", hold);
      assertEquals(413, tooLarge.status(), tooLarge.body());
      KeepAliveConnection.Answer after = http.exchange("POST", messages, json,
          "{\"data\":\"after the refusals\"}", Duration.ZERO);
      assertEquals(202, after.status(), after.body());
      assertEquals("after the refusals", a.expect("message").getString("data"));
      nothingElseQueued(a);
    }
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Token mode refuses without a token (401, a bearer challenge without an error), with a token
   * it cannot verify (401, {@code error="invalid_token"}), and a valid token without {@code
   * admin: true} (403), on every path, before it looks at the path.
   */
  public static void tokenRefusals(URI base, String foreignToken, String notAdminToken) {
    for (String path : List.of("admin/rooms", "admin/openapi.json", "admin/rooms/r/peers/p", "admin/nothing")) {
      Answer none = call(base, "GET", path, null, null);
      assertEquals(401, none.status(), path + ": " + none.body());
      assertEquals("unauthorized", none.error());
      assertEquals("Bearer realm=\"signalbox-admin\"", none.header("WWW-Authenticate"));

      Answer forged = call(base, "GET", path, null, "Bearer " + foreignToken);
      assertEquals(401, forged.status(), forged.body());
      assertEquals("unauthorized", forged.error());
      assertTrue(forged.header("WWW-Authenticate").startsWith(
          "Bearer realm=\"signalbox-admin\", error=\"invalid_token\""), forged.header("WWW-Authenticate"));

      Answer notAdmin = call(base, "GET", path, null, "Bearer " + notAdminToken);
      assertEquals(403, notAdmin.status(), notAdmin.body());
      assertEquals("forbidden", notAdmin.error());
    }
  }

  /** With {@code adminAuth=off}, every admin path is 404, as if there were no admin API. */
  public static void offIsNotFound(URI base, String anyAuthorization) {
    Answer unknown = call(base, "GET", "no-such-path", null, null);
    assertEquals(404, unknown.status());
    for (String path : List.of("admin", "admin/", "admin/rooms", "admin/openapi.json", "admin/rooms/r")) {
      for (String method : List.of("GET", "DELETE")) {
        Answer answer = call(base, method, path, null, anyAuthorization);
        assertEquals(404, answer.status(), method + " " + path + ": " + answer.body());
        assertEquals(null, answer.header("WWW-Authenticate"), "nothing hints at an admin API");
      }
    }
    assertEquals(404, call(base, "POST", "admin/rooms/r/messages", "{\"data\":1}", anyAuthorization)
        .status());
  }
}
