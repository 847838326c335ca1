package org.signalbox.transport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import org.signalbox.Signalbox;

/**
 * The socket at {@code /signal}. Thin on purpose: one instance per connection, each callback
 * handed to that connection's {@link Connection}. The container calls these one at a time per
 * session.
 */
@ServerEndpoint(value = "/signal", configurator = SignalingConfigurator.class)
public final class SignalingEndpoint {

  private Connection connection;

  @OnOpen
  public void onOpen(Session session) {
    connection = Signalbox.current().open(session);
  }

  @OnMessage
  public void onText(String frame) {
    connection.onText(frame);
  }

  @OnMessage
  public void onBinary(ByteBuffer frame) {
    connection.onBinary();
  }

  @OnMessage
  public void onPong(PongMessage pong) {
    connection.onPong();
  }

  @OnClose
  public void onClose(CloseReason reason) {
    if (connection != null) {
      connection.onClose(reason);
    }
  }

  @OnError
  public void onError(Throwable error) {
    if (connection != null) {
      connection.onError(error);
    }
  }
}
