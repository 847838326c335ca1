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
 * The socket at {@code /signal}. Thin on purpose: one instance per connection, each callback
 * handed to that connection's {@link Connection}. The container calls these one at a time per
 * session.
 *
 * <p>A programmatic endpoint ({@link SignalingApplication} registers {@link #CONFIG}) rather than
 * an annotated one: Jetty discovers an annotated endpoint's methods, parameters and decoders
 * again on every handshake, which was a fifth of its CPU while clients connected. The three
 * message handlers added in {@link #onOpen} cost it far less, and every container takes them.
 * Text is taken in parts, so that no container needs a buffer of {@code maxMessageBytes} per
 * session to hold a whole message.
 */
public final class SignalingEndpoint extends Endpoint {

  /** Where the endpoint is served, and the handshake checks it runs behind. */
  public static final ServerEndpointConfig CONFIG =
      ServerEndpointConfig.Builder.create(SignalingEndpoint.class, "/signal")
          .configurator(new SignalingConfigurator())
          .build();

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
    connection = Hubs.current().open(session);
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
      connection.onClose(reason);
    }
  }

  @Override
  public void onError(Session session, Throwable error) {
    if (connection != null) {
      connection.onError(error);
    }
  }
}
