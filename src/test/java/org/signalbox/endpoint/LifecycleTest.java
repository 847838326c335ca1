package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;
import org.signalbox.testing.WelcomelessClient;

/**
 * Heartbeats, the connection cap and a node's stop. Frame size, rate, flooding and stalled
 * receivers are in {@link FlowControlTest}.
 */
class LifecycleTest {


  @Test
  void heartbeatsPingLiveClientsAndDropSilentOnesIntoTheGrace() {
    try (EmbeddedServer server =
        EmbeddedServer.start(Map.of("heartbeatMs", "200", "resumeGraceMs", "600"))) {
      TestClient[] c = TestClient.room(server.uri(), "beat", 3);
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
        TestClient.closeAll(c);
      }
    }
  }

  @Test
  void pastMaxConnectionsASocketIsClosedWith1013() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxConnections", "2"));
        TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      assertEquals(1, b.welcome().getInt("protocol"));
      try (WelcomelessClient refused = new WelcomelessClient(server.uri())) {
        assertEquals(1013, refused.awaitClose(Duration.ofSeconds(10)));
        assertEquals(List.of(), refused.texts(), "no welcome for a refused connection");
      }
      a.closeWith(1000);
      MembershipTest.awaitConnections(server, 1);
      try (TestClient c = TestClient.connect(server.uri())) {
        assertEquals(1, c.welcome().getInt("protocol"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void stoppingTheNodeClosesEverySocketWith1001(Binding binding) {
    EmbeddedServer server = EmbeddedServer.start();
    try (TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      a.join("room", "A");
      server.node().stop();
      assertEquals(1001, a.awaitClose());
      assertEquals(1001, b.awaitClose());
    } finally {
      server.close();
    }
  }
}
