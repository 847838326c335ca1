package org.signalbox.spi;

/**
 * Receives every room event of the cluster, in process (PORTAL.md, Join policy and listeners).
 * Found with {@link java.util.ServiceLoader} on the web application's class path.
 *
 * <p>Called once per event per cluster, on a Signalbox thread, never under a room's lock; the
 * events of one room arrive in the order they happened. A node that fails while it hands an event
 * over may hand it over again from another node, so a listener should treat {@link RoomEvent#id()}
 * as the key of what it already saw. A listener that throws is logged and does not stop the
 * others; a slow one delays the events after it.
 */
public interface RoomListener {

  void onEvent(RoomEvent event);
}
