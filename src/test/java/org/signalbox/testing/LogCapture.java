package org.signalbox.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what Signalbox logs at WARNING or above while open. System.Logger goes to
 * java.util.logging in a plain JVM, so a handler on the {@code org.signalbox} logger sees it all.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final Logger root = Logger.getLogger("org.signalbox");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  public LogCapture() {
    setLevel(Level.WARNING);
    root.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
      records.add(record);
    }
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
