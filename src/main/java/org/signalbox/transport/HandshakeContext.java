package org.signalbox.transport;

import java.security.Principal;
import java.util.function.Supplier;

/**
 * Facts of the HTTP request being upgraded that the WebSocket API does not show to {@code
 * checkOrigin}: the {@code Host} header and the authenticated user. A servlet request listener
 * records them on the request thread before any filter runs; every container checks the origin
 * on that same thread, before the upgrade. Outside a servlet container nothing is recorded and
 * both are null.
 */
public final class HandshakeContext {

  private static final ThreadLocal<String> HOST = new ThreadLocal<>();
  private static final ThreadLocal<Supplier<Principal>> USER = new ThreadLocal<>();

  private HandshakeContext() {}

  /**
   * @param user asked only when the origin is checked: the container authenticates the request
   *     after the listener that records it ran
   */
  public static void enter(String host, Supplier<Principal> user) {
    HOST.set(host);
    USER.set(user);
  }

  public static void exit() {
    HOST.remove();
    USER.remove();
  }

  /** The authenticated user of the request on this thread, or null. */
  public static Principal user() {
    Supplier<Principal> user = USER.get();
    return user == null ? null : user.get();
  }

  /** The {@code Host} header of the request on this thread, or null. */
  public static String host() {
    return HOST.get();
  }
}
