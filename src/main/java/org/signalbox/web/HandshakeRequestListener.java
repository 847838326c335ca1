package org.signalbox.web;

import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServletRequest;
import org.signalbox.transport.HandshakeContext;

/**
 * Records the facts and the user of each request for the handshake checks (origin, server
 * names, client address, container authentication): listeners run before any filter, so before
 * every container's WebSocket upgrade. With them goes the web application's node, which the
 * handshake hands on to the socket's session. Other requests (all of a portal's own, when
 * Signalbox lives in its WAR) are left alone.
 */
public final class HandshakeRequestListener implements ServletRequestListener {

  @Override
  public void requestInitialized(ServletRequestEvent event) {
    if (event.getServletRequest() instanceof HttpServletRequest request
        && "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      HandshakeContext.enter(RequestFactsOf.request(request), request::getUserPrincipal,
          Nodes.orNull(request.getServletContext()));
    }
  }

  @Override
  public void requestDestroyed(ServletRequestEvent event) {
    HandshakeContext.exit();
  }
}
