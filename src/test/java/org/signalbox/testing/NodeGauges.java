package org.signalbox.testing;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.signalbox.Signalbox;

/** Reads a node's metrics from its own registry, as a scrape of {@code /metrics} would. */
public final class NodeGauges {

  private NodeGauges() {}

  /** The value of the unlabelled gauge {@code name} (without the Prometheus suffixes). */
  public static double read(Signalbox node, String name) {
    for (MetricSnapshot snapshot : node.metrics().registry().scrape()) {
      if (snapshot.getMetadata().getName().equals(name) && snapshot instanceof GaugeSnapshot g) {
        return g.getDataPoints().get(0).getValue();
      }
    }
    throw new AssertionError("no gauge " + name);
  }

  /** The counter {@code name} (without {@code _total}) where label {@code label} is {@code value}. */
  public static double counter(Signalbox node, String name, String label, String value) {
    for (MetricSnapshot snapshot : node.metrics().registry().scrape()) {
      if (snapshot instanceof CounterSnapshot counter
          && counter.getMetadata().getName().equals(name)) {
        return counter.getDataPoints().stream()
            .filter(p -> value.equals(p.getLabels().get(label)))
            .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
      }
    }
    return 0;
  }

  /** Connections the node counted as closed with {@code code} ({@code signalbox_closes}). */
  public static double closes(Signalbox node, int code) {
    for (MetricSnapshot snapshot : node.metrics().registry().scrape()) {
      if (snapshot instanceof CounterSnapshot closes
          && closes.getMetadata().getName().equals("signalbox_closes")) {
        return closes.getDataPoints().stream()
            .filter(p -> Integer.toString(code).equals(p.getLabels().get("code")))
            .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
      }
    }
    return 0;
  }

  /** Waits, at most 10 s, until the node counted {@code count} closes with {@code code}. */
  public static void awaitCloses(Signalbox node, int code, int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (closes(node, code) < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the server closed " + closes(node, code) + " connections with "
            + code + ", not " + count);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }
}
