package org.signalbox.transport;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one hand-off from the composition root to the WebSocket endpoint. The container creates
 * the endpoint and its configurator itself, from a configuration made when it scanned the
 * application ({@link SignalingApplication}), before any listener ran; nothing the application
 * starts later can be handed to them but through a place both know. Servlets and filters get the
 * node from their servlet context instead; nothing else looks here.
 */
public final class Hubs {

  private static final AtomicReference<Hub> CURRENT = new AtomicReference<>();

  private Hubs() {}

  /**
   * Serves the endpoint of this web application from {@code hub}.
   *
   * @return false when another hub serves it already
   */
  public static boolean bind(Hub hub) {
    return CURRENT.compareAndSet(null, hub);
  }

  /** Stops serving the endpoint from {@code hub}. */
  public static void unbind(Hub hub) {
    CURRENT.compareAndSet(hub, null);
  }

  static Hub current() {
    Hub hub = CURRENT.get();
    if (hub == null) {
      throw new IllegalStateException(
          "Signalbox is not running: its ServletContextListener did not start it");
    }
    return hub;
  }
}
