package org.signalbox.transport;

import java.security.Principal;
import java.util.function.Supplier;

/**
 * Facts of the HTTP request being upgraded that the WebSocket API does not show to {@code
 * checkOrigin} and {@code modifyHandshake}: the headers and TCP peer the origin check and the
 * client address need ({@link RequestFacts}), and the authenticated user. A servlet request
 * listener records them on the request thread before any filter runs; every container checks the
 * origin and modifies the handshake on that same thread, before the upgrade. Outside a servlet
 * container (Tyrus on its own, as the endpoint tests run it) nothing is recorded: the facts and
 * the user are null.
 *
 * <p>It also carries the node of the request's web application ({@link Hub}) to the handshake:
 * the container creates the endpoint and its configurator itself, from a configuration made when
 * it scanned the application, so the web application's own node reaches them through the request
 * being upgraded, never through a static lookup.
 */
public final class HandshakeContext {

  private static final ThreadLocal<RequestFacts> FACTS = new ThreadLocal<>();
  private static final ThreadLocal<Supplier<Principal>> USER = new ThreadLocal<>();
  private static final ThreadLocal<Hub> HUB = new ThreadLocal<>();

  private HandshakeContext() {}

  /**
   * @param user asked only when the origin is checked: the container authenticates the request
   *     after the listener that records it ran
   */
  public static void enter(RequestFacts facts, Supplier<Principal> user, Hub hub) {
    FACTS.set(facts);
    USER.set(user);
    HUB.set(hub);
  }

  public static void exit() {
    FACTS.remove();
    USER.remove();
    HUB.remove();
  }

  /** The node of the web application the request on this thread is for, or null. */
  public static Hub hub() {
    return HUB.get();
  }

  /** The authenticated user of the request on this thread, or null. */
  public static Principal user() {
    Supplier<Principal> user = USER.get();
    return user == null ? null : user.get();
  }

  /** The facts of the request on this thread, or null outside a servlet container. */
  public static RequestFacts facts() {
    return FACTS.get();
  }
}
