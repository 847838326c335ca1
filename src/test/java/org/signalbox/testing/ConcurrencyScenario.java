package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many senders flood one receiver each, from many threads at once: {@link #ROOMS} rooms of 10
 * clients, in each room 9 senders and 1 receiver. Every frame must arrive exactly once, in
 * per-sender order, with {@code from} set to its sender's peerId and nothing crossing rooms; no
 * client gets an error or an unexpected frame and no socket closes.
 *
 * <p>Depends only on a socket URI and an Origin header, so the same scenario runs against
 * embedded Tyrus and against the Jetty server of the README's run command. Every wait is bounded
 * by one overall {@link #TIME_LIMIT}; a failure is an {@link AssertionError}.
 */
public final class ConcurrencyScenario {

  public static final int ROOMS = 5;
  public static final int SENDERS_PER_ROOM = 9;

  /**
   * Frames each sender relays. With its join and the final ping it stays inside the default burst
   * (500), so the rate limit never answers instead of relaying: any error is a server fault. All
   * senders of a room together send 990, within 2 x burst: the most that PROTOCOL.md guarantees a
   * reading receiver is never cut off for (outboundQueue is at least 2 x burst). More, and
   * whether the receiver keeps up depends on the container: Tomcat completes each async write on
   * a new executor task, and with 2,700 frames at once its receivers fell behind by over 1,024.
   */
  public static final int MESSAGES_PER_SENDER = 110;

  /** The whole run, set-up and clean-up included, takes at most this long. */
  public static final Duration TIME_LIMIT = Duration.ofSeconds(20);

  /** Makes the frames big enough that many of them are in flight at once in every buffer. */
  private static final String PAD = "x".repeat(64);

  /** The longest one frame may take to arrive once the flood is running. */
  private static final Duration FRAME_WAIT = Duration.ofSeconds(10);

  private ConcurrencyScenario() {}

  /**
   * What one run moved.
   *
   * @param messages relayed frames, all delivered
   * @param elapsed from the start signal to the last frame received
   */
  public record Result(int messages, Duration elapsed) {}

  /** One room: its receiver, and its senders by display name. */
  private record Flood(TestClient receiver, Map<String, TestClient> senders) {}

  /**
   * Runs the scenario against the socket at {@code uri}.
   *
   * @param origin the {@code Origin} header to send, or null for none
   * @throws AssertionError when anything was lost, duplicated, reordered, misattributed, refused,
   *     closed, or the run did not finish within {@link #TIME_LIMIT}
   */
  public static Result run(URI uri, String origin) {
    long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
    List<TestClient> all = new ArrayList<>();
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(ROOMS * (SENDERS_PER_ROOM + 1), r -> {
      Thread t = new Thread(r, "concurrency-scenario-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      String run = Long.toString(System.nanoTime(), 36);
      List<Flood> floods = new ArrayList<>();
      for (int r = 0; r < ROOMS; r++) {
        floods.add(fill("flood-" + run + "-" + r, uri, origin, all));
      }

      // Every thread is parked on the latch before the first frame goes out, so the senders of
      // all rooms really hit the server at once instead of one after the other.
      CountDownLatch ready = new CountDownLatch(ROOMS * SENDERS_PER_ROOM);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> sending = new ArrayList<>();
      List<Future<?>> receiving = new ArrayList<>();
      for (Flood flood : floods) {
        String to = flood.receiver().welcomePeerId();
        flood.senders().forEach((name, sender) -> sending.add(threads.submit(() -> {
          ready.countDown();
          go.await();
          for (int seq = 0; seq < MESSAGES_PER_SENDER; seq++) {
            sender.send(relay(seq, name, to));
          }
          return null;
        })));
        receiving.add(threads.submit(() -> {
          receiveAll(flood);
          return null;
        }));
      }
      assertTrue(await(ready, deadline), "sender threads did not start");
      long start = System.nanoTime();
      go.countDown();
      for (Future<?> f : sending) {
        get(f, deadline, "a sender");
      }
      for (Future<?> f : receiving) {
        get(f, deadline, "a receiver");
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

      // A ping is answered after everything the server sent to that client before it, so a pong
      // as the next frame proves no error, no duplicate and no stray frame is on its way.
      for (TestClient client : all) {
        assertFalse(client.isClosed(), "no socket closes");
        client.send("{\"type\":\"ping\",\"id\":\"drain\"}");
      }
      for (TestClient client : all) {
        JsonObject pong = client.next(remaining(deadline));
        assertEquals("pong", pong.getString("type"), () -> "unexpected frame " + pong);
        assertEquals("drain", pong.getString("ref"));
        assertFalse(client.isClosed(), "no socket closes");
      }
      return new Result(ROOMS * SENDERS_PER_ROOM * MESSAGES_PER_SENDER, elapsed);
    } finally {
      threads.shutdownNow();
      closeAll(all, deadline);
    }
  }

  /** Joins one receiver and then the senders, reading every membership event of the set-up. */
  private static Flood fill(String room, URI uri, String origin, List<TestClient> all) {
    List<TestClient> members = new ArrayList<>();
    TestClient receiver = TestClient.connect(uri, origin);
    all.add(receiver);
    receiver.join(room, "receiver");
    members.add(receiver);
    Map<String, TestClient> senders = new HashMap<>();
    for (int s = 0; s < SENDERS_PER_ROOM; s++) {
      String name = "sender-" + s;
      TestClient sender = TestClient.connect(uri, origin);
      all.add(sender);
      JsonObject joined = sender.join(room, name);
      assertEquals(members.size(), joined.getJsonArray("peers").size(), "joined.peers is the room");
      for (TestClient member : members) {
        JsonObject event = member.expect("peer-joined");
        assertEquals(sender.welcomePeerId(), event.getJsonObject("peer").getString("peerId"));
      }
      members.add(sender);
      senders.put(name, sender);
    }
    return new Flood(receiver, senders);
  }

  /** Alternates the two relay types, so both paths are flooded and must keep one order. */
  private static String relay(int seq, String sender, String to) {
    String type = seq % 2 == 0 ? "signal" : "message";
    return "{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"data\":{\"sender\":\"" + sender
        + "\",\"seq\":" + seq + ",\"pad\":\"" + PAD + "\"}}";
  }

  /** Reads one room's whole flood, checking sender, order and shape of every frame. */
  private static void receiveAll(Flood flood) {
    TestClient receiver = flood.receiver();
    String self = receiver.welcomePeerId();
    Map<String, Integer> next = new HashMap<>();
    int expected = SENDERS_PER_ROOM * MESSAGES_PER_SENDER;
    for (int i = 0; i < expected; i++) {
      JsonObject frame;
      try {
        frame = receiver.next(FRAME_WAIT);
      } catch (AssertionError stalled) {
        // Which senders stalled, and where, tells a lost frame from a stuck connection.
        throw new AssertionError(stalled.getMessage() + " after " + i + " of " + expected
            + " frames; next expected seq by sender: " + new java.util.TreeMap<>(next), stalled);
      }
      String type = frame.getString("type");
      assertTrue(type.equals("signal") || type.equals("message"), () -> "unexpected " + frame);
      JsonObject data = frame.getJsonObject("data");
      String name = data.getString("sender");
      TestClient sender = flood.senders().get(name);
      assertNotNull(sender, () -> "a frame crossed rooms: " + frame);
      assertEquals(sender.welcomePeerId(), frame.getString("from"), "from is the sender's peerId");
      int seq = data.getInt("seq");
      int want = next.getOrDefault(name, 0);
      // Consecutive from 0 for each sender, over exactly all frames sent: exactly once each.
      assertEquals(want, seq, () -> "order of " + name + "'s frames");
      assertEquals(seq % 2 == 0 ? "signal" : "message", type, "relayed as the type sent");
      if (type.equals("message")) {
        assertEquals(self, frame.getString("to"), "a message sent to one peer says so");
      }
      next.put(name, want + 1);
    }
  }

  private static void get(Future<?> f, long deadline, String what) {
    try {
      f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
          ? c.getCause() : e.getCause();
      if (cause instanceof AssertionError failure) {
        throw failure;
      }
      throw new AssertionError(what + " failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not finish within " + TIME_LIMIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static boolean await(CountDownLatch latch, long deadline) {
    try {
      return latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /**
   * Closes with a close frame so that the server ends each membership at once (an abort would
   * keep it for the resume grace), then drops whatever is left. Never throws, never waits long.
   */
  private static void closeAll(List<TestClient> all, long deadline) {
    for (TestClient client : all) {
      try {
        if (!client.isClosed()) {
          client.closeWith(1000);
        }
      } catch (RuntimeException | AssertionError e) {
        // Broken already: the abort below is all that is left to do.
      }
    }
    long closing = Math.min(deadline, System.nanoTime()) + Duration.ofSeconds(2).toNanos();
    for (TestClient client : all) {
      try {
        client.awaitClose(remaining(closing));
      } catch (RuntimeException | AssertionError e) {
        // No close reply in time; aborted below.
      }
      client.close();
    }
  }
}
