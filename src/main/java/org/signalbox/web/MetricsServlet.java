package org.signalbox.web;

import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import org.signalbox.Signalbox;

/**
 * {@code /metrics} in the Prometheus formats, written by the Prometheus client library from the
 * node's own registry. Created on first use, after the lifecycle listener started the node.
 */
public final class MetricsServlet extends PrometheusMetricsServlet {

  private static final long serialVersionUID = 1L;

  public MetricsServlet() {
    super(Signalbox.current().metrics().registry());
  }
}
