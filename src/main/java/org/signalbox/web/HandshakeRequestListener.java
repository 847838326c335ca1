package org.signalbox.web;

import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServletRequest;
import org.signalbox.transport.HandshakeContext;

/**
 * Records the {@code Host} and the user of each request for the handshake checks (same origin,
 * container authentication): listeners run before any filter, so before every container's
 * WebSocket upgrade.
 */
public final class HandshakeRequestListener implements ServletRequestListener {

  @Override
  public void requestInitialized(ServletRequestEvent event) {
    if (event.getServletRequest() instanceof HttpServletRequest request) {
      HandshakeContext.enter(request.getHeader("Host"), request::getUserPrincipal);
    }
  }

  @Override
  public void requestDestroyed(ServletRequestEvent event) {
    HandshakeContext.exit();
  }
}
