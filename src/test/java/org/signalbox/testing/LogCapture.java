package org.signalbox.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what Signalbox logs at WARNING or above (or at a level of the test's choosing) while
 * open. System.Logger goes to java.util.logging in a plain JVM, so a handler on the {@code
 * org.signalbox} logger sees it all.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final Logger root = Logger.getLogger("org.signalbox");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Level least;

  public LogCapture() {
    this(Level.WARNING);
  }

  /** Collects records at {@code least} or above (the loggers' own levels still apply). */
  public LogCapture(Level least) {
    this.least = least;
    setLevel(least);
    root.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLevel().intValue() >= least.intValue()) {
      records.add(record);
      synchronized (records) {
        records.notifyAll();
      }
    }
  }

  /**
   * Waits (at most {@code wait}) until {@code logger} logged {@code count} records, and returns
   * {@link #messages} of it: a servlet may log after its answer has reached the client.
   */
  public List<String> awaitMessages(String logger, int count, java.time.Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (records) {
      while (messages(logger).size() < count) {
        long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break; // the caller's assertion shows what was logged
        }
        try {
          records.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    return messages(logger);
  }

  /**
   * What {@code logger} logged, one {@code "LEVEL message"} per record, the message formatted as
   * a log line shows it.
   */
  public List<String> messages(String logger) {
    java.util.logging.Formatter formatter = new java.util.logging.SimpleFormatter();
    return records.stream().filter(r -> logger.equals(r.getLoggerName()))
        .map(r -> r.getLevel() + " " + formatter.formatMessage(r)).toList();
  }

  /** One line per captured record, for an assertion message. */
  public List<String> lines() {
    return records.stream()
        .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
            + (r.getThrown() != null ? " " + r.getThrown() : ""))
        .toList();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
