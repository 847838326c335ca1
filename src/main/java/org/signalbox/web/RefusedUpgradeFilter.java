package org.signalbox.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.signalbox.Signalbox;
import org.signalbox.config.AuthMode;
import org.signalbox.transport.RequestFacts;

/**
 * Gives every request for the socket path a clear answer, whichever order the container runs
 * its WebSocket upgrade and this filter in. A handshake the origin policy refuses (origin, server
 * name), or without a user in auth=container, gets 403: Tomcat, Jetty and Tyrus say so
 * themselves, but Undertow (WildFly) runs application filters first and, when {@code
 * checkOrigin} refuses, passes the request on to a 404. A handshake from an address at its
 * {@code maxConnectionsPerAddress} gets 429 here: {@link Routes} maps this filter ahead of the
 * container's own (its WebSocket filter included), so it runs before the upgrade on every server.
 * A request that is no handshake at all gets 426 (Upgrade Required) instead of a 404.
 */
public final class RefusedUpgradeFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  /** RFC 6585 Too Many Requests; the Servlet API names no constant for it. */
  private static final int TOO_MANY_REQUESTS = 429;

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
    Signalbox node = Nodes.of(request.getServletContext());
    RequestFacts facts = RequestFactsOf.request(request);
    String refusal = node.originPolicy().refusal(facts);
    if (refusal != null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
      return;
    }
    if (node.settings().auth() == AuthMode.CONTAINER && request.getUserPrincipal() == null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "authentication required");
      return;
    }
    if (node.connectionsPerAddress().full(node.clientAddresses().of(facts))) {
      // A hint only: the count is taken when the connection opens, which still refuses with 1013
      // a handshake that raced past this check.
      response.sendError(TOO_MANY_REQUESTS, "too many connections from this address");
      return;
    }
    chain.doFilter(request, response);
  }
}
