package org.signalbox.bench.server;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The least a relay can do in a container: {@code /bare/forward?id=a&to=b} forwards every text
 * frame of {@code a}, unread, to {@code b}. No JSON, no rooms, no limits: the container's async
 * send, called from the sender's read thread, behind the smallest queue that keeps one write at a
 * time per session (Tomcat throws on a second; the bench runs the same endpoint everywhere). The
 * bench runs its relay scenario through it to show how close Signalbox comes to what the
 * container can do at all.
 */
@ServerEndpoint("/forward")
public final class BareForwardEndpoint {

  private static final Map<String, Sender> SENDERS = new ConcurrentHashMap<>();

  @OnOpen
  public void open(Session session) throws IOException {
    SENDERS.put(param(session, "id"), new Sender(session));
    // Tells the client its id is registered, so its partner's first frame has somewhere to go.
    session.getBasicRemote().sendText("{}");
  }

  @OnMessage
  public void message(Session session, String text) {
    Sender to = SENDERS.get(param(session, "to"));
    if (to != null) {
      to.send(text);
    }
  }

  @OnClose
  public void close(Session session) {
    SENDERS.remove(param(session, "id"));
  }

  private static String param(Session session, String name) {
    List<String> values = session.getRequestParameterMap().get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  /** One async write at a time per session; the completion writes the next. */
  private static final class Sender implements SendHandler {
    private final Session session;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean writing;

    Sender(Session session) {
      this.session = session;
    }

    void send(String text) {
      synchronized (this) {
        if (writing) {
          queue.add(text);
          return;
        }
        writing = true;
      }
      session.getAsyncRemote().sendText(text, this);
    }

    @Override
    public void onResult(SendResult result) {
      String next;
      synchronized (this) {
        next = result.isOK() ? queue.poll() : null;
        if (next == null) {
          writing = false;
          return;
        }
      }
      session.getAsyncRemote().sendText(next, this);
    }
  }
}
