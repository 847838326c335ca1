package org.signalbox.transport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.signalbox.protocol.Utf8;

/**
 * The only writer to one {@link Session}: an ordered, bounded queue that never makes its caller
 * wait. Tomcat and Jetty throw when two threads send on one session at once, so every text, ping
 * and close goes through here and at most one write is in progress.
 *
 * <p>Texts are written with the non-blocking {@code getAsyncRemote().sendText}; the completion
 * handler writes the next. Jetty and Tyrus complete a write that fits the socket inside the call,
 * so a backlog drains on the thread that queued it; Tomcat runs every completion as a new task on
 * its request executor, so there a backlog drains one executor round trip per frame, which under
 * a flood from many senders is slow, though never out of order. Pings and closes are blocking
 * calls in the API, so they run on the {@code blocking} executor, never on a thread that serves
 * other peers. {@link #offer} never waits: when {@code capacity} texts, or {@code byteCapacity}
 * UTF-8 bytes of them, are accepted and not yet written, the outbox closes itself and reports the
 * overflow instead, because signaling must not silently skip an SDP or candidate. Bounding bytes
 * as well as frames is what keeps a receiver that stops reading from pinning its peers' largest
 * frames: 1,024 frames of 64 KiB would be 64 MiB.
 *
 * <p>When texts wait behind the one being written, and the container gathers batched frames
 * ({@link WriteBatching}), the outbox writes them in batch mode and flushes once when the queue
 * runs dry: one socket write for the backlog instead of one per frame, and on Tomcat no executor
 * round trip per frame. The flush is a blocking call in the API, so it runs on the {@code
 * blocking} executor like a ping. Without a backlog nothing changes: a lone frame is written at
 * once, so batching costs no latency when the server is not busy.
 *
 * <p>It also tells how long texts have waited without a write completing ({@link #stalledNanos}):
 * a client that keeps sending (pongs included) but never reads shows no other sign of it.
 */
public final class Outbox {

  private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

  /**
   * How long a close waits for the writes before it. A receiver that reads completes them at
   * once; a stalled one never will, and then the session is closed regardless (the container
   * aborts it).
   */
  static final long CLOSE_WAIT_MS = 2_000;

  /** Queue marker for a heartbeat ping. */
  private static final Object PING = new Object();
  /** Marker: flush the texts the container holds in batch mode. */
  private static final Object FLUSH = new Object();

  /** A text queued behind the write in progress, with its UTF-8 length counted once. */
  private record Queued(String text, int bytes) {}

  private final Session session;
  private final int capacity;
  private final long byteCapacity;
  private final Executor blocking;
  private final ScheduledExecutorService timers;
  private final Consumer<String> onOverflow;
  private final SendHandler onSent = this::onSent;
  /** Whether this session's container gathers batched frames into one write. */
  private final boolean batches;
  /** Told of every text sent in batch mode, before it can reach the socket (a metric). */
  private final Runnable onBatched;

  // All fields below are guarded by this.
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** Texts accepted and not yet written: queued plus the one in progress. */
  private int pendingTexts;
  /** UTF-8 bytes of those texts. */
  private long pendingBytes;
  /** UTF-8 bytes of the text being written, taken off {@link #pendingBytes} when it completes. */
  private int writingBytes;
  /** When the texts now pending began to wait: the last completed write, or the first offer. */
  private long progressNanos;
  /** True while one thread owns the session's remote endpoint (a write or ping in progress). */
  private boolean writing;
  /** True while the owning thread is inside an async sendText: a completion then only sets a flag. */
  private boolean inSend;

  private boolean completedInSend;
  private boolean pingQueued;
  /** Texts went to the container in batch mode and have not been flushed. */
  private boolean batchOpen;
  /** No more texts or pings are taken. */
  private boolean closed;
  /** A close waiting for the writes queued before it, so that it never races a write. */
  private CloseReason pendingClose;
  /** Set once session.close has been called (or the container closed the session). */
  private boolean sessionClosing;

  /**
   * @param capacity texts accepted and not yet written (outboundQueue)
   * @param byteCapacity UTF-8 bytes of those texts (outboundBytes)
   * @param blocking runs pings and closes, which block
   * @param timers schedules the give-up of a close that waits for a stalled write
   * @param onOverflow run once, outside any lock, with the bound that was passed
   */
  public Outbox(
      Session session, int capacity, long byteCapacity, Executor blocking,
      ScheduledExecutorService timers, Consumer<String> onOverflow) {
    this(session, capacity, byteCapacity, blocking, timers, onOverflow, () -> {});
  }

  /** @param onBatched told of every text sent in batch mode, before it can reach the socket */
  public Outbox(
      Session session, int capacity, long byteCapacity, Executor blocking,
      ScheduledExecutorService timers, Consumer<String> onOverflow, Runnable onBatched) {
    this.session = session;
    this.capacity = capacity;
    this.byteCapacity = byteCapacity;
    this.blocking = blocking;
    this.timers = timers;
    this.onOverflow = onOverflow;
    this.batches = WriteBatching.gathers(session);
    this.onBatched = onBatched;
  }

  /**
   * Queues {@code text} behind everything offered before it.
   *
   * @return false when the outbox is closed, or this text overflowed it (which closes it)
   */
  public boolean offer(String text) {
    int bytes = (int) Utf8.length(text);
    String overflow = null;
    DeferredWrites deferred = null;
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (pendingTexts >= capacity) {
        overflow = "outbound queue overflow (" + capacity + " frames)";
      } else if (pendingBytes + bytes > byteCapacity) {
        overflow = "outbound queue overflow (" + byteCapacity + " bytes)";
      }
      if (overflow != null) {
        closed = true;
        queue.clear();
      } else {
        if (pendingTexts == 0) {
          progressNanos = System.nanoTime();
        }
        pendingTexts++;
        pendingBytes += bytes;
        if (writing) {
          queue.add(new Queued(text, bytes));
          return true;
        }
        writing = true;
        writingBytes = bytes;
        deferred = DeferredWrites.current();
        if (deferred != null) {
          // Owned and queued: frames offered after this one queue behind it until the scope
          // closes and starts the write, outside the caller's locks.
          queue.add(new Queued(text, bytes));
        }
      }
    }
    if (overflow != null) {
      onOverflow.accept(overflow);
      return false;
    }
    if (deferred != null) {
      deferred.owe(this);
    } else {
      writeFrom(text);
    }
    return true;
  }

  /** Starts the write that {@link #offer} deferred to a {@link DeferredWrites} scope. */
  void startOwedWrite() {
    Object next;
    synchronized (this) {
      next = takeNext();
    }
    if (next != null) {
      writeFrom(next);
    }
  }

  /** Texts accepted and not yet written. */
  public synchronized int pending() {
    return pendingTexts;
  }

  /** UTF-8 bytes of the texts accepted and not yet written. */
  public synchronized long pendingBytes() {
    return pendingBytes;
  }

  /**
   * How long texts have been waiting with no write completed: 0 when none waits. A receiver that
   * reads completes writes all the time, however long its queue.
   */
  public synchronized long stalledNanos(long nowNanos) {
    return pendingTexts == 0 ? 0 : nowNanos - progressNanos;
  }

  /** Queues a WebSocket ping unless one is already waiting. */
  public void ping() {
    synchronized (this) {
      if (closed || pingQueued) {
        return;
      }
      pingQueued = true;
      if (writing) {
        queue.add(PING);
        return;
      }
      writing = true;
    }
    writeFrom(PING);
  }

  /**
   * Takes no more frames and closes the session with {@code reason} after what is already
   * queued (answers to the frame that caused the close among them), off the caller's thread. It
   * waits for those writes at most {@link #CLOSE_WAIT_MS}: a stalled receiver may never finish
   * them.
   */
  public void close(CloseReason reason) {
    boolean now;
    synchronized (this) {
      if (sessionClosing || pendingClose != null) {
        return;
      }
      closed = true;
      now = !writing;
      if (now) {
        writing = true;
        sessionClosing = true;
      } else {
        pendingClose = reason;
      }
    }
    if (now) {
      blocking.execute(() -> closeSession(reason));
    } else {
      // The timer only hands over: session.close may block, and the timer thread is shared.
      try {
        timers.schedule(
            () -> blocking.execute(() -> closeIfStillPending(reason)),
            CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        // The node stopped its timer: close without waiting for the write in progress.
        blocking.execute(() -> closeIfStillPending(reason));
      }
    }
  }

  /** Stops taking frames without closing: for a session the container already closed. */
  public synchronized void discard() {
    closed = true;
    sessionClosing = true;
    pendingClose = null;
    queue.clear();
  }

  private void closeIfStillPending(CloseReason reason) {
    synchronized (this) {
      if (sessionClosing) {
        return;
      }
      sessionClosing = true;
      pendingClose = null;
      queue.clear();
    }
    closeSession(reason);
  }

  private void closeSession(CloseReason reason) {
    try {
      session.close(reason);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "close of " + session.getId() + " failed: " + e);
    }
  }

  /** Writes {@code item} and whatever follows it; the caller owns the remote endpoint. */
  private void writeFrom(Object item) {
    Object next = item;
    while (next != null) {
      if (next == PING || next == FLUSH || next instanceof CloseReason) {
        Object blockingItem = next;
        blocking.execute(() -> drainBlocking(blockingItem));
        return;
      }
      boolean startBatch;
      boolean batched;
      synchronized (this) {
        inSend = true;
        completedInSend = false;
        startBatch = batches && !batchOpen && queue.peek() instanceof Queued;
        batchOpen |= startBatch;
        batched = batchOpen;
      }
      try {
        if (startBatch) {
          session.getAsyncRemote().setBatchingAllowed(true);
        }
        if (batched) {
          onBatched.run();
        }
        session.getAsyncRemote().sendText((String) next, onSent);
      } catch (IOException | RuntimeException e) {
        abandon(e);
        return;
      }
      synchronized (this) {
        inSend = false;
        if (!completedInSend) {
          return; // onSent continues from another thread
        }
        next = takeNext();
      }
    }
  }

  /**
   * Writes a ping, a flush or a close, which block, on a blocking thread; texts go back to
   * writeFrom. Batched texts are flushed first, so nothing is written out of order.
   */
  private void drainBlocking(Object item) {
    Object next = item;
    while (next == PING || next == FLUSH || next instanceof CloseReason) {
      boolean flushed = endBatch();
      if (next instanceof CloseReason reason) {
        closeSession(reason);
        return; // the session is closing: it stays owned, nothing more is written
      }
      if (!flushed) {
        return;
      }
      if (next == FLUSH) {
        synchronized (this) {
          next = takeNext();
        }
        continue;
      }
      try {
        synchronized (this) {
          pingQueued = false;
        }
        session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
      } catch (IOException | RuntimeException e) {
        abandon(e);
        return;
      }
      synchronized (this) {
        next = takeNext();
      }
    }
    writeFrom(next);
  }

  /** Leaves batch mode, which flushes what the container holds; false when that failed. */
  private boolean endBatch() {
    synchronized (this) {
      if (!batchOpen) {
        return true;
      }
      batchOpen = false;
    }
    try {
      session.getAsyncRemote().setBatchingAllowed(false);
      return true;
    } catch (IOException | RuntimeException e) {
      abandon(e);
      return false;
    }
  }

  private void onSent(SendResult result) {
    Object next;
    synchronized (this) {
      pendingTexts--;
      pendingBytes -= writingBytes;
      writingBytes = 0;
      progressNanos = System.nanoTime();
      if (!result.isOK()) {
        closed = true;
        queue.clear();
      }
      if (inSend) {
        // Completed inside sendText: the loop in writeFrom goes on, keeping the stack flat.
        completedInSend = true;
        return;
      }
      next = takeNext();
    }
    if (!result.isOK()) {
      LOG.log(Level.DEBUG, () -> "write to " + session.getId() + " failed: " + result.getException());
    }
    writeFrom(next);
  }

  private void abandon(Exception e) {
    CloseReason waiting;
    synchronized (this) {
      closed = true;
      queue.clear();
      writing = false;
      inSend = false;
      batchOpen = false;
      waiting = sessionClosing ? null : pendingClose;
      if (waiting != null) {
        pendingClose = null;
        sessionClosing = true;
      }
    }
    // The session closed under us, or the container gave up on a stalled receiver; its onClose
    // or onError reports the end of the connection.
    LOG.log(Level.DEBUG, () -> "session " + session.getId() + " stopped taking frames: " + e);
    if (waiting != null) {
      closeSession(waiting);
    }
  }

  // Caller holds the lock. Releases ownership of the remote endpoint when there is nothing to do.
  // What was queued before a close is written first; the close is the last thing done.
  private Object takeNext() {
    Object next = queue.poll();
    if (next instanceof Queued text) {
      writingBytes = text.bytes();
      next = text.text();
    }
    if (next == null && pendingClose != null && !sessionClosing) {
      next = pendingClose;
      pendingClose = null;
      sessionClosing = true;
    }
    if (next == null && batchOpen) {
      next = FLUSH; // still owned: the flush is the last write of the backlog
    }
    if (next == null) {
      writing = false;
    }
    return next;
  }
}
