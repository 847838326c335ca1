package org.signalbox.transport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;

/**
 * The WebSocket adapter ({@code /signal} in the standalone WAR). Thin on purpose: one instance per
 * connection, each callback handed to that connection's {@link Connection}, whose frames go out
 * through a {@code SocketWire}. The container calls these one at a time per session.
 *
 * <p>A programmatic endpoint (the web application's listener adds it at its path) rather than
 * an annotated one: Jetty discovers an annotated endpoint's methods, parameters and decoders
 * again on every handshake, which was a fifth of its CPU while clients connected. The three
 * message handlers added in {@link #onOpen} cost it far less, and every container takes them.
 * Text is taken in parts, so that no container needs a buffer of {@code maxMessageBytes} per
 * session to hold a whole message.
 */
public final class SignalingEndpoint extends Endpoint {

  /** The endpoint at {@code path} behind {@code configurator}'s handshake checks. */
  public static ServerEndpointConfig config(String path, SignalingConfigurator configurator) {
    return ServerEndpointConfig.Builder.create(SignalingEndpoint.class, path)
        .configurator(configurator)
        .build();
  }

  private Connection connection;

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    // Handlers first: opening may refuse the connection, and some containers refuse a handler on
    // a session that is already closing. No frame is delivered before onOpen returns.
    session.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::onText);
    // Binary is refused (1003) at its first part: taken whole, a container could first refuse a
    // large one as too big for its buffer (1009).
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this::onBinary);
    session.addMessageHandler(PongMessage.class, this::onPong);
    Hub hub = SignalingConfigurator.hubOf(session);
    if (hub == null) {
      // No handshake of ours ran (a container that skipped the configurator): nobody to serve.
      throw new IllegalStateException(
          "Signalbox is not running: its ServletContextListener did not start it");
    }
    connection = hub.open(overflow -> new SocketWire(session, hub, overflow));
  }

  /** A text message, or a part of one (see {@link Connection#onTextPart}). */
  public void onText(String part, boolean last) {
    connection.onTextPart(part, last);
  }

  public void onBinary(ByteBuffer part, boolean last) {
    connection.onBinary();
  }

  public void onPong(PongMessage pong) {
    connection.onPong();
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    if (connection != null) {
      connection.onClose(reason.getCloseCode().getCode());
    }
  }

  @Override
  public void onError(Session session, Throwable error) {
    if (connection != null) {
      connection.onError(error);
    }
  }
}
