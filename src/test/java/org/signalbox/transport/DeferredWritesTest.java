package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writes owed by a frame's handler start when its scope closes, in order, and never inside it
 * (where a room's lock may be held). The session here completes every write inside the call, as
 * Jetty and Tyrus do for a write that fits the socket.
 */
class DeferredWritesTest {

  /** Everything the outboxes did to their sessions, in order: "a:text", "b:close 1008". */
  private final List<String> wire = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  private Outbox outbox(String name) {
    RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class},
        (proxy, method, args) -> {
          if (method.getName().equals("sendText") && args.length == 2) {
            wire.add(name + ":" + args[0]);
            ((SendHandler) args[1]).onResult(new SendResult());
          }
          return null;
        });
    Session session = (Session) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {Session.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getAsyncRemote" -> remote;
          case "close" -> wire.add(name + ":close " + ((CloseReason) args[0]).getCloseCode().getCode());
          case "getId" -> name;
          default -> null;
        });
    // Blocking work (the close) runs inline: the order on the wire is then the order of calls.
    return new Outbox(
        session, 8, Long.MAX_VALUE, Runnable::run, timers, why -> wire.add(name + ":overflow"));
  }

  @Test
  void writesWaitForTheScopeAndKeepTheirOrder() {
    Outbox a = outbox("a");
    Outbox b = outbox("b");
    try (DeferredWrites scope = DeferredWrites.open()) {
      a.offer("1");
      b.offer("2");
      a.offer("3");
      assertEquals(List.of(), wire, "nothing is written while the scope is open");
      assertEquals(2, a.pending());
    }
    assertEquals(List.of("a:1", "a:3", "b:2"), wire);
    assertEquals(0, a.pending());
    assertNull(DeferredWrites.current(), "the thread keeps nothing after the scope");

    a.offer("4");
    assertEquals("a:4", wire.get(3), "outside a scope a write starts at once");
  }

  @Test
  void anInnerScopeLeavesTheWritesToTheOuterOne() {
    Outbox a = outbox("a");
    try (DeferredWrites outer = DeferredWrites.open()) {
      try (DeferredWrites inner = DeferredWrites.open()) {
        assertNull(inner);
        a.offer("1");
      }
      assertEquals(List.of(), wire);
    }
    assertEquals(List.of("a:1"), wire);
  }

  @Test
  void aCloseInsideTheScopeFollowsTheFramesQueuedBeforeIt() {
    Outbox a = outbox("a");
    try (DeferredWrites scope = DeferredWrites.open()) {
      a.offer("error");
      a.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "flood"));
      assertTrue(!a.offer("late"), "a closing outbox takes no more frames");
    }
    assertEquals(List.of("a:error", "a:close 1008"), wire);
  }
}
