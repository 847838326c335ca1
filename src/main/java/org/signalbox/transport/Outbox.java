package org.signalbox.transport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The only writer to one {@link Session}: an ordered, bounded, asynchronous queue. Tomcat and
 * Jetty throw when two threads send on one session at once, so every text, ping and close goes
 * through here and at most one write is in flight.
 *
 * <p>Texts are written with the non-blocking {@code getAsyncRemote().sendText}; the completion
 * handler pulls the next one. Pings and closes are blocking calls in the API, so they run on the
 * {@code blocking} executor, never on a thread that serves other peers. {@link #offer} never
 * waits: when {@code capacity} texts are accepted and not yet written, the outbox closes itself
 * and reports the overflow instead, because signaling must not silently skip an SDP or candidate.
 */
public final class Outbox {

  private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

  /**
   * How long a close waits for the write in flight. A receiver that reads completes it at once; a
   * stalled one never will, and then the session is closed regardless (the container aborts it).
   */
  static final long CLOSE_WAIT_MS = 2_000;

  /** Queue marker for a heartbeat ping. */
  private static final Object PING = new Object();

  private final Session session;
  private final int capacity;
  private final Executor blocking;
  private final Runnable onOverflow;
  private final SendHandler onSent = this::onSent;

  // All fields below are guarded by this.
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** Texts accepted and not yet written: queued plus the one in flight. */
  private int pendingTexts;
  /** True while one thread owns the session's remote endpoint (a write or ping in flight). */
  private boolean writing;
  /** True while the owning thread is inside sendText: a completion then only sets a flag. */
  private boolean inSend;

  private boolean completedInSend;
  private boolean pingQueued;
  private boolean closed;
  /** A close waiting for the write in flight, so that it never races a write on the session. */
  private CloseReason pendingClose;
  /** Set once session.close has been called (or the container closed the session). */
  private boolean sessionClosing;

  /**
   * @param onOverflow run once, outside any lock, when {@code capacity} is passed
   */
  public Outbox(Session session, int capacity, Executor blocking, Runnable onOverflow) {
    this.session = session;
    this.capacity = capacity;
    this.blocking = blocking;
    this.onOverflow = onOverflow;
  }

  /**
   * Queues {@code text} behind everything offered before it.
   *
   * @return false when the outbox is closed, or this text overflowed it (which closes it)
   */
  public boolean offer(String text) {
    boolean overflow;
    synchronized (this) {
      if (closed) {
        return false;
      }
      overflow = pendingTexts >= capacity;
      if (overflow) {
        closed = true;
        queue.clear();
      } else {
        pendingTexts++;
        if (writing) {
          queue.add(text);
          return true;
        }
        writing = true;
      }
    }
    if (overflow) {
      onOverflow.run();
      return false;
    }
    writeFrom(text);
    return true;
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
   * Drops whatever is queued and closes the session with {@code reason}, off the caller's thread.
   * The close waits for a write in flight, so that it is one more write in order rather than a
   * second writer, but at most {@link #CLOSE_WAIT_MS}: a stalled receiver may never finish it.
   */
  public void close(CloseReason reason) {
    boolean now;
    synchronized (this) {
      if (sessionClosing || pendingClose != null) {
        return;
      }
      closed = true;
      queue.clear();
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
      CompletableFuture.delayedExecutor(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS, blocking)
          .execute(() -> closeIfStillPending(reason));
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
      if (next == PING) {
        blocking.execute(this::sendPing);
        return;
      }
      if (next instanceof CloseReason reason) {
        blocking.execute(() -> closeSession(reason));
        return;
      }
      synchronized (this) {
        inSend = true;
        completedInSend = false;
      }
      try {
        session.getAsyncRemote().sendText((String) next, onSent);
      } catch (RuntimeException e) {
        // The session closed under us; its onClose reports the end of the connection.
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

  private void onSent(SendResult result) {
    Object next;
    synchronized (this) {
      pendingTexts--;
      if (!result.isOK()) {
        closed = true;
        queue.clear();
      }
      if (inSend) {
        // Completed inside sendText: the trampoline in writeFrom goes on, keeping the stack flat.
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

  private void sendPing() {
    try {
      session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
    } catch (IOException | RuntimeException e) {
      abandon(e);
      return;
    }
    Object next;
    synchronized (this) {
      pingQueued = false;
      next = takeNext();
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
      waiting = sessionClosing ? null : pendingClose;
      if (waiting != null) {
        pendingClose = null;
        sessionClosing = true;
      }
    }
    LOG.log(Level.DEBUG, () -> "session " + session.getId() + " stopped taking frames: " + e);
    if (waiting != null) {
      closeSession(waiting);
    }
  }

  // Caller holds the lock. Releases ownership of the remote endpoint when there is nothing to do;
  // a close that waited for the write just finished is the last thing done.
  private Object takeNext() {
    if (pendingClose != null && !sessionClosing) {
      CloseReason reason = pendingClose;
      pendingClose = null;
      sessionClosing = true;
      return reason;
    }
    Object next = closed ? null : queue.poll();
    if (next == null) {
      writing = false;
    }
    return next;
  }
}
