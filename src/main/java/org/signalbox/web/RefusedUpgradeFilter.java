package org.signalbox.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.signalbox.Signalbox;
import org.signalbox.config.AuthMode;

/**
 * Gives every request for the socket path a clear answer, whichever order the container runs
 * its WebSocket upgrade and this filter in. A handshake from an origin the policy refuses, or
 * without a user in auth=container, gets 403: Tomcat, Jetty and Tyrus say so themselves, but Undertow (WildFly) runs application
 * filters first and, when {@code checkOrigin} refuses, passes the request on to a 404. A request
 * that is no handshake at all gets 426 (Upgrade Required) instead of a 404.
 */
public final class RefusedUpgradeFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      // Not sendError: some containers drop the headers set before it, and Upgrade is the point.
      response.setStatus(426);
      response.setHeader("Upgrade", "websocket");
      response.setContentType("text/plain;charset=UTF-8");
      response.getWriter().write("This is the Signalbox WebSocket: connect with a WebSocket client.\n");
      return;
    }
    Signalbox node = Signalbox.current();
    String origin = request.getHeader("Origin");
    if (!node.originPolicy().allows(origin, request.getHeader("Host"))) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed: " + origin);
      return;
    }
    if (node.settings().auth() == AuthMode.CONTAINER && request.getUserPrincipal() == null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "authentication required");
      return;
    }
    chain.doFilter(request, response);
  }
}
