package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.BacklogScenario;
import org.signalbox.testing.ConcurrencyScenario;
import org.signalbox.testing.DeployedChecks;
import org.signalbox.testing.TestClient;

/**
 * The built WAR, deployed by Arquillian into the server that {@code -Darquillian.launch} names
 * (Maven profiles tomcat, tomcat11, wildfly, payara), tested from outside as browsers use it.
 * Every server runs with {@code -Dsignalbox.maxRoomSize=12} (src/test/resources/arquillian.xml).
 * The deployment turns the admin API on ({@code adminAuth=token}, as context parameters in its
 * web.xml, the way an integrator would), which changes nothing outside {@code /admin}, and
 * shortens the HTTP binding's {@code pollMs}, which changes nothing outside {@code /signal/http},
 * so that its empty poll is awaited in a second.
 */
// DeploymentProcesses first: its afterAll runs last, after Arquillian has undeployed.
@ExtendWith({DeploymentProcesses.class, ArquillianExtension.class})
class ServerSuiteIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** The HTTP binding's poll time in this deployment (the default is 25 s). */
  private static final long POLL_MS = 1000;

  @Deployment(testable = false)
  static WebArchive war() {
    return BuiltWar.configured("signalbox.war", BuiltWar.param("adminAuth", "token")
        + BuiltWar.param("adminSecret", Tokens.ADMIN_SECRET)
        + BuiltWar.param("pollMs", Long.toString(POLL_MS)));
  }

  @ArquillianResource private URL base;

  private URI socket() {
    return URI.create(base.toString().replaceFirst("^http", "ws")).resolve("signal");
  }

  private String origin() {
    return base.getProtocol() + "://" + base.getAuthority();
  }

  private AdminChecks admin() {
    return new AdminChecks(URI.create(base.toString()), socket(), origin(),
        "Bearer " + Tokens.admin("suite-ops"), null);
  }

  @Test
  void adminListsInspectsAndRemovesAPeerWhoStaysConnected() {
    admin().listInspectAndRemoveAPeer("admin-remove");
  }

  @Test
  void adminClosesARoomAndSendsServerMessages() {
    admin().closeARoom("admin-close");
    admin().sendServerMessages("admin-message");
  }

  /**
   * The admin's own mistakes, as this server delivers them to the servlet: 404 for a room or peer
   * that is not there, 400 for a bad room name (one the server decodes from {@code %20} too) and
   * a bad body, 413 past maxMessageBytes (the default here); and the OpenAPI document.
   */
  @Test
  void adminRefusesUnknownRoomsAndPeersBadNamesAndBadBodies() {
    admin().refusalsOfAnAdmin("admin-refusals", 65536);
    admin().openApiDocument();
  }

  /** This server's connection survives the admin's refusals, or it says it will not. */
  @Test
  void adminRefusalsKeepTheConnection() {
    admin().refusalsKeepTheConnection("admin-keep-alive", 65536);
  }

  @Test
  void adminRefusesWithoutAValidAdminToken() {
    AdminChecks.tokenRefusals(URI.create(base.toString()),
        Tokens.sign(Tokens.adminClaims("mallory").claim("admin", true).build()),
        Tokens.sign(Tokens.adminClaims("viewer").build(), Tokens.ADMIN_SECRET,
            com.nimbusds.jose.JWSAlgorithm.HS256));
  }

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create(base.toString()).resolve(path);
    return HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void deployedUnderItsOwnContextPath() throws Exception {
    assertEquals("/signalbox/", base.getPath(), "context path of signalbox.war");
    assertTrue(InetAddress.getByName(base.getHost()).isLoopbackAddress(), "tests stay on loopback");
  }

  /**
   * The server's HTTP listener is bound to loopback, not to every interface (read from the
   * kernel's socket tables, which list the sockets of this network namespace).
   */
  @Test
  void theHttpListenerIsBoundToLoopbackOnly() throws Exception {
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> rows = Files.readAllLines(Path.of(table));
      for (String row : rows.subList(1, rows.size())) {
        String[] fields = row.trim().split("\\s+");
        String[] local = fields[1].split(":");
        if (fields[3].equals("0A") && Integer.parseInt(local[1], 16) == base.getPort()) {
          addresses.add(local[0]);
        }
      }
    }
    assertFalse(addresses.isEmpty(), "a listener on port " + base.getPort());
    // 127.0.0.1 in the IPv4 table; ::ffff:127.0.0.1 or ::1 in the IPv6 one (hex, per 32-bit word).
    List<String> loopback = List.of(
        "0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000");
    for (String address : addresses) {
      assertTrue(loopback.contains(address), "port " + base.getPort() + " bound to " + address);
    }
  }

  @Test
  void joinRelayAndLeaveRoundTrip() {
    try (TestClient a = TestClient.connect(socket(), origin());
        TestClient b = TestClient.connect(socket(), origin())) {
      a.join("round-trip", "Alice");
      JsonObject joined = b.join("round-trip", "Bob");
      assertEquals(a.welcomePeerId(), joined.getJsonArray("peers").getJsonObject(0).getString("peerId"));
      assertEquals(b.welcomePeerId(), a.expect("peer-joined").getJsonObject("peer").getString("peerId"));

      a.send("{\"type\":\"signal\",\"to\":\"" + b.welcomePeerId()
          + "\",\"data\":{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}}");
      JsonObject signal = b.expect("signal");
      assertEquals(a.welcomePeerId(), signal.getString("from"));
      assertEquals("v=0", signal.getJsonObject("data").getJsonObject("description").getString("sdp"));

      b.send("{\"type\":\"message\",\"data\":{\"text\":\"héllo ✓\"}}");
      assertEquals("héllo ✓", a.expect("message").getJsonObject("data").getString("text"));

      a.send("{\"type\":\"leave\",\"id\":\"bye\"}");
      JsonObject left = a.expect("left");
      assertEquals("round-trip", left.getString("room"));
      assertEquals("bye", left.getString("ref"));
      JsonObject peerLeft = b.expect("peer-left");
      assertEquals(a.welcomePeerId(), peerLeft.getString("peerId"));
      assertEquals("left", peerLeft.getString("reason"));
    }
  }

  @Test
  void settingsGivenAsSystemPropertiesApply() {
    try (TestClient client = TestClient.connect(socket(), origin())) {
      assertEquals(12, client.welcome().getJsonObject("limits").getInt("maxRoomSize"));
    }
  }

  @Test
  void fiftyClientsFloodTheirReceiversWithoutLossReorderOrErrors() {
    ConcurrencyScenario.Result result = ConcurrencyScenario.run(socket(), origin());
    System.out.printf("concurrency on %s: %d messages in %d ms%n",
        System.getProperty("arquillian.launch"), result.messages(), result.elapsed().toMillis());
    assertEquals(List.of(), ServerLog.problems(), "warnings about Signalbox in " + ServerLog.path());
  }

  @Test
  void aReceiverThatFellBehindGetsItsBacklogWholeAndInOrder() throws Exception {
    BacklogScenario.Result result = BacklogScenario.run(socket(), origin(),
        URI.create(base.toString()).resolve("metrics"), "backlog");
    // Tomcat gathers batched frames; WildFly and Payara write them one by one (WriteBatching).
    boolean batches = "tomcat".equals(System.getProperty("arquillian.launch"));
    assertEquals(batches, result.batchedFrames() >= 1, "batched writes: " + result);
  }

  @Test
  void frameOverMaxMessageBytesClosesWith1009() {
    DeployedChecks.frameOverMaxMessageBytesClosesWith1009(socket(), origin());
  }

  @Test
  void messagesUpToMaxMessageBytesArriveWhole() {
    DeployedChecks.messagesUpToMaxMessageBytesArriveWhole(socket(), origin());
  }

  @Test
  void binaryFramesCloseWith1003() {
    DeployedChecks.binaryFramesCloseWith1003(socket(), origin());
  }

  @Test
  void foreignOriginsGet403AndTheSameOriginIsWelcome() {
    DeployedChecks.onlyTheSameOriginIsWelcome(socket(), origin());
  }

  @Test
  void theHttpBindingServesBesideTheSocket() {
    DeployedChecks.httpBindingBesideTheSocket(socket(), origin(), POLL_MS);
    assertEquals(List.of(), ServerLog.problems(), "warnings about Signalbox in " + ServerLog.path());
  }

  @Test
  void aPlainRequestForTheSocketGets426() throws Exception {
    HttpResponse<String> r = get("signal");
    assertEquals(426, r.statusCode(), r.body());
    // The Upgrade header is set too, but Undertow drops it from a response that upgrades nothing.
    assertTrue(r.body().contains("Signalbox WebSocket"), r.body());
  }

  @Test
  void metricsAnswerInThePrometheusTextFormat() throws Exception {
    try (TestClient client = TestClient.connect(socket(), origin())) {
      client.join("metrics", "M");
      HttpResponse<String> metrics = get("metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(metrics.body().contains("# TYPE signalbox_connections gauge"), metrics.body());
      assertTrue(metrics.body().contains("signalbox_messages_in_total{type=\"join\"}"), metrics.body());
    }
  }

  @Test
  void demoPageAndHealthAnswer() throws Exception {
    HttpResponse<String> page = get("");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<title>Signalbox"), page.body());

    HttpResponse<String> health = get("health");
    assertEquals(200, health.statusCode());
    assertTrue(health.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonObject body = Json.createReader(new StringReader(health.body())).readObject();
    assertEquals("ok", body.getString("status"));
    assertTrue(body.getInt("connections") >= 0);
  }

  @Test
  void usesTheExpectedJsonPAndNothingWarnsAboutIt() throws Exception {
    String record = ServerLog.await("JSON-P: API", Duration.ofSeconds(10));
    String expected = System.getProperty("signalbox.it.jsonp");
    assertTrue(record.contains(expected), "expected JSON-P from " + expected + ", log says: " + record);
    assertEquals(List.of(), ServerLog.problems(), "warnings about Signalbox in " + ServerLog.path());
  }
}
