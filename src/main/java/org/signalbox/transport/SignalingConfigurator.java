package org.signalbox.transport;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.signalbox.config.AuthMode;

/**
 * The handshake checks the WebSocket API lets an application make. {@code checkOrigin} refuses a
 * handshake with HTTP 403 in every container, before the upgrade; {@code modifyHandshake} hands
 * the client's address on to the session, where {@link Hub#open} counts it.
 */
public final class SignalingConfigurator extends ServerEndpointConfig.Configurator {

  /** The user property that carries the client's address from the handshake to its session. */
  static final String CLIENT_ADDRESS = "org.signalbox.clientAddress";

  private static final System.Logger LOG = System.getLogger(SignalingConfigurator.class.getName());

  @Override
  public boolean checkOrigin(String originHeaderValue) {
    Hub node = Hubs.current();
    RequestFacts facts = HandshakeContext.facts();
    // Outside a servlet container only the Origin is known: a same-origin or serverNames check
    // then refuses, an allow-list or * decides alone.
    facts = facts == null
        ? new RequestFacts(originHeaderValue, null, false, null, null, null)
        : facts.withOrigin(originHeaderValue);
    String refusal = node.originPolicy().refusal(facts);
    if (refusal != null) {
      LOG.log(System.Logger.Level.DEBUG, () -> "handshake refused: " + refusal);
      return false;
    }
    // With auth=container a handshake without an authenticated user is refused here too.
    return node.settings().auth() != AuthMode.CONTAINER || HandshakeContext.user() != null;
  }

  /**
   * Puts the client's address in the handshake's user properties, which the session starts
   * with. Every container passes a copy made for this one handshake (Tomcat's
   * WsPerSessionServerEndpointConfig, Jetty's per-upgrade config wrapper, Undertow's
   * PerConnectionServerEndpointConfig, Tyrus' per-request properties), as WebSocket 2.1 asks, so
   * concurrent handshakes never see each other's address; the server suites check it.
   */
  @Override
  public void modifyHandshake(
      ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
    RequestFacts facts = HandshakeContext.facts();
    String address = facts == null ? null : Hubs.current().clientAddresses().of(facts);
    if (address == null) {
      config.getUserProperties().remove(CLIENT_ADDRESS);
    } else {
      config.getUserProperties().put(CLIENT_ADDRESS, address);
    }
  }

  /** The client address {@link #modifyHandshake} recorded for the session, or null. */
  public static String clientAddress(Session session) {
    Object address = session.getUserProperties().get(CLIENT_ADDRESS);
    return address instanceof String s ? s : null;
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
