package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.awaitConnectionsAtMost;
import static org.signalbox.it.ClusterTesting.awaitRoomOf;
import static org.signalbox.it.ClusterTesting.expect;
import static org.signalbox.it.ClusterTesting.get;
import static org.signalbox.it.ClusterTesting.ids;
import static org.signalbox.it.ClusterTesting.joinInTurn;
import static org.signalbox.it.ClusterTesting.leave;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.numbered;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.resume;
import static org.signalbox.it.ClusterTesting.signal;
import static org.signalbox.it.ClusterTesting.tryJoin;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.signalbox.it.ClusterTesting.MemberView;
import org.signalbox.testing.RawHttpSession;
import org.signalbox.testing.TestClient;

/**
 * PROTOCOL.md across the nodes of a cluster: three run commands sharing one Redis, clients of
 * one room spread over them. Every test uses its own rooms and leaves the nodes as it found them
 * (its clients close with a close frame), so the nodes are shared by the class. The same
 * scenarios run on a Redis Cluster in {@link ClusterRelayOnRedisClusterIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRelayIT {

  private static final int MAX_ROOM_SIZE = 12;
  private static final long RESUME_GRACE_MS = 5_000;
  private static final int RESUME_BUFFER = 16;
  private static final String RELAY_PUBLISHES = "signalbox_cluster_publishes_total{kind=\"relay\"}";
  private static final String QUEUED_DELIVERIES =
      "signalbox_cluster_deliveries_total{outcome=\"queued\"}";

  /** Bound of waits that a cluster needs to pass a message or an event between nodes. */
  private static final Duration SETTLE = Duration.ofSeconds(20);
  private static final String PEER_ID = "[A-Za-z0-9_-]{16,128}";

  private ClusterStore store;
  ClusterNodes nodes;

  /** The store the nodes share: here one Redis. */
  ClusterStore startStore() throws Exception {
    return ClusterStore.oneRedis("relay");
  }

  /** Names the nodes' logs. */
  String name() {
    return "cluster-relay";
  }

  @BeforeAll
  void startCluster() throws Exception {
    store = startStore();
    nodes = ClusterNodes.start(name(), 3, ClusterNodes.environment(store.url(), Map.of(
        "SIGNALBOX_MAX_ROOM_SIZE", Integer.toString(MAX_ROOM_SIZE),
        "SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS),
        "SIGNALBOX_RESUME_BUFFER", Integer.toString(RESUME_BUFFER),
        // An HTTP session without polls is lost after 2 x pollMs: two seconds here.
        "SIGNALBOX_POLL_MS", "1000")));
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    if (store != null) {
      store.close();
    }
  }

  TestClient on(int node) {
    return TestClient.connect(nodes.socket(node));
  }

  @Test
  void relayEventsAndIsolationSpanTheNodes() {
    TestClient a = on(0);
    TestClient b = on(1);
    TestClient c = on(2);
    TestClient d = on(1);
    try {
      assertEquals(MAX_ROOM_SIZE, a.welcome().getJsonObject("limits").getInt("maxRoomSize"));
      JsonObject ja = a.join("relay", "A");
      assertEquals(List.of(), ids(ja.getJsonArray("peers")));
      JsonObject jb = b.join("relay", "B");
      assertEquals(List.of(peerId(ja)), ids(jb.getJsonArray("peers")));
      assertEquals("A", jb.getJsonArray("peers").getJsonObject(0).getString("name"));
      JsonObject joinedB = a.expect("peer-joined");
      assertEquals("relay", joinedB.getString("room"));
      assertEquals(peerId(jb), joinedB.getJsonObject("peer").getString("peerId"));
      assertEquals("B", joinedB.getJsonObject("peer").getString("name"));
      JsonObject jc = c.join("relay", "C");
      assertEquals(List.of(peerId(ja), peerId(jb)), ids(jc.getJsonArray("peers")), "oldest first");
      assertEquals(peerId(jc), a.expect("peer-joined").getJsonObject("peer").getString("peerId"));
      assertEquals(peerId(jc), b.expect("peer-joined").getJsonObject("peer").getString("peerId"));
      JsonObject jd = d.join("elsewhere", "D");
      assertEquals(List.of(), ids(jd.getJsonArray("peers")), "rooms do not mix across nodes");

      // signal node 0 -> node 1, verbatim, the sender set by the server.
      JsonObject offer = Json.createObjectBuilder().add("description", Json.createObjectBuilder()
          .add("type", "offer").add("sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n")).build();
      a.send(Json.createObjectBuilder().add("type", "signal").add("to", peerId(jb))
          .add("from", "forged").add("data", offer).build().toString());
      JsonObject relayed = b.expect("signal");
      assertEquals(peerId(ja), relayed.getString("from"));
      assertEquals(offer, relayed.getJsonObject("data"));

      // targeted message node 1 -> node 2.
      message(b, peerId(jc), Json.createValue("hello C"), null);
      JsonObject toC = c.expect("message");
      assertEquals(peerId(jb), toC.getString("from"));
      assertEquals(peerId(jc), toC.getString("to"));
      assertEquals(Json.createValue("hello C"), toC.get("data"));

      // broadcast from node 2 reaches nodes 0 and 1, not the sender, not the other room.
      message(c, null, numbered("broadcast", 1), null);
      for (TestClient other : List.of(a, b)) {
        JsonObject m = other.expect("message");
        assertEquals(peerId(jc), m.getString("from"));
        assertFalse(m.containsKey("to"), () -> "a broadcast has no to: " + m);
        assertEquals(numbered("broadcast", 1), m.getJsonObject("data"));
      }

      // Isolation: a peer of another room, on another node, is unknown both ways.
      signal(d, peerId(ja), offer, "d-to-a");
      assertEquals("d-to-a", d.expectError("unknown-peer").getString("ref"));
      message(a, peerId(jd), Json.createValue("x"), "a-to-d");
      assertEquals("a-to-d", a.expectError("unknown-peer").getString("ref"));
      message(a, peerId(ja), Json.createValue("x"), "a-to-a");
      assertEquals("a-to-a", a.expectError("unknown-peer").getString("ref"));

      // A close frame ends the membership at once: every other node announces it.
      b.closeWith(1000);
      b.awaitClose();
      for (TestClient other : List.of(a, c)) {
        JsonObject left = other.expect("peer-left");
        assertEquals("relay", left.getString("room"));
        assertEquals(peerId(jb), left.getString("peerId"));
        assertEquals("left", left.getString("reason"));
      }
      // A relay to the peer that left is answered on the sender's node.
      signal(a, peerId(jb), offer, "to-gone-signal");
      assertEquals("to-gone-signal", a.expectError("unknown-peer").getString("ref"));
      message(c, peerId(jb), Json.createValue("x"), "to-gone-message");
      assertEquals("to-gone-message", c.expectError("unknown-peer").getString("ref"));

      // A close the server starts (1009, message too big) ends it with reason disconnected.
      c.send("{\"type\":\"message\",\"data\":\"" + "x".repeat(70_000) + "\"}");
      assertEquals(1009, c.awaitClose());
      JsonObject cLeft = a.expect("peer-left");
      assertEquals(peerId(jc), cLeft.getString("peerId"));
      assertEquals("disconnected", cLeft.getString("reason"));

      // Nothing else reached anyone: answered in order on each connection before its pong.
      assertEquals(List.of(), untilPong(a, "end-a"));
      assertEquals(List.of(), untilPong(d, "end-d"), "nothing crossed into the other room");
    } finally {
      leave(a, b, c, d);
    }
  }

  /**
   * A WebSocket peer and HTTP peers on other nodes share a room: relays both ways, a broadcast,
   * and one order of joins and leaves, as sockets alone have (PROTOCOL.md, HTTP binding).
   */
  @Test
  void webSocketAndHttpPeersOnDifferentNodesShareARoom() {
    TestClient ws = on(0);
    TestClient http = TestClient.connect(nodes.node(1).http("/signal/http"));
    TestClient http2 = TestClient.connect(nodes.node(2).http("/signal/http"));
    try {
      String wsId = peerId(ws.join("mixed-nodes", "W"));
      String httpId = peerId(http.join("mixed-nodes", "H"));
      ws.expect("peer-joined");
      http2.join("mixed-nodes", "H2");
      ws.expect("peer-joined");
      http.expect("peer-joined");
      for (int i = 0; i < 20; i++) {
        message(ws, httpId, numbered("to-http", i), null);
        message(http, wsId, numbered("to-ws", i), null);
      }
      for (int i = 0; i < 20; i++) {
        assertEquals(numbered("to-http", i), http.expect("message").get("data"));
        assertEquals(numbered("to-ws", i), ws.expect("message").get("data"));
      }
      message(http2, null, numbered("everyone", 1), null);
      assertEquals(numbered("everyone", 1), ws.expect("message").get("data"));
      assertEquals(numbered("everyone", 1), http.expect("message").get("data"));
      for (int i = 0; i < 3; i++) {
        TestClient t = i == 1 ? on(2) : TestClient.connect(nodes.node(i).http("/signal/http"));
        try {
          t.join("mixed-nodes", "T" + i);
        } finally {
          t.closeWith(1000);
          t.close();
        }
      }
      List<String> seenByWs = new ArrayList<>();
      List<String> seenByHttp = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        seenByWs.add(event(ws.next(SETTLE)));
        seenByHttp.add(event(http.next(SETTLE)));
      }
      assertEquals(seenByWs, seenByHttp);
    } finally {
      TestClient.closeAll(ws, http, http2);
    }
  }

  /**
   * An HTTP peer that stops polling is lost on its node; the relays it had received but never
   * acknowledged reach it on resume at another node, before those sent after the loss.
   */
  @Test
  void anHttpPeerLostOnOneNodeGetsWhatItNeverAcknowledgedOnResumeElsewhere() throws Exception {
    TestClient a = on(0);
    TestClient back = null;
    try {
      RawHttpSession b = RawHttpSession.open(nodes.node(1).http("/signal/http"));
      b.post("[{\"type\":\"join\",\"room\":\"http-resume\"}]");
      String token = b.poll(1).getJsonArray("frames").getJsonObject(0).getString("resumeToken");
      a.join("http-resume", "A");
      message(a, b.peerId(), numbered("unacked", 1), null);
      message(a, b.peerId(), numbered("unacked", 2), null);
      b.awaitUnacknowledged(2, "message", 2);
      int withB = nodes.health(1).connections();
      awaitConnectionsAtMost(nodes, 1, withB - 1, Duration.ofSeconds(10));
      message(a, b.peerId(), numbered("unacked", 3), "after-loss");
      assertEquals(List.of(), untilPong(a, "sent"), "buffered, not refused");
      back = on(2);
      assertTrue(resume(back, "http-resume", token).getBoolean("resumed"));
      for (int n = 1; n <= 3; n++) {
        assertEquals(numbered("unacked", n), back.expect("message").getJsonObject("data"));
      }
      assertEquals(List.of(), untilPong(back, "nothing-twice"));
    } finally {
      TestClient.closeAll(a, back);
    }
  }

  private static String event(JsonObject e) {
    return e.getString("type") + " "
        + (e.containsKey("peer") ? e.getJsonObject("peer").getString("peerId") : e.getString("peerId"));
  }

  @Test
  void joinAndLeaveStormsGiveEveryMemberTheSameOrder() throws Exception {
    int rooms = 10;
    int size = 6;
    ExecutorService pool = Executors.newFixedThreadPool(rooms * size);
    List<TestClient> all = Collections.synchronizedList(new ArrayList<>());
    try {
      CountDownLatch ready = new CountDownLatch(rooms * size);
      CountDownLatch go = new CountDownLatch(1);
      Map<String, List<Future<MemberView>>> views = new HashMap<>();
      Map<String, List<TestClient>> clients = new HashMap<>();
      for (int r = 0; r < rooms; r++) {
        String room = "storm-" + r;
        List<TestClient> members = Collections.synchronizedList(new ArrayList<>());
        clients.put(room, members);
        List<Future<MemberView>> futures = new ArrayList<>();
        for (int k = 0; k < size; k++) {
          int node = (r * size + k) % nodes.size();
          String name = room + "-" + k;
          futures.add(pool.submit(() -> {
            TestClient client = on(node);
            all.add(client);
            members.add(client);
            ready.countDown();
            assertTrue(go.await(30, TimeUnit.SECONDS));
            JsonObject joined = client.join(room, name);
            assertTrue(peerId(joined).matches(PEER_ID), peerId(joined));
            return awaitRoomOf(client, joined, size - 1, SETTLE);
          }));
        }
        views.put(room, futures);
      }
      assertTrue(ready.await(60, TimeUnit.SECONDS), "clients connected");
      go.countDown();

      Set<String> everyPeerId = new HashSet<>();
      Map<String, Map<String, TestClient>> byPeerId = new HashMap<>();
      for (int r = 0; r < rooms; r++) {
        String room = "storm-" + r;
        List<List<String>> orders = new ArrayList<>();
        for (Future<MemberView> f : views.get(room)) {
          MemberView view = get(f, SETTLE.plusSeconds(10));
          orders.add(view.joinOrder());
          everyPeerId.add(view.self());
        }
        for (List<String> order : orders) {
          assertEquals(orders.get(0), order,
              room + ": each member's joined.peers + itself + later peer-joined is the one join order");
        }
        assertEquals(size, new HashSet<>(orders.get(0)).size(), room + ": six distinct members");
      }
      assertEquals(rooms * size, everyPeerId.size(), "peerIds are unique across the nodes");
      for (String room : clients.keySet()) {
        Map<String, TestClient> m = new HashMap<>();
        for (TestClient c : clients.get(room)) {
          m.put(c.welcomePeerId(), c);
        }
        byPeerId.put(room, m);
      }

      // Half of every room closes at once, from every node: the rest see one order of leaves.
      CountDownLatch leaveNow = new CountDownLatch(1);
      List<Future<?>> closes = new ArrayList<>();
      Map<String, List<TestClient>> stayers = new HashMap<>();
      Map<String, Set<String>> leavers = new HashMap<>();
      for (String room : clients.keySet()) {
        List<TestClient> members = new ArrayList<>(clients.get(room));
        members.sort((x, y) -> x.welcomePeerId().compareTo(y.welcomePeerId()));
        stayers.put(room, new ArrayList<>());
        leavers.put(room, new HashSet<>());
        for (int k = 0; k < members.size(); k++) {
          TestClient member = members.get(k);
          if (k % 2 == 0) {
            leavers.get(room).add(member.welcomePeerId());
            closes.add(pool.submit(() -> {
              assertTrue(leaveNow.await(30, TimeUnit.SECONDS));
              member.closeWith(1000);
              return member.awaitClose();
            }));
          } else {
            stayers.get(room).add(member);
          }
        }
      }
      leaveNow.countDown();
      for (Future<?> f : closes) {
        get(f, SETTLE);
      }
      for (String room : stayers.keySet()) {
        List<List<String>> orders = new ArrayList<>();
        for (TestClient stayer : stayers.get(room)) {
          List<String> order = new ArrayList<>();
          for (int i = 0; i < size / 2; i++) {
            JsonObject left = stayer.next(SETTLE);
            assertEquals("peer-left", left.getString("type"), () -> room + ": " + left);
            assertEquals("left", left.getString("reason"), () -> room + ": " + left);
            assertEquals(room, left.getString("room"));
            order.add(left.getString("peerId"));
          }
          orders.add(order);
        }
        assertEquals(leavers.get(room), new HashSet<>(orders.get(0)), room + ": the leavers, once each");
        assertEquals(size / 2, orders.get(0).size());
        for (List<String> order : orders) {
          assertEquals(orders.get(0), order, room + ": every member saw the leaves in one order");
        }
        for (TestClient stayer : stayers.get(room)) {
          assertEquals(List.of(), untilPong(stayer, "after-storm"), room + ": nothing more");
        }
      }
    } finally {
      pool.shutdownNow();
      leave(new ArrayList<>(all));
    }
  }

  @Test
  void tenSendersOnOneNodeReachAReceiverOnAnotherOnceAndInOrder() throws Exception {
    int senders = 10;
    int each = 50;
    TestClient receiver = on(1);
    List<TestClient> from = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      String receiverId = peerId(receiver.join("fan-in", "R"));
      Map<String, Integer> senderIndex = new HashMap<>();
      for (int s = 0; s < senders; s++) {
        TestClient sender = on(0);
        from.add(sender);
        senderIndex.put(peerId(sender.join("fan-in", "S" + s)), s);
        receiver.expect("peer-joined");
        for (int earlier = 0; earlier < s; earlier++) {
          from.get(earlier).expect("peer-joined");
        }
      }
      double publishedBefore = nodes.metric(0, RELAY_PUBLISHES);
      double deliveredBefore = nodes.metric(1, QUEUED_DELIVERIES);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> sending = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        TestClient sender = from.get(s);
        int index = s;
        sending.add(pool.submit(() -> {
          assertTrue(go.await(30, TimeUnit.SECONDS));
          for (int n = 0; n < each; n++) {
            // signal and message alternate: one ordered channel per pair, whatever the type.
            JsonObject data = Json.createObjectBuilder().add("s", index).add("n", n).build();
            if (n % 2 == 0) {
              signal(sender, receiverId, data, null);
            } else {
              message(sender, receiverId, data, null);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : sending) {
        get(f, SETTLE);
      }

      Map<Integer, List<Integer>> received = new HashMap<>();
      for (int i = 0; i < senders * each; i++) {
        JsonObject frame = receiver.next(SETTLE);
        String type = frame.getString("type");
        assertTrue(type.equals("signal") || type.equals("message"), () -> "unexpected " + frame);
        Integer s = senderIndex.get(frame.getString("from"));
        JsonObject data = frame.getJsonObject("data");
        assertEquals(s, data.getInt("s"), () -> "from is the sender: " + frame);
        int n = data.getInt("n");
        assertEquals(n % 2 == 0 ? "signal" : "message", type, () -> "type kept: " + frame);
        received.computeIfAbsent(s, k -> new ArrayList<>()).add(n);
      }
      List<Integer> expected = new ArrayList<>();
      for (int n = 0; n < each; n++) {
        expected.add(n);
      }
      for (int s = 0; s < senders; s++) {
        assertEquals(expected, received.get(s), "sender " + s + ": every message once, in order");
      }
      assertEquals(List.of(), untilPong(receiver, "after-fan-in"), "nothing more, no duplicates");
      for (TestClient sender : from) {
        assertEquals(List.of(), untilPong(sender, "sender-done"), "no sender got an error");
      }
      // What operators see: each relay was one publish by the senders' node, one delivery on
      // the receiver's, and both nodes serve with a measured round trip to Redis.
      assertEquals(senders * each, nodes.metric(0, RELAY_PUBLISHES) - publishedBefore, "publishes");
      assertEquals(senders * each, nodes.metric(1, QUEUED_DELIVERIES) - deliveredBefore, "deliveries");
      for (int i = 0; i < 2; i++) {
        assertEquals(1, nodes.metric(i, "signalbox_cluster_available"), "node " + i + " available");
        assertTrue(nodes.metric(i, "signalbox_cluster_redis_rtt_seconds_count") > 0, "rtt measured");
      }
    } finally {
      pool.shutdownNow();
      leave(from);
      leave(receiver);
    }
  }

  @Test
  void aPeerCutOffOnOneNodeResumesOnAnotherWithWhatWasBufferedInOrder() throws Exception {
    TestClient a = on(0);
    TestClient c = on(2);
    TestClient b = null;
    TestClient b2 = null;
    try (CutProxy toNode1 = CutProxy.start(nodes.port(1))) {
      b = TestClient.connect(URI.create("ws://127.0.0.1:" + toNode1.port() + "/signal"));
      List<JsonObject> joined = joinInTurn("resume", List.of(a, b, c), "A", "B", "C");
      JsonObject ja = joined.get(0);
      JsonObject jb = joined.get(1);
      JsonObject jc = joined.get(2);
      for (int n = 0; n < 3; n++) {
        message(a, peerId(jb), numbered("before", n), null);
      }
      for (int n = 0; n < 3; n++) {
        assertEquals(numbered("before", n), b.expect("message").getJsonObject("data"));
      }

      // The network drops B: no close frame. Once node 1 has noticed, A's messages must wait.
      int withB = nodes.health(1).connections();
      long cutAt = System.nanoTime();
      toNode1.cut();
      awaitConnectionsAtMost(nodes, 1, withB - 1, Duration.ofSeconds(5));
      for (int n = 0; n < 10; n++) {
        message(a, peerId(jb), numbered("buffered", n), "buffered-" + n);
      }
      assertEquals(List.of(), untilPong(a, "sent"), "buffered, not refused");

      // B comes back through another node.
      b2 = on(2);
      JsonObject resumed = resume(b2, "resume", jb.getString("resumeToken"));
      assertTrue(resumed.getBoolean("resumed"), resumed::toString);
      assertEquals(peerId(jb), peerId(resumed), "the same peerId");
      assertEquals(List.of(peerId(ja), peerId(jc)), ids(resumed.getJsonArray("peers")));
      assertNotEquals(jb.getString("resumeToken"), resumed.getString("resumeToken"));
      for (int n = 0; n < 10; n++) {
        JsonObject m = b2.expect("message");
        assertEquals(peerId(ja), m.getString("from"));
        assertEquals(numbered("buffered", n), m.getJsonObject("data"), "buffered, in order");
      }
      message(a, peerId(jb), numbered("live", 0), null);
      assertEquals(numbered("live", 0), b2.expect("message").getJsonObject("data"),
          "exactly the buffered messages, then live ones");
      // Resumed on node 2, B sends at once: to A on node 0 and to C on its new node.
      message(b2, peerId(ja), numbered("back", 0), null);
      message(b2, peerId(jc), numbered("back", 1), null);
      assertEquals(numbered("back", 0),
          expect(a, "A (node 0), from B resumed on node 2", "message", cutAt, b2).getJsonObject("data"));
      assertEquals(numbered("back", 1),
          expect(c, "C (node 2), from B resumed on node 2", "message", cutAt, b2).getJsonObject("data"));

      // Nobody saw B leave, not even after its grace on node 1 would have run out.
      long graceOver = cutAt + Duration.ofMillis(RESUME_GRACE_MS + 1_000 + 2_000).toNanos();
      c.expectNothing(Duration.ofNanos(Math.max(0, graceOver - System.nanoTime())));
      assertEquals(List.of(), untilPong(a, "after-grace"), "A saw nothing");
      message(c, peerId(jb), numbered("still-there", 0), null);
      assertEquals(numbered("still-there", 0), b2.expect("message").getJsonObject("data"));
      assertEquals(List.of(), untilPong(b2, "b-after-grace"));
    } finally {
      leave(a, c, b, b2);
    }
  }

  /**
   * B, lost on node 1, resumes on its old node (1), on the node of A (0) or on the node of C (2):
   * wherever it lands it is a full member again, sending and receiving both ways at once.
   */
  @ParameterizedTest(name = "resumed on node {0}")
  @ValueSource(ints = {1, 0, 2})
  void aResumedPeerIsAFullMemberOnWhicheverNodeItResumes(int node) throws Exception {
    String room = "resume-on-" + node;
    TestClient a = on(0);
    TestClient b = on(1);
    TestClient c = on(2);
    TestClient b2 = null;
    try {
      List<JsonObject> joined = joinInTurn(room, List.of(a, b, c), "A", "B", "C");
      JsonObject ja = joined.get(0);
      JsonObject jb = joined.get(1);
      JsonObject jc = joined.get(2);
      int withB = nodes.health(1).connections();
      long lostAt = System.nanoTime();
      b.abort();
      awaitConnectionsAtMost(nodes, 1, withB - 1, Duration.ofSeconds(5));

      b2 = on(node);
      JsonObject resumed = resume(b2, room, jb.getString("resumeToken"));
      assertTrue(resumed.getBoolean("resumed"), resumed::toString);
      assertEquals(List.of(peerId(ja), peerId(jc)), ids(resumed.getJsonArray("peers")));
      message(b2, peerId(ja), numbered("b-to-a", 0), "b-to-a");
      assertEquals(numbered("b-to-a", 0),
          expect(a, "A (node 0), from B resumed on node " + node, "message", lostAt, b2).getJsonObject("data"));
      message(b2, peerId(jc), numbered("b-to-c", 0), "b-to-c");
      assertEquals(numbered("b-to-c", 0),
          expect(c, "C (node 2), from B resumed on node " + node, "message", lostAt, b2).getJsonObject("data"));
      message(b2, null, numbered("b-to-all", 0), "b-to-all");
      assertEquals(numbered("b-to-all", 0), expect(a, "A, B's broadcast", "message", lostAt, b2).getJsonObject("data"));
      assertEquals(numbered("b-to-all", 0), expect(c, "C, B's broadcast", "message", lostAt, b2).getJsonObject("data"));
      message(a, peerId(jb), numbered("a-to-b", 0), null);
      message(c, peerId(jb), numbered("c-to-b", 0), null);
      JsonObject first = expect(b2, "B resumed on node " + node, "message", lostAt);
      JsonObject second = expect(b2, "B resumed on node " + node, "message", lostAt);
      assertEquals(Set.of(numbered("a-to-b", 0), numbered("c-to-b", 0)),
          Set.of(first.getJsonObject("data"), second.getJsonObject("data")));
      assertEquals(List.of(), untilPong(b2, "b-end"), "B got no error");
      assertEquals(List.of(), untilPong(a, "a-end"));
      assertEquals(List.of(), untilPong(c, "c-end"));
    } finally {
      leave(a, c, b, b2);
    }
  }

  @Test
  void aFullBufferIsUndeliverableOnTheSendersNodeAndTheRestArriveOnResume() throws Exception {
    TestClient a = on(0);
    TestClient b = on(1);
    TestClient b2 = null;
    try {
      JsonObject ja = a.join("overflow", "A");
      JsonObject jb = b.join("overflow", "B");
      a.expect("peer-joined");
      int withB = nodes.health(1).connections();
      b.abort();
      awaitConnectionsAtMost(nodes, 1, withB - 1, Duration.ofSeconds(5));
      for (int n = 0; n < RESUME_BUFFER; n++) {
        message(a, peerId(jb), numbered("held", n), "held-" + n);
      }
      assertEquals(List.of(), untilPong(a, "held"), "resumeBuffer messages are held");
      message(a, peerId(jb), numbered("held", RESUME_BUFFER), "one-too-many");
      assertEquals("one-too-many", a.expectError("undeliverable").getString("ref"));

      b2 = on(0);
      JsonObject resumed = resume(b2, "overflow", jb.getString("resumeToken"));
      assertTrue(resumed.getBoolean("resumed"), resumed::toString);
      assertEquals(peerId(jb), peerId(resumed));
      assertEquals(List.of(peerId(ja)), ids(resumed.getJsonArray("peers")));
      for (int n = 0; n < RESUME_BUFFER; n++) {
        assertEquals(numbered("held", n), b2.expect("message").getJsonObject("data"));
      }
      assertEquals(List.of(), untilPong(b2, "after-held"), "the refused one never arrives");
      message(b2, peerId(ja), numbered("back", 0), "back");
      assertEquals(numbered("back", 0),
          expect(a, "A (node 0), from B resumed on node 0", "message", System.nanoTime(), b2).getJsonObject("data"));
    } finally {
      leave(a, b, b2);
    }
  }

  @Test
  void maxRoomSizeHoldsWhenJoinersOnThreeNodesRace() throws Exception {
    int joiners = 2 * MAX_ROOM_SIZE;
    ExecutorService pool = Executors.newFixedThreadPool(joiners);
    List<TestClient> all = Collections.synchronizedList(new ArrayList<>());
    try {
      CountDownLatch ready = new CountDownLatch(joiners);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<JsonObject>> answers = new ArrayList<>();
      List<TestClient> clients = new ArrayList<>();
      for (int i = 0; i < joiners; i++) {
        TestClient client = on(i % nodes.size());
        clients.add(client);
        all.add(client);
      }
      for (int i = 0; i < joiners; i++) {
        TestClient client = clients.get(i);
        String name = "J" + i;
        answers.add(pool.submit(() -> {
          ready.countDown();
          assertTrue(go.await(30, TimeUnit.SECONDS));
          return tryJoin(client, "full", name);
        }));
      }
      assertTrue(ready.await(30, TimeUnit.SECONDS));
      go.countDown();

      List<Integer> members = new ArrayList<>();
      List<Integer> refused = new ArrayList<>();
      Map<Integer, JsonObject> joinedOf = new HashMap<>();
      for (int i = 0; i < joiners; i++) {
        JsonObject answer = get(answers.get(i), SETTLE);
        assertEquals("join", answer.getString("ref", null), answer::toString);
        if (answer.getString("type").equals("joined")) {
          members.add(i);
          joinedOf.put(i, answer);
        } else {
          assertEquals("error", answer.getString("type"), answer::toString);
          assertEquals("room-full", answer.getString("code"), answer::toString);
          refused.add(i);
        }
      }
      assertEquals(MAX_ROOM_SIZE, members.size(), "exactly maxRoomSize joined; refused: " + refused);

      List<Future<MemberView>> views = new ArrayList<>();
      for (int i : members) {
        views.add(pool.submit(() -> awaitRoomOf(clients.get(i), joinedOf.get(i), MAX_ROOM_SIZE - 1, SETTLE)));
      }
      List<String> order = null;
      for (Future<MemberView> f : views) {
        List<String> o = get(f, SETTLE.plusSeconds(5)).joinOrder();
        if (order == null) {
          order = o;
        }
        assertEquals(order, o, "every member has the same view of who is in");
      }
      Set<String> memberIds = new HashSet<>();
      for (int i : members) {
        memberIds.add(clients.get(i).welcomePeerId());
      }
      assertEquals(memberIds, new HashSet<>(order), "the views hold exactly the members");

      // One member leaves: one refused joiner, on another node, now fits, and no second one.
      int leaver = members.get(0);
      int retry = refused.stream().filter(i -> i % nodes.size() != leaver % nodes.size())
          .findFirst().orElseThrow();
      int late = refused.stream().filter(i -> i != retry).findFirst().orElseThrow();
      clients.get(leaver).closeWith(1000);
      for (int i : members) {
        if (i != leaver) {
          assertEquals("peer-left", clients.get(i).next(SETTLE).getString("type"));
        }
      }
      JsonObject joined = tryJoin(clients.get(retry), "full", "retry");
      assertEquals("joined", joined.getString("type"), joined::toString);
      assertEquals(MAX_ROOM_SIZE - 1, joined.getJsonArray("peers").size());
      JsonObject again = tryJoin(clients.get(late), "full", "late");
      assertEquals("room-full", again.getString("code", again.toString()));
    } finally {
      pool.shutdownNow();
      leave(new ArrayList<>(all));
    }
  }
}
