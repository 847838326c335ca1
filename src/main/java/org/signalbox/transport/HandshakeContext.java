package org.signalbox.transport;

/**
 * Facts of the HTTP request being upgraded that the WebSocket API does not show to {@code
 * checkOrigin}: the {@code Host} header. A servlet request listener records them on the request
 * thread before any filter runs; every container checks the origin on that same thread, before
 * the upgrade. Outside a servlet container nothing is recorded and {@link #host()} is null.
 */
public final class HandshakeContext {

  private static final ThreadLocal<String> HOST = new ThreadLocal<>();

  private HandshakeContext() {}

  public static void enter(String host) {
    HOST.set(host);
  }

  public static void exit() {
    HOST.remove();
  }

  /** The {@code Host} header of the request on this thread, or null. */
  public static String host() {
    return HOST.get();
  }
}
