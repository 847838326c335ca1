package org.signalbox.bench.server;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The least a relay can do in this container: {@code /bare/forward?id=a&to=b} forwards every text
 * frame of {@code a}, unread, to {@code b}. No JSON, no rooms, no limits, no queue of its own:
 * the container's async send, called from the sender's read thread. The bench runs its relay
 * scenario through it to show how close Signalbox comes to what the container can do at all.
 *
 * <p>Sends to one session only ever come from its partner's read thread, one frame at a time,
 * and Jetty queues async frames itself, so no ordering of its own is needed.
 */
@ServerEndpoint("/forward")
public final class BareForwardEndpoint {

  private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();

  @OnOpen
  public void open(Session session) throws IOException {
    SESSIONS.put(param(session, "id"), session);
    // Tells the client its id is registered, so its partner's first frame has somewhere to go.
    session.getBasicRemote().sendText("{}");
  }

  @OnMessage
  public void message(Session session, String text) {
    Session to = SESSIONS.get(param(session, "to"));
    if (to != null) {
      to.getAsyncRemote().sendText(text);
    }
  }

  @OnClose
  public void close(Session session) {
    SESSIONS.remove(param(session, "id"), session);
  }

  private static String param(Session session, String name) {
    List<String> values = session.getRequestParameterMap().get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }
}
