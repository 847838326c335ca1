package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.NodeGauges;
import org.signalbox.testing.RawSocket;
import org.signalbox.testing.TestClient;

/**
 * What one connection can make the server hold is bounded by bytes, not only by frames
 * (PROTOCOL.md, Limits in detail): a receiver that stops reading, or one in its resume grace, fed
 * the largest frames its peers may send, pins at most {@code outboundBytes} or {@code
 * resumeBufferBytes}. With frame counts alone (1,024 queued, 256 buffered) each would pin 64 MiB
 * or 16 MiB of 64 KB frames.
 */
class MemoryBoundsTest {

  /** A relay near maxMessageBytes (64 KiB): the largest frame a peer may legally send. */
  private static final String PAD = "x".repeat(60_000);

  /** Frames a sender may send without meeting the rate limit, and queues that hold them. */
  private static final Map<String, String> UNTHROTTLED = Map.of(
      "messagesPerSecond", "100000", "burst", "4000", "outboundQueue", "8000");

  @Test
  void stalledReceiversFedMaximalFramesAreClosedAtOutboundBytesAndNeverHoldMore() throws Exception {
    int receivers = 4;
    long bound = 1024 * 1024;
    Map<String, String> settings = new java.util.HashMap<>(UNTHROTTLED);
    settings.put("outboundBytes", Long.toString(bound));
    try (EmbeddedServer server = EmbeddedServer.start(settings);
        TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      List<RawSocket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < receivers; i++) {
          RawSocket r = RawSocket.open(server.uri());
          stalled.add(r);
          r.join("pinned");
          r.pause();
        }
        a.join("pinned", "A");
        b.join("pinned", "B");
        Set<String> open = new HashSet<>();
        stalled.forEach(r -> open.add(r.peerId()));
        double peak = 0;
        int sent = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // Each stalled socket takes what the kernel buffers hold (a few MB on loopback), then the
        // server's queue fills to the bound: 400 frames (24 MB) per receiver is far past both.
        for (int round = 0; round < 400 && !open.isEmpty(); round++) {
          assertTrue(System.nanoTime() < deadline, "still open after " + sent + " relays: " + open);
          for (String to : open) {
            TestClient from = sent++ % 2 == 0 ? a : b;
            from.send("{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":\"" + PAD + "\"}");
          }
          peak = Math.max(peak, NodeGauges.read(server.node(), "signalbox_outbox_bytes"));
          drainLeaves(a, open);
        }
        assertTrue(open.isEmpty(), "never closed: " + open + " after " + sent + " relays of 60 KB");
        NodeGauges.awaitCloses(server.node(), 1008, receivers);
        for (RawSocket r : stalled) {
          // What the network held, then the close frame; or a reset where the server gave up
          // waiting for the stalled write first.
          r.resume();
          int code = r.awaitClose();
          assertTrue(code == 1008 || code == 1006, "closed for its outbound bytes: " + code);
        }
        System.out.printf("outboundBytes: %d stalled receivers closed after %d relays of 60 KB;"
            + " the server's queues peaked at %.0f bytes (bound %d each)%n",
            receivers, sent, peak, bound);
        assertTrue(peak <= receivers * (double) bound,
            "queued " + peak + " bytes for " + receivers + " receivers of " + bound);
        assertTrue(peak > 0, "the queues were used at all");
      } finally {
        stalled.forEach(RawSocket::close);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void peersInTheirGraceHoldAtMostResumeBufferBytesThenRelaysAreUndeliverable(Binding binding) throws Exception {
    int lost = 8;
    long bound = 512 * 1024;
    Map<String, String> settings = new java.util.HashMap<>(UNTHROTTLED);
    settings.put("resumeBufferBytes", Long.toString(bound));
    settings.put("resumeGraceMs", "120000");
    try (EmbeddedServer server = EmbeddedServer.start(settings);
        TestClient sender = TestClient.connect(server.uri(binding))) {
      sender.join("grace", "sender");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < lost; i++) {
        try (TestClient peer = TestClient.connect(server.uri(binding))) {
          ids.add(peer.join("grace", "P" + i).getString("peerId"));
          sender.expect("peer-joined");
          peer.abort();
        }
      }
      awaitConnections(server, 1);
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long before = usedHeapAfterGc(memory);
      int perPeer = (int) (bound / (PAD.length() + 100));
      for (String to : ids) {
        // The first frames fit the byte bound; the next one does not, far below resumeBuffer.
        for (int n = 0; n <= perPeer; n++) {
          sender.send("{\"type\":\"message\",\"id\":" + n + ",\"to\":\"" + to + "\",\"data\":\""
              + PAD + "\"}");
        }
        JsonObject refused = sender.expectError("undeliverable");
        assertEquals(perPeer, refused.getInt("ref"), "the first frame past the byte bound");
      }
      double held = NodeGauges.read(server.node(), "signalbox_resume_buffer_bytes");
      long growth = usedHeapAfterGc(memory) - before;
      System.out.printf("resumeBufferBytes: %d peers in grace hold %.0f bytes (bound %d each);"
          + " heap grew %d bytes, %d per peer%n", lost, held, bound, growth, growth / lost);
      assertTrue(held <= lost * (double) bound, "held " + held);
      assertTrue(held >= lost * (double) perPeer * PAD.length(), "held " + held);
      // Strings of ASCII take a byte a char; what else a buffered frame costs is small. Without
      // the byte bound each peer would hold 256 frames: 15 MB.
      assertTrue(growth < lost * bound * 3 / 2,
          "the heap grew " + growth + " bytes for " + lost + " peers of " + bound);
    }
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static void drainLeaves(TestClient witness, Set<String> open) {
    JsonObject f;
    while ((f = witness.poll()) != null) {
      if (f.getString("type").equals("peer-left")) {
        assertEquals("disconnected", f.getString("reason"));
        open.remove(f.getString("peerId"));
      }
    }
  }

  private static void awaitConnections(EmbeddedServer server, int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (server.node().connectionCount() != count) {
      assertTrue(System.nanoTime() < deadline, "connections: "
          + server.node().connectionCount() + ", want " + count);
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
