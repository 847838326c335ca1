package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.Signalbox;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;

/** What the node counts is what happened: each metric moves with the traffic that drives it. */
class MetricsTest {

  private static String scrape(EmbeddedServer server) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, server.node().metrics().registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void assertLine(String text, String line) {
    assertTrue(text.lines().anyMatch(l -> l.equals(line)), line + " in\n" + text);
  }

  @Test
  void trafficErrorsDropsResumesAndClosesAreCounted() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("burst", "5", "messagesPerSecond", "1"))) {
      String resumeToken;
      try (TestClient a = TestClient.connect(server.uri());
          TestClient b = TestClient.connect(server.uri())) {
        a.join("metrics", "A");
        resumeToken = b.join("metrics", "B").getString("resumeToken");
        a.expect("peer-joined");
        a.send("{\"type\":\"signal\",\"to\":\"" + b.welcomePeerId() + "\",\"data\":{}}");
        b.expect("signal");
        a.send("{\"type\":\"signal\",\"to\":\"nobody-here-at-all\",\"data\":{}}");
        a.expectError("unknown-peer");
        a.send("not json");
        a.expectError("bad-message");
        // A's bucket held 5 and 4 are spent (join, two signals, the bad frame): one ping passes,
        // the next is dropped.
        a.send("{\"type\":\"ping\"}");
        a.send("{\"type\":\"ping\"}");
        a.expect("pong");
        a.expectError("rate-limited");

        String text = scrape(server);
        // At least A and B (a connection of an earlier test may still be closing).
        assertTrue(text.lines().anyMatch(l -> l.startsWith("signalbox_connections ")
            && Double.parseDouble(l.substring("signalbox_connections ".length())) >= 2), text);
        assertLine(text, "signalbox_rooms 1.0");
        assertLine(text, "signalbox_peers 2.0");
        assertLine(text, "signalbox_messages_in_total{type=\"join\"} 2.0");
        assertLine(text, "signalbox_messages_in_total{type=\"signal\"} 2.0");
        assertLine(text, "signalbox_messages_in_total{type=\"invalid\"} 1.0");
        assertLine(text, "signalbox_messages_out_total{type=\"signal\"} 1.0");
        assertLine(text, "signalbox_messages_out_total{type=\"peer-joined\"} 1.0");
        assertLine(text, "signalbox_errors_total{code=\"unknown-peer\"} 1.0");
        assertLine(text, "signalbox_errors_total{code=\"bad-message\"} 1.0");
        assertLine(text, "signalbox_rate_limited_total 1.0");
        assertLine(text, "signalbox_errors_total{code=\"rate-limited\"} 1.0");
        assertTrue(text.contains("signalbox_outbox_depth "), text);
        b.abort();
      }
      try (TestClient back = TestClient.connect(server.uri())) {
        back.send("{\"type\":\"join\",\"room\":\"metrics\",\"resume\":\"" + resumeToken + "\"}");
        back.expect("joined");
        back.expectNothing(Duration.ofMillis(50));
      }
      String text = scrape(server);
      assertLine(text, "signalbox_resumes_total 1.0");
      // B's dropped connection at least (the test clients' own closes may add to it).
      assertTrue(text.contains("signalbox_closes_total{code=\"1006\"} "), text);
    }
  }

  @Test
  void closeCodesAClientChoosesAreCountedInTwoBucketsNotOneLabelEach() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start()) {
      int[] codes = {3001, 3999, 4000, 4321, 4999};
      for (int code : codes) {
        try (TestClient c = TestClient.connect(server.uri())) {
          c.closeWith(code);
          c.awaitClose();
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      String text = scrape(server);
      while (!text.contains("signalbox_closes_total{code=\"4000-4999\"} 3.0")) {
        assertTrue(System.nanoTime() < deadline, text);
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        text = scrape(server);
      }
      assertLine(text, "signalbox_closes_total{code=\"3000-3999\"} 2.0");
      for (int code : codes) {
        assertFalse(text.contains("code=\"" + code + "\""), text);
      }
    }
  }
}
