package org.signalbox.bench.server;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The least a relay can do in a container: {@code /bare/forward?id=a&to=b} forwards every text
 * frame of {@code a}, unread, to {@code b}. No JSON, no rooms, no limits: the container's async
 * send, called from the sender's read thread, behind the smallest queue that keeps one write at a
 * time per session (Tomcat throws on a second; the bench runs the same endpoint everywhere). The
 * bench runs its relay scenario through it to show how close Signalbox comes to what the
 * container can do at all. A programmatic endpoint, as Signalbox's is: the cheapest handshake the
 * API offers (Jetty rediscovers an annotated endpoint on every handshake).
 */
public final class BareForwardEndpoint extends Endpoint {

  /** {@code /forward}, registered by {@link Application} or directly. */
  public static final ServerEndpointConfig CONFIG =
      ServerEndpointConfig.Builder.create(BareForwardEndpoint.class, "/forward").build();

  private static final Map<String, Sender> SENDERS = new ConcurrentHashMap<>();

  private String id;

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    id = param(session, "id");
    String to = param(session, "to");
    session.addMessageHandler(String.class, text -> {
      Sender sender = SENDERS.get(to);
      if (sender != null) {
        sender.send(text);
      }
    });
    SENDERS.put(id, new Sender(session));
    // Tells the client its id is registered, so its partner's first frame has somewhere to go.
    try {
      session.getBasicRemote().sendText("{}");
    } catch (IOException e) {
      SENDERS.remove(id);
    }
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    SENDERS.remove(id);
  }

  private static String param(Session session, String name) {
    List<String> values = session.getRequestParameterMap().get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  /** For containers that deploy what a scan finds (Tomcat's initializer). */
  public static final class Application implements ServerApplicationConfig {
    @Override
    public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
      return Set.of(CONFIG);
    }

    @Override
    public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
      return Set.of();
    }
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
