package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.NodeGauges;
import org.signalbox.testing.RawSocket;
import org.signalbox.testing.TestClient;

/**
 * Write progress is liveness too (PROTOCOL.md, Limits in detail): a client that keeps its socket
 * alive with pongs but never reads would otherwise hold its place, and its queue, for ever, since
 * the heartbeat counts only what the client sends.
 */
class WriteProgressTest {

  private static final long WRITE_TIMEOUT_MS = 1_000;

  @Test
  void aReceiverThatPongsEvery200MsButNeverReadsIsClosed1008AndTheRoomSeesDisconnected()
      throws Exception {
    // Queues far larger than what the test sends: only the write timeout may close the receiver.
    Map<String, String> settings = Map.of(
        "writeTimeoutMs", Long.toString(WRITE_TIMEOUT_MS), "heartbeatMs", "5000",
        "messagesPerSecond", "100000", "burst", "4000", "outboundQueue", "8000",
        "outboundBytes", Integer.toString(512 * 1024 * 1024));
    ScheduledExecutorService ponger = Executors.newSingleThreadScheduledExecutor();
    try (EmbeddedServer server = EmbeddedServer.start(settings);
        RawSocket receiver = RawSocket.open(server.uri());
        TestClient sender = TestClient.connect(server.uri());
        TestClient witness = TestClient.connect(server.uri())) {
      receiver.join("pongs");
      sender.join("pongs", "sender");
      witness.join("pongs", "witness");
      sender.expect("peer-joined");
      receiver.pause();
      ponger.scheduleAtFixedRate(receiver::pong, 0, 200, TimeUnit.MILLISECONDS);
      String pad = "x".repeat(60_000);
      long start = System.nanoTime();
      long deadline = start + Duration.ofSeconds(30).toNanos();
      JsonObject left = null;
      int sent = 0;
      // Enough to fill the kernel's buffers and then some; sent slowly enough that the writes in
      // flight stall rather than the queue growing large.
      for (; left == null && sent < 600; sent++) {
        assertTrue(System.nanoTime() < deadline, "not closed after " + sent + " relays");
        sender.send("{\"type\":\"message\",\"to\":\"" + receiver.peerId() + "\",\"data\":\""
            + pad + "\"}");
        JsonObject f;
        while (left == null && (f = witness.poll()) != null) {
          if (f.getString("type").equals("peer-left")) {
            left = f;
          }
        }
      }
      if (left == null) {
        left = witness.expect("peer-left");
      }
      long closedAfterMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(receiver.peerId(), left.getString("peerId"));
      assertEquals("disconnected", left.getString("reason"));
      ponger.shutdownNow();
      NodeGauges.awaitCloses(server.node(), 1008, 1);
      // Reading again, the receiver finds what the network held, then the close frame; or, when
      // the server gave up waiting for the stalled write first (2 s), a reset.
      receiver.resume();
      int code = receiver.awaitClose();
      assertTrue(code == 1008 || code == 1006, "a policy close, or a reset after it: " + code);
      assertFalse(sender.isClosed() || witness.isClosed(), "only the receiver that did not read");
      System.out.printf("writeTimeoutMs=%d: a receiver that pongs every 200 ms and reads nothing"
          + " was closed 1008 %d ms after the flood began, after %d relays of 60 KB%n",
          WRITE_TIMEOUT_MS, closedAfterMs, sent);
    } finally {
      ponger.shutdownNow();
    }
  }

  @Test
  void aReceiverThatReadsSlowlyButSteadilyIsNeverClosed() throws Exception {
    Map<String, String> settings = Map.of(
        "writeTimeoutMs", "300", "heartbeatMs", "5000",
        "messagesPerSecond", "100000", "burst", "4000", "outboundQueue", "8000");
    try (EmbeddedServer server = EmbeddedServer.start(settings);
        TestClient receiver = TestClient.connect(server.uri());
        TestClient sender = TestClient.connect(server.uri())) {
      String to = receiver.join("steady", "receiver").getString("peerId");
      sender.join("steady", "sender");
      receiver.expect("peer-joined");
      String pad = "x".repeat(20_000);
      // 3 s of relays, each read as it comes: writes complete all the time.
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      int n = 0;
      while (System.nanoTime() < end && n < 3_000) {
        sender.send("{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":{\"n\":" + n
            + ",\"pad\":\"" + pad + "\"}}");
        assertEquals(n, receiver.expect("message").getJsonObject("data").getInt("n"));
        n++;
      }
      assertFalse(receiver.isClosed(), "read " + n + " relays and was closed");
      sender.send("{\"type\":\"ping\",\"id\":1}");
      sender.expect("pong");
    }
  }
}
