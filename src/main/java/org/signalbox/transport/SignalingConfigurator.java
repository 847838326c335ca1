package org.signalbox.transport;

import jakarta.websocket.server.ServerEndpointConfig;
import org.signalbox.Signalbox;

/**
 * Refuses a handshake from a foreign origin: returning false from {@code checkOrigin} makes every
 * container answer HTTP 403 before the upgrade.
 */
public final class SignalingConfigurator extends ServerEndpointConfig.Configurator {

  @Override
  public boolean checkOrigin(String originHeaderValue) {
    return Signalbox.current().originPolicy().allows(originHeaderValue, HandshakeContext.host());
  }
}
