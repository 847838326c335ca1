package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.cluster.Deliveries;
import org.signalbox.cluster.LocalDeliveries;
import org.signalbox.room.Delivery;
import org.signalbox.room.Peer;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.LogCapture;
import org.signalbox.testing.TestClient;

/** A fault of the server's own while handling a frame: 1011, logged, and the room told. */
class ServerFaultTest {

  /** In-process deliveries that break on one kind of relay, as a bug in a bus would. */
  private static final class BrokenBroadcasts implements Deliveries {
    private final LocalDeliveries local = new LocalDeliveries();

    @Override
    public Delivery toPeer(Peer sender, String to, String frame, JsonValue ref)
        throws org.signalbox.protocol.ProtocolException {
      return local.toPeer(sender, to, frame, ref);
    }

    @Override
    public List<String> toRoom(Peer sender, String frame) {
      throw new IllegalStateException("bus down");
    }
  }

  @Test
  void anUnexpectedExceptionClosesWith1011AndTheRoomSeesDisconnected() {
    try (LogCapture log = new LogCapture();
        EmbeddedServer server = EmbeddedServer.start(Map.of(), new BrokenBroadcasts());
        TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      a.join("r", "A");
      b.join("r", "B");
      a.expect("peer-joined");
      a.send("{\"type\":\"signal\",\"to\":\"" + b.welcomePeerId() + "\",\"data\":{\"ok\":1}}");
      assertEquals(1, b.expect("signal").getJsonObject("data").getInt("ok"));
      a.send("{\"type\":\"message\",\"data\":\"to all\"}");
      assertEquals(1011, a.awaitClose());
      assertEquals("disconnected", b.expect("peer-left").getString("reason"));
      assertTrue(log.lines().stream().anyMatch(l -> l.contains("bus down")), log.lines().toString());
    }
  }
}
