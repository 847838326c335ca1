package org.signalbox.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes that a thread owes while it handles one frame, started when it is done. A relay or a
 * membership event is queued under its room's lock; the container's async send writes to the
 * socket inside the call, so starting the write there would hold the room across a system call.
 * On a busy node (one core in the bench) a thread descheduled there stalls every other sender of
 * the room, and the stall grows with the number of threads. So while a scope is open, an {@link
 * Outbox} that would start writing only takes ownership of its session and queues the frame; the
 * scope's {@link #close} starts those writes after the locks are released, in the order they were
 * owed. Order per session is unchanged: the outbox is owned, so later frames queue behind.
 *
 * <p>The thread-local holds a scope only while one is open, so no value outlives a frame on a
 * container's pooled thread.
 */
public final class DeferredWrites implements AutoCloseable {

  private static final ThreadLocal<DeferredWrites> OPEN = new ThreadLocal<>();

  private Outbox first;
  private List<Outbox> more;

  private DeferredWrites() {}

  /**
   * Opens a scope on this thread.
   *
   * @return the scope, or null when one is already open (the outer one starts the writes; a
   *     try-with-resources skips a null resource)
   */
  public static DeferredWrites open() {
    if (OPEN.get() != null) {
      return null;
    }
    DeferredWrites scope = new DeferredWrites();
    OPEN.set(scope);
    return scope;
  }

  /** The scope open on this thread, or null. */
  static DeferredWrites current() {
    return OPEN.get();
  }

  /** {@code outbox} owns its session and has frames queued: start writing them at close. */
  void owe(Outbox outbox) {
    if (first == null) {
      first = outbox;
    } else {
      if (more == null) {
        more = new ArrayList<>();
      }
      more.add(outbox);
    }
  }

  /** Closes the scope and starts the owed writes. */
  @Override
  public void close() {
    OPEN.remove();
    if (first == null) {
      return;
    }
    first.startOwedWrite();
    if (more != null) {
      for (Outbox outbox : more) {
        outbox.startOwedWrite();
      }
    }
  }
}
