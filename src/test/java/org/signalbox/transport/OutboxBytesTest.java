package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox's byte bound and its measure of write progress, against a session whose writes
 * complete only when the test says so: a receiver that reads exactly when told.
 */
class OutboxBytesTest {

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  /** Completion handlers of the writes the session has taken and not completed, oldest first. */
  private final ConcurrentLinkedQueue<SendHandler> inFlight = new ConcurrentLinkedQueue<>();
  private final List<String> overflows = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  private Outbox outbox(int frames, long bytes) {
    RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class},
        (proxy, method, args) -> {
          if (method.getName().equals("sendText") && args.length == 2) {
            inFlight.add((SendHandler) args[1]);
          }
          return null;
        });
    Session session = (Session) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {Session.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getAsyncRemote" -> remote;
          case "getId" -> "s";
          default -> null;
        });
    return new Outbox(session, frames, bytes, Runnable::run, timers, overflows::add);
  }

  /** Completes the oldest write, as a socket that drained does. */
  private void completeOne() {
    inFlight.remove().onResult(new SendResult());
  }

  @Test
  void theFrameThatWouldPassTheByteBoundOverflowsItWhateverTheFrameCount() {
    Outbox outbox = outbox(1_000, 10_000);
    String kb3 = "x".repeat(3_000);
    assertTrue(outbox.offer(kb3));
    assertTrue(outbox.offer(kb3));
    assertTrue(outbox.offer(kb3));
    assertEquals(9_000, outbox.pendingBytes());
    assertFalse(outbox.offer(kb3), "12,000 bytes would pass 10,000");
    assertEquals(List.of("outbound queue overflow (10000 bytes)"), overflows);
    assertFalse(outbox.offer("x"), "an overflowed outbox takes nothing more");
  }

  @Test
  void bytesAreUtf8BytesAndLeaveTheCountWhenTheirWriteCompletes() {
    Outbox outbox = outbox(1_000, 10_000);
    outbox.offer("é".repeat(1_000)); // 2,000 bytes in 1,000 chars
    outbox.offer("€".repeat(1_000)); // 3,000 bytes
    outbox.offer("abc");
    assertEquals(5_003, outbox.pendingBytes());
    completeOne();
    assertEquals(3_003, outbox.pendingBytes());
    completeOne();
    completeOne();
    assertEquals(0, outbox.pendingBytes());
    assertEquals(0, outbox.pending());
    assertTrue(outbox.offer("😀".repeat(2_499)), "9,996 bytes fit again");
    assertEquals(List.of(), overflows);
  }

  @Test
  void stallIsTheTimeSinceTheLastCompletedWriteWhileFramesWait() throws Exception {
    Outbox outbox = outbox(1_000, 1_000_000);
    assertEquals(0, outbox.stalledNanos(System.nanoTime()), "nothing waits");
    long before = System.nanoTime();
    outbox.offer("a");
    outbox.offer("b");
    long queued = System.nanoTime();
    assertTrue(outbox.stalledNanos(queued) <= queued - before);
    long later = queued + 5_000_000_000L;
    assertTrue(outbox.stalledNanos(later) >= 5_000_000_000L, "waiting since the first offer");
    completeOne();
    long afterProgress = System.nanoTime();
    assertTrue(outbox.stalledNanos(afterProgress) <= afterProgress - queued,
        "a completed write is progress: the clock starts again");
    completeOne();
    assertEquals(0, outbox.stalledNanos(later), "nothing waits any more");
  }
}
