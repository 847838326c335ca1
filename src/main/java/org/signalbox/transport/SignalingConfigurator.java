package org.signalbox.transport;

import jakarta.websocket.server.ServerEndpointConfig;
import org.signalbox.Signalbox;
import org.signalbox.config.AuthMode;

/**
 * Refuses a handshake from a foreign origin: returning false from {@code checkOrigin} makes every
 * container answer HTTP 403 before the upgrade.
 */
public final class SignalingConfigurator extends ServerEndpointConfig.Configurator {

  @Override
  public boolean checkOrigin(String originHeaderValue) {
    Signalbox node = Signalbox.current();
    // The one place the API lets an application refuse a handshake with 403: the origin check.
    // With auth=container a handshake without an authenticated user is refused here too.
    return node.originPolicy().allows(originHeaderValue, HandshakeContext.host())
        && (node.settings().auth() != AuthMode.CONTAINER || HandshakeContext.user() != null);
  }

  /** A plain constructor call: the default looks the constructor up reflectively each time. */
  @Override
  public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
    if (endpointClass != SignalingEndpoint.class) {
      throw new InstantiationException("not a Signalbox endpoint: " + endpointClass.getName());
    }
    return endpointClass.cast(new SignalingEndpoint());
  }
}
