package org.signalbox.web;

import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code /metrics} in the Prometheus formats, written by the Prometheus client library from the
 * node's own registry. The library's servlet takes the registry in its constructor, which runs
 * before this servlet knows its context; so it is made in {@link #init()}, once the node is there.
 */
public final class MetricsServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private transient PrometheusMetricsServlet exporter;

  @Override
  public void init() {
    exporter = new PrometheusMetricsServlet(Nodes.of(getServletContext()).metrics().registry());
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    exporter.service(request, response);
  }
}
