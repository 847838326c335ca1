package org.signalbox.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.signalbox.spi.JoinPolicy;
import org.signalbox.spi.RoomEvent;
import org.signalbox.spi.RoomListener;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;

/**
 * The in-process SPI of PORTAL.md, found the way a portal's jar is found: by {@link
 * java.util.ServiceLoader} through the class loader the node starts under, from a {@code
 * META-INF/services} file. The join policy allows, renames, denies; one that throws or hangs is a
 * denial within its 2 s; a resume is not asked again. The listener gets the events as records,
 * once each, in order, on a Signalbox thread.
 */
class PortalSpiTest {

  /** Decides by the room's name, as a portal might by its own rules. */
  public static final class RoomRulePolicy implements JoinPolicy {
    @Override
    public Decision decide(JoinRequest request) {
      ASKED.add(request);
      String room = request.room();
      if ("Mallory".equals(request.name())) {
        return Decision.deny("Mallory is not invited");
      }
      if (room.startsWith("deny")) {
        return Decision.deny("not on the guest list");
      }
      if (room.startsWith("rename")) {
        return Decision.rename("Guest " + request.name());
      }
      if (room.startsWith("throw")) {
        throw new IllegalStateException("the portal's directory is down");
      }
      if (room.startsWith("hang")) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Decision.allow();
    }
  }

  /** Records what it is told. */
  public static final class RecordingListener implements RoomListener {
    @Override
    public void onEvent(RoomEvent event) {
      EVENTS.add(event);
      THREADS.add(Thread.currentThread().getName());
    }
  }

  static final List<JoinPolicy.JoinRequest> ASKED = new CopyOnWriteArrayList<>();
  static final List<RoomEvent> EVENTS = new CopyOnWriteArrayList<>();
  static final List<String> THREADS = new CopyOnWriteArrayList<>();

  @TempDir
  Path services;

  /** Starts a node whose class loader sees this test's policy and listener as services. */
  private EmbeddedServer startWithServices(Map<String, String> settings) {
    try {
      Path dir = Files.createDirectories(services.resolve("META-INF/services"));
      Files.writeString(dir.resolve(JoinPolicy.class.getName()), RoomRulePolicy.class.getName());
      Files.writeString(dir.resolve(RoomListener.class.getName()),
          RecordingListener.class.getName());
      URLClassLoader loader = new URLClassLoader(
          new java.net.URL[] {services.toUri().toURL()}, getClass().getClassLoader());
      return withContextLoader(loader, () -> EmbeddedServer.start(settings));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T withContextLoader(ClassLoader loader, Supplier<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return action.get();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Test
  void thePolicyAllowsRenamesAndDeniesAndAFailingOrHangingOneIsADenial() {
    ASKED.clear();
    try (EmbeddedServer server = startWithServices(Map.of("resumeGraceMs", "10000"));
        TestClient allowed = TestClient.connect(server.uri());
        TestClient renamed = TestClient.connect(server.uri());
        TestClient denied = TestClient.connect(server.uri());
        TestClient failing = TestClient.connect(server.uri());
        TestClient hanging = TestClient.connect(server.uri())) {
      JsonObject joined = allowed.join("open-room", "Ann");
      assertEquals("Ann", joined.getString("name"));
      JoinPolicy.JoinRequest asked = ASKED.get(0);
      assertEquals("open-room", asked.room());
      assertEquals("Ann", asked.name());
      assertEquals("websocket", asked.transport());
      // Embedded Tyrus has no servlet request to tell the address; the containers do.
      assertTrue(asked.clientAddress() == null || asked.clientAddress().equals("127.0.0.1"),
          asked.clientAddress());

      assertEquals("Guest Ben", renamed.join("rename-room", "Ben").getString("name"));

      denied.send("{\"type\":\"join\",\"room\":\"deny-room\",\"name\":\"Cy\",\"id\":1}");
      JsonObject refusal = denied.expectError("unauthorized");
      assertEquals("not on the guest list", refusal.getString("message"));
      assertEquals(1, refusal.getInt("ref"));
      assertEquals("Dee", denied.join("open-room", "Dee").getString("name"),
          "a denied connection stays open and may join elsewhere");

      failing.send("{\"type\":\"join\",\"room\":\"throw-room\",\"name\":\"Eve\"}");
      assertEquals("unauthorized", failing.expectError("unauthorized").getString("code"));

      long start = System.nanoTime();
      hanging.send("{\"type\":\"join\",\"room\":\"hang-room\",\"name\":\"Fay\"}");
      JsonObject late = hanging.expectError("unauthorized");
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMs >= 1_900 && tookMs < 6_000, "denied after the 2 s limit: " + tookMs);
      assertTrue(late.getString("message").contains("in time"), late.toString());
      hanging.send("{\"type\":\"ping\",\"id\":\"p\"}");
      hanging.expect("pong");
    }
  }

  /**
   * PORTAL.md: the policy is asked for every fresh join before {@code room-full}. A join to a full
   * room that the policy denies gets the policy's {@code unauthorized}; one it allows was asked,
   * and then gets {@code room-full}.
   */
  @Test
  void thePolicyIsAskedBeforeTheRoomIsFoundFull() {
    ASKED.clear();
    try (EmbeddedServer server = startWithServices(Map.of("maxRoomSize", "1"));
        TestClient ann = TestClient.connect(server.uri());
        TestClient mallory = TestClient.connect(server.uri());
        TestClient ben = TestClient.connect(server.uri())) {
      ann.join("full-room", "Ann");

      mallory.send("{\"type\":\"join\",\"room\":\"full-room\",\"name\":\"Mallory\",\"id\":1}");
      JsonObject denied = mallory.expectError("unauthorized");
      assertEquals("Mallory is not invited", denied.getString("message"));

      ben.send("{\"type\":\"join\",\"room\":\"full-room\",\"name\":\"Ben\",\"id\":2}");
      assertEquals(2, ben.expectError("room-full").getInt("ref"));
      assertEquals(List.of("Ann", "Mallory", "Ben"),
          ASKED.stream().map(JoinPolicy.JoinRequest::name).toList(),
          "each fresh join was asked, the full room's too");
    }
  }

  @Test
  void aResumeIsNotAskedAgainAndTheListenerGetsEachEventOnceInOrder() {
    ASKED.clear();
    EVENTS.clear();
    THREADS.clear();
    try (EmbeddedServer server = startWithServices(Map.of("resumeGraceMs", "10000"))) {
      String token;
      String bob;
      try (TestClient a = TestClient.connect(server.uri());
          TestClient b = TestClient.connect(server.uri())) {
        a.join("listened", "Ann");
        JsonObject joined = b.join("listened", "Bob");
        token = joined.getString("resumeToken");
        bob = b.welcomePeerId();
        a.expect("peer-joined");
        b.abort();
        try (TestClient again = TestClient.connect(server.uri())) {
          again.send("{\"type\":\"join\",\"room\":\"listened\",\"name\":\"Bob\",\"resume\":\""
              + token + "\"}");
          assertTrue(again.expect("joined").getBoolean("resumed"));
          assertEquals(2, ASKED.size(), "only the two fresh joins were asked");
          again.send("{\"type\":\"leave\"}");
          again.expect("left");
        }
        a.closeWith(1000);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (EVENTS.stream().noneMatch(e -> e instanceof RoomEvent.RoomFinished)) {
        assertTrue(System.nanoTime() < deadline, "events so far: " + EVENTS);
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
      }
      List<String> types = EVENTS.stream().map(RoomEvent::type).toList();
      assertEquals(List.of("room.started", "peer.joined", "peer.joined", "peer.lost",
          "peer.resumed", "peer.left", "peer.left", "room.finished"), types);
      assertTrue(EVENTS.get(2) instanceof RoomEvent.PeerJoined j && j.peerId().equals(bob)
          && j.name().equals("Bob") && j.identity() == null);
      assertTrue(EVENTS.get(5) instanceof RoomEvent.PeerLeft l && l.peerId().equals(bob)
          && l.reason().equals("left"));
      assertTrue(THREADS.stream().allMatch(t -> t.startsWith("signalbox-events")), "" + THREADS);
    }
  }
}
