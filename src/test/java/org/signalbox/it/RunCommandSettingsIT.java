package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.DeployedChecks;
import org.signalbox.testing.TestClient;

/** SIGNALBOX_* variables reach the run command's server, and a bad one stops the deployment. */
class RunCommandSettingsIT {

  @Test
  void environmentSettingsApply() throws Exception {
    try (RunCommandServer server = RunCommandServer.start("env", Map.of(
        "SIGNALBOX_MAX_ROOM_SIZE", "2",
        "SIGNALBOX_BURST", "5",
        "SIGNALBOX_MESSAGES_PER_SECOND", "1",
        "SIGNALBOX_ALLOWED_ORIGINS", "*",
        "SIGNALBOX_POLL_MS", "1000"))) {
      try (TestClient a = TestClient.connect(server.socket());
          TestClient b = TestClient.connect(server.socket());
          TestClient c = TestClient.connect(server.socket())) {
        JsonObject limits = a.welcome().getJsonObject("limits");
        assertEquals(2, limits.getInt("maxRoomSize"));
        assertEquals(5, limits.getInt("burst"));
        a.join("r", "A");
        b.join("r", "B");
        a.expect("peer-joined");
        c.send("{\"type\":\"join\",\"room\":\"r\"}");
        c.expectError("room-full");

        // Sustained flooding: the join and 4 pings pass, the 51st drop (more than 10 x burst
        // within 10 s) ends the flooder: the room sees it disconnected at once.
        for (int i = 0; i < 55; i++) {
          a.send("{\"type\":\"ping\",\"id\":" + i + "}");
        }
        JsonObject left = b.expect("peer-left");
        assertEquals(a.welcomePeerId(), left.getString("peerId"));
        assertEquals("disconnected", left.getString("reason"));
        assertEquals(1008, a.awaitClose());
      }
      // Both bindings by default; the HTTP binding holds a poll for SIGNALBOX_POLL_MS.
      try (TestClient h = TestClient.connect(server.http("/signal/http"))) {
        assertEquals(1000, h.http().pollMs());
        assertEquals(2, h.welcome().getJsonObject("limits").getInt("maxRoomSize"));
        h.join("h", "H");
        h.expectNothing(Duration.ofMillis(2500)); // two empty polls, and still there
        h.send("{\"type\":\"ping\",\"id\":1}");
        assertEquals(1, h.expect("pong").getInt("ref"));
      }
      // adminAuth is off by default: no admin API, whatever the request carries.
      AdminChecks.offIsNotFound(server.http("/"), "Bearer " + Tokens.admin("ops"));
    }
  }

  /**
   * serverNames, trustedProxies and maxConnectionsPerAddress in the run command's Jetty. The WAR's
   * socket filter, registered to run before the container's own filters, answers a client over
   * its limit with 429 before Jetty's upgrade, as in every container.
   */
  @Test
  void serverNamesProxiesAndThePerAddressLimitApply() throws Exception {
    try (RunCommandServer server = RunCommandServer.start("limits", Map.of(
        "SIGNALBOX_SERVER_NAMES", "signalbox.test",
        "SIGNALBOX_TRUSTED_PROXIES", "127.0.0.1",
        "SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS", "3",
        "SIGNALBOX_TRANSPORTS", "websocket"))) {
      // Only the socket is served: the HTTP binding is not there at all (served, it would refuse
      // this Host with 403), and the container's default servlet answers instead.
      HttpResponse<String> open = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(server.http("/signal/http")).timeout(TestClient.WAIT)
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(open.statusCode() == 404 || open.statusCode() == 405,
          () -> open.statusCode() + " " + open.body());
      DeployedChecks.serverNamesAndTheForwardedSchemeDecide(server.socket(), "signalbox.test");
      DeployedChecks.connectionsPerAddressAreLimited(server.socket(), "signalbox.test", 3, 429);
    }
  }

  @Test
  void aValueThatDoesNotParseFailsTheDeploymentNamingTheSetting() throws Exception {
    try (RunCommandServer server =
        RunCommandServer.launch("bad-setting", Map.of("SIGNALBOX_HEARTBEAT_MS", "soon"))) {
      assertTrue(server.awaitOutput("signalbox.heartbeatMs", Duration.ofSeconds(180)),
          "the failure names the setting");
      assertTrue(server.output().contains("SIGNALBOX_HEARTBEAT_MS"));
      HttpClient http = HttpClient.newHttpClient();
      int status;
      try {
        status = http.send(HttpRequest.newBuilder(server.http("/health"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode();
      } catch (java.io.IOException e) {
        status = -1; // nothing serves at all: also not deployed
      }
      assertNotEquals(200, status, "the application is not serving");
    }
  }
}
