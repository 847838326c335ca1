package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.ConcurrencyScenario;
import org.signalbox.testing.DeployedChecks;
import org.signalbox.testing.KeepAliveConnection;
import org.signalbox.testing.TestClient;

/**
 * The README's run command, tested from outside as a user's browser and tools would. The admin
 * API is on ({@code adminAuth=token}), which changes nothing outside {@code /admin}, and the HTTP
 * binding's {@code pollMs} is short, which changes nothing outside {@code /signal/http}: their
 * checks share this server rather than start one of their own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunCommandIT {

  private static RunCommandServer server;
  private static AdminChecks admin;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** The HTTP binding's poll time (the default is 25 s). */
  private static final long POLL_MS = 1000;

  @BeforeAll
  static void start() throws Exception {
    server = RunCommandServer.start("default", Map.of(
        "SIGNALBOX_ADMIN_AUTH", "token", "SIGNALBOX_ADMIN_SECRET", Tokens.ADMIN_SECRET,
        "SIGNALBOX_POLL_MS", Long.toString(POLL_MS)));
    admin = new AdminChecks(server.http("/"), server.socket(), server.origin(),
        "Bearer " + Tokens.admin("it-ops"), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  void healthAnswersWithCounts() throws Exception {
    HttpResponse<String> r = get("/health");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
    assertEquals("ok", body.getString("status"));
    assertEquals(0, body.getInt("rooms"));
    assertTrue(body.getInt("connections") >= 0);
  }

  @Test
  @Order(2)
  void metricsCountWhatHappened() throws Exception {
    try (TestClient client = TestClient.connect(server.socket(), server.origin())) {
      client.join("metrics", "M");
      HttpResponse<String> r = get("/metrics");
      assertEquals(200, r.statusCode());
      assertTrue(r.body().lines().anyMatch(l -> l.startsWith("signalbox_messages_in_total{type=\"join\"} ")), r.body());
      assertTrue(r.body().lines().anyMatch(l -> l.equals("signalbox_connections 1.0")), r.body());
    }
  }

  @Test
  @Order(2)
  void demoPageIsServedAtTheRoot() throws Exception {
    HttpResponse<String> r = get("/");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("Signalbox"), r.body());
  }

  @Test
  @Order(2)
  void aPlainRequestForTheSocketGets426() throws Exception {
    HttpResponse<String> r = get("/signal");
    assertEquals(426, r.statusCode(), r.body());
    assertEquals("websocket", r.headers().firstValue("Upgrade").orElse(""));
  }

  @Test
  @Order(3)
  void sameOriginIsTheDefaultAndOthersGet403() {
    DeployedChecks.onlyTheSameOriginIsWelcome(server.socket(), server.origin());
  }

  @Test
  @Order(4)
  void fiftyClientsFloodTheirReceiversWithoutLossReorderOrErrors() throws Exception {
    ConcurrencyScenario.Result result = ConcurrencyScenario.run(server.socket(), server.origin());
    System.out.printf("concurrency on the run command's Jetty: %d messages in %d ms%n",
        result.messages(), result.elapsed().toMillis());
    assertEquals(List.of(), server.signalboxProblems(), "Signalbox logged problems");
  }

  @Test
  @Order(5)
  void frameOverMaxMessageBytesClosesWith1009() {
    DeployedChecks.frameOverMaxMessageBytesClosesWith1009(server.socket(), server.origin());
  }

  @Test
  @Order(5)
  void messagesUpToMaxMessageBytesArriveWhole() {
    DeployedChecks.messagesUpToMaxMessageBytesArriveWhole(server.socket(), server.origin());
  }

  @Test
  @Order(5)
  void binaryFramesCloseWith1003() {
    DeployedChecks.binaryFramesCloseWith1003(server.socket(), server.origin());
  }

  @Test
  @Order(5)
  void theHttpBindingServesBesideTheSocket() throws Exception {
    DeployedChecks.httpBindingBesideTheSocket(server.socket(), server.origin(), POLL_MS);
    assertEquals(List.of(), server.signalboxProblems(), "Signalbox logged problems");
  }

  @Test
  @Order(5)
  void adminListsInspectsAndRemovesAPeerWhoStaysConnected() {
    admin.listInspectAndRemoveAPeer("admin-remove");
  }

  @Test
  @Order(5)
  void adminClosesARoom() {
    admin.closeARoom("admin-close");
  }

  @Test
  @Order(5)
  void adminSendsServerMessagesToOneAndToAll() {
    admin.sendServerMessages("admin-message");
  }

  @Test
  @Order(5)
  void adminServesItsOpenApiDocument() {
    admin.openApiDocument();
  }

  @Test
  @Order(5)
  void adminRefusesUnknownRoomsAndPeersBadNamesAndBadBodies() {
    admin.refusalsOfAnAdmin("admin-refusals", 65536);
  }

  @Test
  @Order(5)
  void adminRefusalsKeepTheConnection() {
    admin.refusalsKeepTheConnection("admin-keep-alive", 65536);
  }

  /**
   * Frames posted to an HTTP session the server no longer has are answered 404 {@code
   * unknown-session}, and the client's connection serves its next request (the open of a new
   * session), the body arriving only after the answer.
   */
  @Test
  @Order(5)
  void framesPostedToAGoneHttpSessionLeaveTheConnectionServing() {
    try (KeepAliveConnection http = new KeepAliveConnection(server.http("/"))) {
      Map<String, String> headers = Map.of("Origin", server.origin(),
          "Content-Type", "application/json");
      KeepAliveConnection.Answer gone = http.exchange("POST", "signal/http/no-such-session",
          headers, "[{\"type\":\"ping\",\"id\":\"1\"}]", Duration.ofMillis(300));
      assertEquals(404, gone.status(), gone.body());
      assertTrue(gone.body().contains("unknown-session"), gone.body());
      KeepAliveConnection.Answer open = http.exchange("POST", "signal/http", headers, "",
          Duration.ZERO);
      assertEquals(200, open.status(), open.body());
      assertTrue(open.body().contains("welcome"), open.body());
      String session = Json.createReader(new StringReader(open.body())).readObject()
          .getString("session");
      assertEquals(204, http.exchange("DELETE", "signal/http/" + session,
          Map.of("Origin", server.origin()), null, Duration.ZERO).status());
    }
  }

  @Test
  @Order(5)
  void adminRefusesMissingForeignAndNonAdminTokens() {
    AdminChecks.tokenRefusals(server.http("/"), Tokens.sign(
        Tokens.adminClaims("mallory").claim("admin", true).build()),
        Tokens.sign(Tokens.adminClaims("viewer").build(), Tokens.ADMIN_SECRET,
            com.nimbusds.jose.JWSAlgorithm.HS256));
  }

  @Test
  @Order(6)
  void aSingleNodeLoadsNothingOfTheClusterMode() throws Exception {
    // After rooms, relays and closes above: the JVM's own list of its loaded classes.
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(server.pid()), "VM.class_hierarchy")
        .redirectErrorStream(true).start();
    String classes = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, classes);
    assertTrue(classes.contains("org.signalbox.transport.Connection"), "the list shows the WAR's classes");
    assertFalse(classes.contains("org.signalbox.cluster."), "a cluster class was loaded");
    assertFalse(classes.contains("io.lettuce."), "the Redis client was loaded");
  }

  @Test
  @Order(7)
  void stoppingTheServerClosesLiveSocketsWith1001() throws Exception {
    try (TestClient live = TestClient.connect(server.socket(), server.origin())) {
      live.join("going-away", "Live");
      server.close();
      assertEquals(1001, live.awaitClose(Duration.ofSeconds(30)));
    }
    // java.util.logging resets its handlers in its own shutdown hook, so the listener's last
    // lines may not be printed; what it did is what the client saw.
    assertEquals(List.of(), server.signalboxProblems(), "Signalbox logged problems");
  }
}
