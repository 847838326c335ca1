package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.Signalbox;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.room.Admission;
import org.signalbox.room.Delivery;
import org.signalbox.room.Link;
import org.signalbox.room.Member;
import org.signalbox.room.Membership;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.LogCapture;
import org.signalbox.testing.TestClient;

/** A fault of the server's own while handling a frame: 1011, logged, and the room told. */
class ServerFaultTest {

  /** In-memory rooms whose broadcasts break, as a bug in a cluster bus would. */
  private static final class BrokenBroadcasts implements Membership {
    private final Membership rooms;

    BrokenBroadcasts(Signalbox node) {
      this.rooms = Signalbox.inMemory(node);
    }

    @Override
    public Member join(Inbound.Join join, Admission admission, Link link, JsonValue ref)
        throws ProtocolException {
      Member member = rooms.join(join, admission, link, ref);
      return new Member() {
        @Override
        public String id() {
          return member.id();
        }

        @Override
        public String roomName() {
          return member.roomName();
        }

        @Override
        public Delivery relay(String to, String frame, JsonValue r) throws ProtocolException {
          return member.relay(to, frame, r);
        }

        @Override
        public List<String> broadcast(String frame, JsonValue r) {
          throw new IllegalStateException("bus down");
        }

        @Override
        public boolean leave(Link l, LeaveReason reason) {
          return member.leave(l, reason);
        }

        @Override
        public void lose(Link l) {
          member.lose(l);
        }
      };
    }

    @Override
    public int roomCount() {
      return rooms.roomCount();
    }

    @Override
    public int peerCount() {
      return rooms.peerCount();
    }

    @Override
    public List<Summary> rooms() {
      return rooms.rooms();
    }

    @Override
    public java.util.Optional<Detail> room(String name) {
      return rooms.room(name);
    }

    @Override
    public boolean remove(String room, String peerId) {
      return rooms.remove(room, peerId);
    }

    @Override
    public boolean close(String room) {
      return rooms.close(room);
    }

    @Override
    public boolean message(String room, String to, String frame) {
      return rooms.message(room, to, frame);
    }
  }

  @Test
  void anUnexpectedExceptionClosesWith1011AndTheRoomSeesDisconnected() {
    try (LogCapture log = new LogCapture();
        EmbeddedServer server = EmbeddedServer.start(Map.of(), BrokenBroadcasts::new);
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
