package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.signalbox.testing.RedisCluster;
import org.signalbox.testing.TestClient;

/** What the cluster tests share: protocol steps beyond TestClient's, views of a room, waits. */
final class ClusterTesting {

  private ClusterTesting() {}

  /** Sends {@code join} with {@code resume} and returns {@code joined}, which must answer it. */
  static JsonObject resume(TestClient client, String room, String token) {
    client.send(Json.createObjectBuilder().add("type", "join").add("room", room)
        .add("resume", token).add("id", "resume").build().toString());
    JsonObject joined = client.expect("joined");
    assertEquals("resume", joined.getString("ref", null), () -> "joined answers the resume: " + joined);
    return joined;
  }

  /**
   * Joins {@code clients} to {@code room} one after the other, named {@code names}: each join
   * is answered, and every earlier member sees its {@code peer-joined} before the next one joins.
   *
   * @return each client's {@code joined}, in order
   */
  static List<JsonObject> joinInTurn(String room, List<TestClient> clients, String... names) {
    List<JsonObject> joined = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      joined.add(clients.get(i).join(room, names[i]));
      for (TestClient earlier : clients.subList(0, i)) {
        earlier.expect("peer-joined");
      }
    }
    return joined;
  }

  /** Sends {@code join} with an id and returns the answer, whatever it is. */
  static JsonObject tryJoin(TestClient client, String room, String name) {
    client.send(Json.createObjectBuilder().add("type", "join").add("room", room)
        .add("name", name).add("id", "join").build().toString());
    return client.next();
  }

  /** A {@code message} to one peer ({@code to} non-null) or to the room, with an id. */
  static void message(TestClient client, String to, JsonValue data, String id) {
    JsonObjectBuilder b = Json.createObjectBuilder().add("type", "message").add("data", data);
    if (to != null) {
      b.add("to", to);
    }
    if (id != null) {
      b.add("id", id);
    }
    client.send(b.build().toString());
  }

  /** A {@code signal} to one peer, with an id. */
  static void signal(TestClient client, String to, JsonObject data, String id) {
    JsonObjectBuilder b = Json.createObjectBuilder().add("type", "signal").add("to", to).add("data", data);
    if (id != null) {
      b.add("id", id);
    }
    client.send(b.build().toString());
  }

  /**
   * The next frame of {@code client}, which must have {@code type}; otherwise fails with what
   * arrived instead and in the next two seconds, each with its time since {@code since}
   * (System.nanoTime), so that a report can say what came when.
   */
  static JsonObject expect(TestClient client, String who, String type, long since,
      TestClient... alsoShow) {
    JsonObject frame = client.poll();
    long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
    while (frame == null && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5); // the next frame, bounded; on failure the message says what came
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      frame = client.poll();
    }
    if (frame != null && type.equals(frame.getString("type"))) {
      return frame;
    }
    StringBuilder seen = new StringBuilder();
    if (frame == null) {
      seen.append("\n  nothing within ").append(TestClient.WAIT).append(" (at +").append(ms(since)).append(" ms)");
    } else {
      seen.append("\n  +").append(ms(since)).append(" ms: ").append(frame);
    }
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      JsonObject more = client.poll();
      if (more == null) {
        try {
          Thread.sleep(20); // collecting what else arrives for the failure message only
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        continue;
      }
      seen.append("\n  +").append(ms(since)).append(" ms: ").append(more);
    }
    for (int i = 0; i < alsoShow.length; i++) {
      seen.append("\n  meanwhile, other client ").append(i).append(" has:");
      for (JsonObject other = alsoShow[i].poll(); other != null; other = alsoShow[i].poll()) {
        seen.append("\n    ").append(other);
      }
    }
    fail(who + " expected " + type + " next, got (read at):" + seen);
    return frame;
  }

  static long ms(long since) {
    return Duration.ofNanos(System.nanoTime() - since).toMillis();
  }

  /** {"n": n, "tag": tag}: a numbered payload. */
  static JsonObject numbered(String tag, int n) {
    return Json.createObjectBuilder().add("tag", tag).add("n", n).build();
  }

  /**
   * Sends a ping with {@code id} and returns every frame that arrived before its pong: replies on
   * one connection come in order, so everything the server answered before is among them.
   */
  static List<JsonObject> untilPong(TestClient client, String id) {
    client.send("{\"type\":\"ping\",\"id\":\"" + id + "\"}");
    List<JsonObject> before = new ArrayList<>();
    while (true) {
      JsonObject frame = client.next();
      if ("pong".equals(frame.getString("type")) && id.equals(frame.getString("ref", null))) {
        return before;
      }
      before.add(frame);
    }
  }

  /** The peerIds of {@code joined.peers}, oldest first. */
  static List<String> ids(JsonArray peers) {
    List<String> ids = new ArrayList<>();
    for (JsonValue p : peers) {
      ids.add(p.asJsonObject().getString("peerId"));
    }
    return ids;
  }

  /** The peerId a peer has in its room: from its joined. */
  static String peerId(JsonObject joined) {
    return joined.getString("peerId");
  }

  /** Closes each client with a close frame and waits (bounded) for the server's close. */
  static void leave(TestClient... clients) {
    for (TestClient c : clients) {
      if (c == null) {
        continue;
      }
      try {
        if (!c.isClosed()) {
          c.closeWith(1000);
          c.awaitClose(Duration.ofSeconds(5));
        }
      } catch (RuntimeException | AssertionError e) {
        // Already gone: abort below.
      } finally {
        c.close();
      }
    }
  }

  static void leave(List<TestClient> clients) {
    leave(clients.toArray(new TestClient[0]));
  }

  /** Waits (bounded, polling) until {@code condition} holds; fails with {@code what} if not. */
  static void await(String what, Duration bound, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + bound + ": " + what);
      }
      try {
        Thread.sleep(50); // polling another process's state: there is no event to await
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Waits until node {@code i}'s /health counts at most {@code most} connections: the node has
   * noticed connections that broke without a close frame.
   */
  static void awaitConnectionsAtMost(ClusterNodes nodes, int i, int most, Duration bound) {
    await("node " + i + " counts at most " + most + " connections", bound, () -> {
      try {
        return nodes.health(i).connections() <= most;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    });
  }

  /** The result of a task, waiting at most {@code bound}; its failure rethrown as it was. */
  static <T> T get(Future<T> future, Duration bound) throws Exception {
    try {
      return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError("a task did not finish within " + bound);
    }
  }

  /**
   * What one member saw of its room: its own peerId, the ids in {@code joined.peers}, and the
   * membership events that came after.
   */
  record MemberView(String self, List<String> peers, List<JsonObject> events) {

    /** joined.peers, then itself, then every peer-joined after: the room's order of joins. */
    List<String> joinOrder() {
      List<String> order = new ArrayList<>(peers);
      order.add(self);
      for (JsonObject e : events) {
        assertEquals("peer-joined", e.getString("type"), () -> "only joins expected, got " + e);
        order.add(e.getJsonObject("peer").getString("peerId"));
      }
      return order;
    }
  }

  /**
   * Reads membership events after {@code joined} until the member sees {@code others} other
   * peers, failing on any other frame. Each event must be for {@code room}.
   */
  static MemberView awaitRoomOf(TestClient client, JsonObject joined, int others, Duration bound) {
    String room = joined.getString("room");
    List<String> peers = ids(joined.getJsonArray("peers"));
    List<JsonObject> events = new ArrayList<>();
    long deadline = System.nanoTime() + bound.toNanos();
    int seen = peers.size();
    while (seen < others) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail(peerId(joined) + " saw " + seen + " of " + others + " others within " + bound
            + ": peers " + peers + ", events " + events);
      }
      JsonObject frame = client.next(Duration.ofNanos(left));
      String type = frame.getString("type");
      assertTrue(type.equals("peer-joined") || type.equals("peer-left"), () -> "unexpected " + frame);
      assertEquals(room, frame.getString("room"), () -> "event for another room " + frame);
      events.add(frame);
      seen += type.equals("peer-joined") ? 1 : -1;
    }
    return new MemberView(peerId(joined), peers, events);
  }

  /** Fails if {@code client} has a frame queued now. */
  static void assertNoFrame(TestClient client, String who) {
    JsonObject frame = client.poll();
    if (frame != null) {
      fail(who + " got an unexpected frame: " + frame);
    }
  }

  /**
   * How long a resume attempt waits for its answer: a node's join waits 2.5 s for Redis, then
   * answers. A resume given up on may still have run and rotated the token, so this is a bound
   * for a node that hangs, with room for a loaded machine, not a retry timer.
   */
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

  /** A resumed client and its {@code joined}. */
  record Resumed(TestClient client, JsonObject joined) {}

  /**
   * Resumes on {@code node}, trying again after a short backoff while the node cannot serve the
   * room yet (1013, or an error, while it learns the new owner), within {@code within}
   * of {@code since}. The resumed client is added to {@code opened}, for the test to close.
   */
  static Resumed resumeUntilServed(URI node, String room, String token, long since,
      Duration within, List<String> attempts, List<TestClient> opened)
      throws InterruptedException {
    long deadline = since + within.toNanos();
    for (int attempt = 0; attempt < 100 && System.nanoTime() < deadline; attempt++) {
      TestClient client = TestClient.connect(node);
      client.send(Json.createObjectBuilder().add("type", "join").add("room", room)
          .add("resume", token).add("id", "resume").build().toString());
      JsonObject answer = null;
      long answerBy = System.nanoTime() + ANSWER_WITHIN.toNanos();
      while (answer == null && !client.isClosed() && System.nanoTime() < answerBy) {
        answer = client.poll(Duration.ofMillis(50)); // the answer, or the close that replaces it
      }
      if (answer == null) {
        answer = client.poll(); // a frame that came just before the close
      }
      String at = " at +" + Duration.ofNanos(System.nanoTime() - since).toMillis() + " ms";
      if (answer != null && "joined".equals(answer.getString("type"))) {
        opened.add(client);
        assertTrue(answer.getBoolean("resumed"), answer::toString);
        attempts.add("joined" + at);
        return new Resumed(client, answer);
      }
      attempts.add((answer != null ? answer.toString()
          : client.isClosed() ? "closed " + client.awaitClose(Duration.ofSeconds(1)) : "nothing") + at);
      client.close();
      Thread.sleep(250); // a client's backoff before it tries again
    }
    fail("no resume within " + within + ": " + attempts);
    return null;
  }

  /** Keys.CLUSTER_PARTITIONS: on a Redis Cluster rooms are spread over this many hash tags. */
  static final int PARTITIONS = 256;

  /**
   * A room's own key prefix {@code sb:{p}:r:<room>:} on a Redis Cluster: its partition's hash tag
   * decides its slot.
   */
  static String roomPrefix(String room) {
    return "sb:{" + (RedisCluster.slotOf(room) % PARTITIONS) + "}:r:"
        + room + ":";
  }

  /**
   * Round trips from one peer to another and back, one after the other, until stopped or one
   * fails: a room that must notice nothing while something happens elsewhere.
   */
  static final class RoundTrips implements Runnable {
    private final String tag;
    private final TestClient c;
    private final String cId;
    private final TestClient d;
    private final String dId;
    private volatile boolean stopped;
    volatile int roundTrips;
    volatile long slowestMs;
    volatile Throwable failure;

    RoundTrips(String tag, TestClient c, String cId, TestClient d, String dId) {
      this.tag = tag;
      this.c = c;
      this.cId = cId;
      this.d = d;
      this.dId = dId;
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      try {
        // Bounded: the main thread stops it; each step waits at most TestClient.WAIT.
        for (int n = 0; !stopped && n < 100_000; n++) {
          long sent = System.nanoTime();
          message(c, dId, numbered(tag, n), null);
          assertEquals(numbered(tag, n), d.expect("message").getJsonObject("data"));
          message(d, cId, numbered(tag + "-back", n), null);
          assertEquals(numbered(tag + "-back", n), c.expect("message").getJsonObject("data"));
          slowestMs = Math.max(slowestMs, Duration.ofNanos(System.nanoTime() - sent).toMillis());
          roundTrips = n + 1;
        }
      } catch (Throwable e) {
        failure = e;
      }
    }
  }
}
