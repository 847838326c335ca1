package org.signalbox.transport;

import java.security.Principal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.signalbox.config.Transport;
import org.signalbox.protocol.Utf8;
import org.signalbox.transport.HttpSession.Poll;

/**
 * A connection's frames over the HTTP binding (PROTOCOL.md): numbered from 1, kept until the
 * client acknowledges them with a later poll, and handed to the one poll that waits. A poll whose
 * answer was lost asks again with the same {@code ack} and gets the same frames again, so nothing
 * is lost and, since the client counts, nothing arrives twice.
 *
 * <p>Frames are offered under other peers' room locks, so nothing here blocks: a waiting poll is
 * answered on the {@code blocking} executor, which writes the response. Every field is guarded by
 * this; no lock is taken while holding it.
 */
final class HttpWire implements Wire {

  /**
   * Frame types a resume delivers again: relays. Room events are not (the resumed {@code joined}
   * lists the room as it is), nor answers to the lost session's own frames.
   */
  private static final Set<String> RESUMABLE = Set.of("signal", "message");

  private record Frame(long seq, String text, int bytes) {}

  /** The poll that waits, the ack it came with, and the timer of its empty answer. */
  private record Waiting(Poll poll, long ack, ScheduledFuture<?> timeout) {}

  /** A poll's body, and whether it carries the {@code closed} frame that ends the session. */
  private record Answer(String body, boolean last) {}

  /** For the log: a number, never the session id, which is the session's only secret. */
  private final String logName;
  private final Principal user;
  private final String clientAddress;
  private final int capacity;
  private final long byteCapacity;
  private final long pollNanos;
  private final Executor blocking;
  private final ScheduledExecutorService timers;
  private Consumer<String> overflow = why -> {};
  /** Told the close code once the client has had its {@code closed} frame, or never will. */
  private IntConsumer onFinished = code -> {};

  private final ArrayDeque<Frame> unacked = new ArrayDeque<>();
  private long lastSeq;
  private long pendingBytes;
  /** When the frames now unacknowledged began to wait: the last ack that took any, or the first. */
  private long progressNanos;
  private Waiting waiting;
  /** When the last poll was answered, or the session opened: a session without polls is lost. */
  private long lastPollNanos;
  /** No more frames are taken. */
  private boolean closed;
  /** The close code once the {@code closed} frame is queued. */
  private int closeCode;
  private boolean finished;

  HttpWire(String logName, Principal user, String clientAddress, int capacity, long byteCapacity,
      long pollMs, Executor blocking, ScheduledExecutorService timers) {
    this.logName = logName;
    this.user = user;
    this.clientAddress = clientAddress;
    this.capacity = capacity;
    this.byteCapacity = byteCapacity;
    this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMs);
    this.blocking = blocking;
    this.timers = timers;
    this.lastPollNanos = System.nanoTime();
  }

  /** Set before the connection's first frame. */
  synchronized void overflowTo(Consumer<String> overflow) {
    this.overflow = overflow;
  }

  /** Set before the connection's first frame. */
  synchronized void onFinished(IntConsumer onFinished) {
    this.onFinished = onFinished;
  }

  @Override
  public String id() {
    return logName;
  }

  @Override
  public Principal user() {
    return user;
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public Transport transport() {
    return Transport.HTTP;
  }

  @Override
  public boolean offer(String frame) {
    int bytes = (int) Utf8.length(frame);
    String tooMuch = null;
    Consumer<String> overflowed;
    Waiting ready;
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (unacked.size() >= capacity) {
        tooMuch = "outbound queue overflow (" + capacity + " frames)";
      } else if (pendingBytes + bytes > byteCapacity) {
        tooMuch = "outbound queue overflow (" + byteCapacity + " bytes)";
      }
      overflowed = overflow;
      if (tooMuch != null) {
        ready = null;
      } else {
        append(frame, bytes);
        ready = takeWaiting();
      }
    }
    if (tooMuch != null) {
      overflowed.accept(tooMuch);
      return false;
    }
    answerLater(ready);
    return true;
  }

  /** Caller holds the lock. */
  private void append(String frame, int bytes) {
    if (unacked.isEmpty()) {
      progressNanos = System.nanoTime();
    }
    unacked.add(new Frame(++lastSeq, frame, bytes));
    pendingBytes += bytes;
  }

  /**
   * Queues the {@code closed} frame after everything queued so far; the next poll delivers it,
   * and then the session is over. A session nobody polls any more is over after two poll times.
   */
  @Override
  public void close(int code, String reason) {
    Waiting ready;
    synchronized (this) {
      if (closeCode != 0 || finished) {
        return;
      }
      closed = true;
      closeCode = code;
      String frame = HttpSessions.JSON.createObjectBuilder()
          .add("type", "closed").add("code", code).add("reason", reason).build().toString();
      append(frame, (int) Utf8.length(frame));
      ready = takeWaiting();
    }
    answerLater(ready);
    try {
      timers.schedule(() -> blocking.execute(this::finish), 2 * pollNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      // The node is stopping: nobody polls a stopped node.
      blocking.execute(this::finish);
    }
  }

  @Override
  public void discard() {
    Waiting ready;
    synchronized (this) {
      closed = true;
      finished = true;
      unacked.clear();
      pendingBytes = 0;
      ready = takeWaiting();
    }
    if (ready != null) {
      blocking.execute(ready.poll()::gone);
    }
  }

  @Override
  public synchronized int pending() {
    return unacked.size();
  }

  @Override
  public synchronized long pendingBytes() {
    return pendingBytes;
  }

  @Override
  public synchronized long stalledNanos(long nowNanos) {
    return unacked.isEmpty() ? 0 : nowNanos - progressNanos;
  }

  /** Polls are this binding's sign of life; there is nothing to ask. */
  @Override
  public void ping() {}

  @Override
  public synchronized boolean lost(long nowNanos, long lastTrafficNanos, long heartbeatNanos) {
    return waiting == null && nowNanos - lastPollNanos > 2 * pollNanos;
  }

  @Override
  public synchronized List<String> takeUnconfirmed() {
    List<String> taken = new ArrayList<>();
    ArrayDeque<Frame> kept = new ArrayDeque<>();
    for (Frame f : unacked) {
      if (RESUMABLE.contains(OutboundTypes.of(f.text()))) {
        taken.add(f.text());
        pendingBytes -= f.bytes();
      } else {
        kept.add(f);
      }
    }
    unacked.clear();
    unacked.addAll(kept);
    return taken;
  }

  /** The frames queued so far, unacknowledged, for the answer that opens the session. */
  synchronized String firstFrames() {
    StringBuilder frames = new StringBuilder("[");
    for (Frame f : unacked) {
      frames.append(frames.length() > 1 ? "," : "").append(f.text());
    }
    return frames.append(']').toString();
  }

  /** True when the first frames already end the session (a refused open). */
  synchronized boolean endsAtOnce() {
    return closeCode != 0;
  }

  /**
   * A poll with {@code ack}, the last sequence number the client received. Frames up to it are
   * dropped; frames after it are answered at once, or as soon as one comes, or an empty answer
   * after {@code pollMs}. A poll that was waiting already gets an empty answer.
   *
   * @return false when the session is over (the caller answers 404)
   */
  boolean poll(long ack, Poll poll) {
    Waiting replaced;
    Answer now = null;
    synchronized (this) {
      if (finished) {
        return false;
      }
      acknowledge(ack);
      replaced = takeWaiting();
      if (!unacked.isEmpty() && unacked.peekLast().seq() > ack) {
        now = answerAfter(ack);
      } else {
        waiting = new Waiting(poll, ack, emptyAnswerLater(poll));
      }
    }
    if (replaced != null) {
      replaced.poll().answer(empty(replaced.ack()));
    }
    if (now != null) {
      deliver(poll, now);
    }
    return true;
  }

  /** Caller holds the lock. Schedules the empty answer of a poll that nothing answers first. */
  private ScheduledFuture<?> emptyAnswerLater(Poll poll) {
    try {
      return timers.schedule(() -> timeout(poll), pollNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      return null; // the node is stopping: its close answers the poll
    }
  }

  private void timeout(Poll poll) {
    Waiting timedOut;
    synchronized (this) {
      if (waiting == null || waiting.poll() != poll) {
        return;
      }
      timedOut = waiting;
      waiting = null;
      lastPollNanos = System.nanoTime();
    }
    blocking.execute(() -> poll.answer(empty(timedOut.ack())));
  }

  /** Caller holds the lock. Drops the frames up to {@code ack}. */
  private void acknowledge(long ack) {
    boolean took = false;
    while (!unacked.isEmpty() && unacked.peekFirst().seq() <= ack) {
      pendingBytes -= unacked.pollFirst().bytes();
      took = true;
    }
    if (took) {
      progressNanos = System.nanoTime();
    }
  }

  /** Caller holds the lock. Detaches the waiting poll, if any, to be answered by the caller. */
  private Waiting takeWaiting() {
    Waiting w = waiting;
    if (w != null) {
      waiting = null;
      if (w.timeout() != null) {
        w.timeout().cancel(false);
      }
    }
    return w;
  }

  /** Answers a poll taken off the wire with what is queued by the time the answer is written. */
  private void answerLater(Waiting ready) {
    if (ready == null) {
      return;
    }
    blocking.execute(() -> {
      Answer answer;
      synchronized (this) {
        answer = answerAfter(ready.ack());
      }
      deliver(ready.poll(), answer);
    });
  }

  /** Writes {@code answer}; once the {@code closed} frame has gone out, the session is over. */
  private void deliver(Poll poll, Answer answer) {
    poll.answer(answer.body());
    if (answer.last()) {
      finish();
    }
  }

  /** Caller holds the lock. Every frame after {@code ack}; a poll was answered now. */
  private Answer answerAfter(long ack) {
    lastPollNanos = System.nanoTime();
    StringBuilder body = new StringBuilder("{\"frames\":[");
    long seq = ack;
    boolean first = true;
    for (Frame f : unacked) {
      if (f.seq() > ack) {
        body.append(first ? "" : ",").append(f.text());
        first = false;
        seq = f.seq();
      }
    }
    // After a close, the closed frame is the last there will ever be.
    boolean last = closeCode != 0 && seq == lastSeq;
    return new Answer(body.append("],\"seq\":").append(seq).append('}').toString(), last);
  }

  private static String empty(long ack) {
    return "{\"frames\":[],\"seq\":" + ack + "}";
  }

  /**
   * Ends the session, once: no more polls, and the connection hears its close. Called when the
   * client has had the {@code closed} frame, or when it has not polled for it in time.
   */
  void finish() {
    int code;
    IntConsumer told;
    Waiting ready;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      closed = true;
      code = closeCode == 0 ? Connection.GOING_AWAY : closeCode;
      told = onFinished;
      ready = takeWaiting();
    }
    if (ready != null) {
      ready.poll().gone();
    }
    told.accept(code);
  }
}
