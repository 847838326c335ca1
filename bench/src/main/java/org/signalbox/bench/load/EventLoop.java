package org.signalbox.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * The load generator's one thread: a selector over every client socket and a timer queue. One
 * thread keeps the generator on the single core it is pinned to, and needs no locks.
 */
public final class EventLoop implements AutoCloseable {

  private record Timer(long dueNanos, long order, Runnable task) {}

  private final Selector selector;
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(
          (a, b) -> a.dueNanos != b.dueNanos
              ? Long.compare(a.dueNanos, b.dueNanos)
              : Long.compare(a.order, b.order));
  private long timerOrder;

  public EventLoop() {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Selector selector() {
    return selector;
  }

  /** Runs {@code task} on this loop after {@code delayNanos}. */
  public void schedule(long delayNanos, Runnable task) {
    timers.add(new Timer(System.nanoTime() + delayNanos, timerOrder++, task));
  }

  /**
   * Serves sockets and timers until {@code done} holds or {@code limitNanos} have passed.
   *
   * @return whether {@code done} held
   */
  public boolean runUntil(BooleanSupplier done, long limitNanos) {
    long end = System.nanoTime() + limitNanos;
    try {
      while (!done.getAsBoolean()) {
        long now = System.nanoTime();
        if (now >= end) {
          return false;
        }
        while (!timers.isEmpty() && timers.peek().dueNanos <= now) {
          timers.poll().task.run();
        }
        if (done.getAsBoolean()) {
          return true;
        }
        long until = timers.isEmpty() ? end : Math.min(end, timers.peek().dueNanos);
        long waitMillis = Math.max(0, (until - System.nanoTime()) / 1_000_000);
        if (waitMillis == 0) {
          selector.selectNow(this::ready);
        } else {
          selector.select(this::ready, waitMillis);
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void ready(SelectionKey key) {
    ((LoopSocket) key.attachment()).ready(key);
  }

  @Override
  public void close() throws IOException {
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
  }
}
