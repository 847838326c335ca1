package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.RedisServer;
import org.signalbox.testing.TestClient;

/**
 * {@code redisUrl} with a password and a database number, against a Redis that requires the
 * password: the right one serves, a wrong one leaves the node unavailable with one clear line,
 * and neither password reaches the log.
 */
class ClusterRedisPasswordIT {

  private static final String PASSWORD = "pw-7f3a9c1e";
  private static final String WRONG = "wrong-5b2d8e40";
  private static final Duration WAIT = Duration.ofSeconds(180);

  @Test
  void thePasswordInRedisUrlIsUsedAndAWrongOneIsReportedNotLogged() throws Exception {
    try (RedisServer redis = RedisServer.start("password", false)) {
      assertEquals("+OK", redis.command("CONFIG", "SET", "requirepass", PASSWORD));
      String base = "127.0.0.1:" + redis.port() + "/3";
      try (ClusterNodes right = ClusterNodes.start("password-right", 1, Map.of(
              "SIGNALBOX_REDIS_URL", "redis://:" + PASSWORD + "@" + base,
              "SIGNALBOX_ALLOWED_ORIGINS", "*"));
          RunCommandServer wrong = ClusterNodes.launch("password-wrong", 1, Map.of(
              "SIGNALBOX_REDIS_URL", "redis://:" + WRONG + "@" + base,
              "SIGNALBOX_ALLOWED_ORIGINS", "*"))) {
        // Serving (200) with the right password, and a join runs its script in Redis.
        assertEquals(200, right.health(0).status());
        try (TestClient client = TestClient.connect(right.socket(0))) {
          assertEquals("joined", client.join("with-password", "P").getString("type"));
        }

        // Its own answer, once deployed (Jetty answers 503 itself while it deploys).
        assertTrue(wrong.awaitOutput("Signalbox started", WAIT), wrong.output());
        HttpResponse<String> health = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(wrong.http("/health")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(503, health.statusCode(), "a wrong password: unavailable");
        assertTrue(health.body().contains("\"status\":\"unavailable\""), health.body());
        assertTrue(wrong.awaitOutput("WRONGPASS", Duration.ofSeconds(10)), wrong.output());
        String log = right.node(0).output() + wrong.output();
        assertFalse(log.contains(PASSWORD), "the password is not logged");
        assertFalse(log.contains(WRONG), "nor the wrong one");
        assertEquals(1, wrong.output().split("WRONGPASS", -1).length - 1,
            "one line for the refusal, not one per retry");
      }
    }
  }
}
