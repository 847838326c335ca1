package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many senders flood one receiver each, from many threads at once: 5 rooms of 10 clients, in each
 * room 9 senders and 1 receiver. Every message must arrive exactly once, in per-sender order,
 * from the right sender; no sender gets an error and no socket closes. Depends only on a socket
 * URI and an Origin, so the same scenario runs against embedded Tyrus and the run command's Jetty.
 */
public final class ConcurrencyScenario {

  static final int ROOMS = 5;
  static final int SENDERS_PER_ROOM = 9;
  /** Within the default burst (500), so the rate limit never answers instead of relaying. */
  static final int MESSAGES_PER_SENDER = 300;

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private ConcurrencyScenario() {}

  /** What one run moved. */
  public record Result(int messages, Duration elapsed) {}

  public static Result run(URI uri, String origin) throws Exception {
    List<TestClient> all = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(ROOMS * (SENDERS_PER_ROOM + 1));
    try {
      List<TestClient> receivers = new ArrayList<>();
      List<List<TestClient>> senders = new ArrayList<>();
      for (int r = 0; r < ROOMS; r++) {
        String room = "flood-" + r + "-" + System.nanoTime();
        TestClient receiver = TestClient.connect(uri, origin);
        all.add(receiver);
        receiver.join(room, "receiver-" + r);
        receivers.add(receiver);
        List<TestClient> roomSenders = new ArrayList<>();
        for (int s = 0; s < SENDERS_PER_ROOM; s++) {
          TestClient sender = TestClient.connect(uri, origin);
          all.add(sender);
          sender.join(room, "sender-" + r + "-" + s);
          roomSenders.add(sender);
          receiver.expect("peer-joined");
        }
        // Each sender saw the senders after it join; read those events before the flood.
        for (int s = 0; s < SENDERS_PER_ROOM; s++) {
          for (int later = s + 1; later < SENDERS_PER_ROOM; later++) {
            roomSenders.get(s).expect("peer-joined");
          }
        }
        senders.add(roomSenders);
      }

      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> sending = new ArrayList<>();
      long start = System.nanoTime();
      for (int r = 0; r < ROOMS; r++) {
        String to = receivers.get(r).welcomePeerId();
        for (TestClient sender : senders.get(r)) {
          sending.add(threads.submit(() -> {
            go.await();
            for (int seq = 0; seq < MESSAGES_PER_SENDER; seq++) {
              // Alternate the two relay types so both paths are flooded.
              String type = seq % 2 == 0 ? "signal" : "message";
              sender.send("{\"type\":\"" + type + "\",\"to\":\"" + to
                  + "\",\"data\":{\"seq\":" + seq + ",\"pad\":\"" + "x".repeat(64) + "\"}}");
            }
            return null;
          }));
        }
      }
      List<Future<Map<String, Integer>>> receiving = new ArrayList<>();
      for (TestClient receiver : receivers) {
        receiving.add(threads.submit(() -> receiveAll(receiver)));
      }
      go.countDown();
      long deadline = DEADLINE.toMillis();
      for (Future<?> f : sending) {
        f.get(deadline, TimeUnit.MILLISECONDS);
      }
      for (int r = 0; r < ROOMS; r++) {
        Map<String, Integer> counts = receiving.get(r).get(deadline, TimeUnit.MILLISECONDS);
        for (TestClient sender : senders.get(r)) {
          assertEquals(MESSAGES_PER_SENDER, counts.getOrDefault(sender.welcomePeerId(), 0),
              "messages from one sender");
        }
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      for (TestClient client : all) {
        JsonObject stray = client.poll();
        assertEquals(null, stray, "no sender gets an error, no receiver an extra frame");
        assertFalse(client.isClosed(), "no socket closes");
      }
      return new Result(ROOMS * SENDERS_PER_ROOM * MESSAGES_PER_SENDER, elapsed);
    } finally {
      threads.shutdownNow();
      all.forEach(TestClient::close);
    }
  }

  /** Reads this room's whole flood, checking per-sender order; returns the count per sender. */
  private static Map<String, Integer> receiveAll(TestClient receiver) {
    Map<String, Integer> next = new HashMap<>();
    int expected = SENDERS_PER_ROOM * MESSAGES_PER_SENDER;
    for (int i = 0; i < expected; i++) {
      JsonObject frame = receiver.next(Duration.ofSeconds(20));
      String type = frame.getString("type");
      assertTrue(type.equals("signal") || type.equals("message"), () -> "unexpected " + frame);
      String from = frame.getString("from");
      int seq = frame.getJsonObject("data").getInt("seq");
      int want = next.getOrDefault(from, 0);
      assertEquals(want, seq, () -> "per-sender order from " + from);
      assertEquals(seq % 2 == 0 ? "signal" : "message", type);
      next.put(from, want + 1);
    }
    return next;
  }
}
