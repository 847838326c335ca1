package org.signalbox.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.signalbox.Signalbox;

/**
 * {@code GET /health}: 200 and {@code {"status":"ok","connections":N,"rooms":M}}; 503 and status
 * {@code "unavailable"} while the node cannot serve (a cluster node that lost Redis), so that a
 * load balancer sends new clients elsewhere.
 */
public final class HealthServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Signalbox node = Nodes.of(getServletContext());
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    boolean available = node.membership().available();
    if (!available) {
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    }
    response
        .getWriter()
        .write(
            "{\"status\":\"" + (available ? "ok" : "unavailable")
                + "\",\"connections\":"
                + node.connectionCount()
                + ",\"rooms\":"
                + node.membership().roomCount()
                + "}");
  }
}
