package org.signalbox.bench.jmh;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A WebSocket session with no network: a text write completes inside {@code sendText}, as Jetty
 * and Tyrus complete a write that fits the socket, so the server's outbox takes its fast path.
 * The session is a {@link Proxy} because the server calls only a handful of its methods and none
 * with arguments per frame (a proxied call with arguments would allocate their array); the remote
 * endpoint, which takes every frame, is a plain class for the same reason.
 */
final class FakeSession {

  private final Remote remote = new Remote();
  /** What a handshake would have left: the benchmarks put the node here. */
  final java.util.Map<String, Object> properties = new java.util.concurrent.ConcurrentHashMap<>();
  private final Session session;

  FakeSession(String id) {
    session =
        (Session)
            Proxy.newProxyInstance(
                Session.class.getClassLoader(),
                new Class<?>[] {Session.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getAsyncRemote" -> remote;
                      case "getId", "toString" -> id;
                      case "hashCode" -> System.identityHashCode(proxy);
                      case "equals" -> proxy == args[0];
                      case "isOpen" -> true;
                      case "getUserProperties" -> properties;
                      default -> zero(method.getReturnType());
                    });
  }

  /** As a handshake leaves it: served by {@code node}. */
  FakeSession servedBy(org.signalbox.transport.Hub node) {
    properties.put(org.signalbox.transport.SignalingConfigurator.HUB, node);
    return this;
  }

  Session session() {
    return session;
  }

  /** The last text the server wrote to this session. */
  String last() {
    return remote.last;
  }

  /** How many texts the server wrote to this session. */
  long count() {
    return remote.count;
  }

  private static Object zero(Class<?> type) {
    if (type == boolean.class) {
      return false;
    } else if (type == int.class) {
      return 0;
    } else if (type == long.class) {
      return 0L;
    }
    return null;
  }

  private static final class Remote implements RemoteEndpoint.Async {
    private static final SendResult OK = new SendResult();

    String last;
    long count;

    @Override
    public void sendText(String text, SendHandler handler) {
      last = text;
      count++;
      handler.onResult(OK);
    }

    @Override
    public Future<Void> sendText(String text) {
      sendText(text, result -> {});
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public long getSendTimeout() {
      return 0;
    }

    @Override
    public void setSendTimeout(long timeoutMillis) {}

    @Override
    public Future<Void> sendBinary(ByteBuffer data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void sendBinary(ByteBuffer data, SendHandler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> sendObject(Object data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void sendObject(Object data, SendHandler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setBatchingAllowed(boolean allowed) {}

    @Override
    public boolean getBatchingAllowed() {
      return false;
    }

    @Override
    public void flushBatch() {}

    @Override
    public void sendPing(ByteBuffer applicationData) {}

    @Override
    public void sendPong(ByteBuffer applicationData) {}
  }
}
