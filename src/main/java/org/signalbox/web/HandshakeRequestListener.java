package org.signalbox.web;

import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServletRequest;
import org.signalbox.transport.HandshakeContext;

/**
 * Records the {@code Host} of each request for the same-origin check: listeners run before any
 * filter, so before every container's WebSocket upgrade.
 */
public final class HandshakeRequestListener implements ServletRequestListener {

  @Override
  public void requestInitialized(ServletRequestEvent event) {
    if (event.getServletRequest() instanceof HttpServletRequest request) {
      HandshakeContext.enter(request.getHeader("Host"));
    }
  }

  @Override
  public void requestDestroyed(ServletRequestEvent event) {
    HandshakeContext.exit();
  }
}
