package org.signalbox.servers;

import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The portal's own annotated socket in {@link PortalWar}: found by the container's scan, it must
 * still be deployed beside Signalbox's (a library's ServerApplicationConfig would decide for it).
 */
@ServerEndpoint("/echo")
public final class PortalEchoEndpoint {

  @OnMessage
  public String echo(String text) {
    return "the portal echoes " + text;
  }

  /** A client that goes away is no error of the portal's (Tomcat logs SEVERE without this). */
  @OnError
  public void gone(Throwable error) {}
}
