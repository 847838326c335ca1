package org.signalbox.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.spi.JsonProvider;
import org.junit.jupiter.api.Test;
import org.signalbox.spi.RoomEvent;
import org.signalbox.spi.RoomEvent.PeerJoined;
import org.signalbox.spi.RoomEvent.PeerLeft;
import org.signalbox.spi.RoomEvent.PeerLost;
import org.signalbox.spi.RoomEvent.PeerResumed;
import org.signalbox.spi.RoomEvent.RoomFinished;
import org.signalbox.spi.RoomEvent.RoomStarted;

class WebhookPayloadTest {

  /** 2026-12-02T14:03:05.123Z */
  private static final long AT = 1796220185123L;
  private static final String TIMESTAMP = "\"timestamp\":\"2026-12-02T14:03:05.123Z\"";

  private final WebhookPayload payload = new WebhookPayload(JsonProvider.provider());

  @Test
  void roomStarted() {
    assertEquals(
        "{\"type\":\"room.started\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\"}}",
        payload.body(new RoomStarted("e1", "r1", AT)));
  }

  @Test
  void peerJoinedWithIdentity() {
    assertEquals(
        "{\"type\":\"peer.joined\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\",\"peerId\":\"p1\","
            + "\"name\":\"Ada \\\"L\\\"\",\"identity\":\"user-7\"}}",
        payload.body(new PeerJoined("e1", "r1", AT, "p1", "Ada \"L\"", "user-7")));
  }

  @Test
  void peerJoinedWithoutIdentityOmitsIt() {
    assertEquals(
        "{\"type\":\"peer.joined\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\",\"peerId\":\"p1\","
            + "\"name\":\"Ada\"}}",
        payload.body(new PeerJoined("e1", "r1", AT, "p1", "Ada", null)));
  }

  @Test
  void peerLost() {
    assertEquals(
        "{\"type\":\"peer.lost\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\",\"peerId\":\"p1\"}}",
        payload.body(new PeerLost("e1", "r1", AT, "p1")));
  }

  @Test
  void peerResumed() {
    assertEquals(
        "{\"type\":\"peer.resumed\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\",\"peerId\":\"p1\"}}",
        payload.body(new PeerResumed("e1", "r1", AT, "p1")));
  }

  @Test
  void peerLeft() {
    assertEquals(
        "{\"type\":\"peer.left\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\",\"peerId\":\"p1\","
            + "\"reason\":\"removed\"}}",
        payload.body(new PeerLeft("e1", "r1", AT, "p1", "removed")));
  }

  @Test
  void roomFinished() {
    assertEquals(
        "{\"type\":\"room.finished\"," + TIMESTAMP + ",\"data\":{\"room\":\"r1\","
            + "\"durationMs\":3600123}}",
        payload.body(new RoomFinished("e1", "r1", AT, 3_600_123)));
  }

  @Test
  void theTimestampAlwaysHasMilliseconds() {
    assertEquals(
        "{\"type\":\"room.started\",\"timestamp\":\"2026-12-02T14:03:05.000Z\","
            + "\"data\":{\"room\":\"r1\"}}",
        payload.body(new RoomStarted("e1", "r1", 1796220185000L)));
  }

  @Test
  void theSameEventGivesTheSameBodyOnEveryAttempt() {
    RoomEvent event = new PeerJoined("e1", "r1", AT, "p1", "Ada", "user-7");
    String first = payload.body(event);
    assertEquals(first, payload.body(event));
    assertEquals(first, new WebhookPayload(JsonProvider.provider()).body(event));
  }
}
