package org.signalbox.testing;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.signalbox.Signalbox;

/** Reads one of a node's gauges from its own registry, as a scrape of {@code /metrics} would. */
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
}
