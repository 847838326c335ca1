package org.signalbox.testing;

import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Set;
import org.signalbox.transport.Hub;
import org.signalbox.transport.SignalingConfigurator;
import org.signalbox.transport.SignalingEndpoint;

/**
 * The endpoint as embedded Tyrus serves it: with no servlet container there is no request to
 * carry the node to the handshake, so the configuration is made for one node. Tyrus creates this
 * class itself while it starts; {@link EmbeddedServer} names the node just before, under its
 * lock.
 */
public final class EmbeddedApplication implements ServerApplicationConfig {

  /** The node of the server being started. Guarded by EmbeddedServer.class. */
  static Hub starting;

  @Override
  public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
    Hub node = starting;
    return Set.of(SignalingEndpoint.config("/signal", new SignalingConfigurator() {
      @Override
      protected Hub hub() {
        return node;
      }
    }));
  }

  @Override
  public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
    return Set.of();
  }
}
