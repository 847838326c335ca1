package org.signalbox.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.signalbox.Signalbox;

/** {@code GET /health}: 200 and {@code {"status":"ok","connections":N,"rooms":M}}. */
public final class HealthServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Signalbox node = Signalbox.current();
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response
        .getWriter()
        .write(
            "{\"status\":\"ok\",\"connections\":"
                + node.connectionCount()
                + ",\"rooms\":"
                + node.rooms().roomCount()
                + "}");
  }
}
