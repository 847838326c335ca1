package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.signalbox.it.ClusterTesting.ids;
import static org.signalbox.it.ClusterTesting.joinInTurn;
import static org.signalbox.it.ClusterTesting.leave;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.numbered;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.resume;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.RedisServer;
import org.signalbox.testing.TestClient;
import org.signalbox.testing.WelcomelessClient;

/**
 * Redis stopped and started again in the middle of a call. While it is away every node says so on
 * /health (503), sends its clients away with 1001 and turns new ones back with 1013, logging the
 * loss once. When it is back (with its data: it saves on shutdown) the nodes serve again and the
 * clients resume where they were, even after an outage longer than the resume grace. The test
 * stops Redis, so it starts its own cluster.
 */
class ClusterRedisOutageIT {

  private static final long RESUME_GRACE_MS = 4_000;
  /** CONTRACT: a node notices that Redis is gone within about 2 s, and its return within 3 s. */
  private static final Duration LOSS_NOTICED = Duration.ofSeconds(2);
  private static final Duration RETURN_NOTICED = Duration.ofSeconds(3);
  /** What a loaded two-core machine may add to those. */
  private static final Duration MARGIN = Duration.ofMillis(1_500);
  private static final long NODE_LOSS_DETECTION_MS = 4_000;
  private static final long SWEEP_MS = 1_000;

  /** java.util.logging's two-line records: "<date> <time> <AM|PM> <logger> <method>", "LEVEL: ...". */
  private static final Pattern JUL_HEADER =
      Pattern.compile("^\\w{3} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M (\\S+) (\\S+)$");
  private static final Pattern JUL_LEVEL = Pattern.compile("^(SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): ");
  /**
   * Problems logged through SLF4J (Jetty, Netty): Maven's logger writes {@code [WARNING]} under
   * the run command, slf4j-simple writes {@code [WARN]} in the tests' Jetty nodes.
   */
  private static final Pattern MAVEN_PROBLEM = Pattern.compile("^\\[(WARN|WARNING|ERROR)\\]");
  private static final Pattern STACK_LINE =
      Pattern.compile("^\\s+at [\\w$.<>/]+\\(.*\\)$|^Caused by: |^\\s+\\.\\.\\. \\d+ more$");

  @Test
  void aRedisOutageSendsClientsAwayAndTheyResumeWhenItIsBack() throws Exception {
    try (RedisServer redis = RedisServer.start("outage", true);
        ClusterNodes nodes = ClusterNodes.start("cluster-outage", 2, ClusterNodes.environment(redis, Map.of(
            "SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS),
            "SIGNALBOX_ADMIN_AUTH", "token", "SIGNALBOX_ADMIN_SECRET", Tokens.ADMIN_SECRET)))) {
      TestClient a = TestClient.connect(nodes.socket(0));
      TestClient b = TestClient.connect(nodes.socket(1));
      TestClient c = TestClient.connect(nodes.socket(0));
      TestClient d = TestClient.connect(nodes.socket(1));
      TestClient a2 = null;
      TestClient b2 = null;
      TestClient d2 = null;
      TestClient fresh = null;
      try {
        List<JsonObject> joined = joinInTurn("outage", List.of(a, b, c, d), "A", "B", "C", "D");
        JsonObject ja = joined.get(0);
        JsonObject jb = joined.get(1);
        JsonObject jc = joined.get(2);
        JsonObject jd = joined.get(3);
        System.out.printf("peers: A %s (node 0), B %s (node 1), C %s (node 0), D %s (node 1)%n",
            peerId(ja), peerId(jb), peerId(jc), peerId(jd));
        message(a, peerId(jb), numbered("before", 0), null);
        assertEquals(numbered("before", 0), b.expect("message").getJsonObject("data"));
        int[] logFrom = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
          logFrom[i] = nodes.node(i).output().length();
        }

        long stoppedAt = System.nanoTime();
        redis.stop();
        Duration lossBound = LOSS_NOTICED.plus(MARGIN);
        for (int i = 0; i < nodes.size(); i++) {
          ClusterNodes.Health h = awaitHealth(nodes, i, 503, stoppedAt, lossBound);
          assertNotEquals("ok", h.body().getString("status", "ok"), h.body()::toString);
          System.out.printf("node %d answered /health 503 %d ms after Redis stopped%n", i, sinceMs(stoppedAt));
        }
        for (TestClient live : List.of(a, b, c, d)) {
          assertEquals(1001, live.awaitClose(remaining(stoppedAt, lossBound)), "live sockets go away");
        }
        // The admin API cannot answer for the cluster either, and says so.
        AdminChecks.Answer rooms = AdminChecks.call(nodes.node(0).http("/"), "GET", "admin/rooms",
            null, "Bearer " + Tokens.admin("outage-ops"));
        assertEquals(503, rooms.status(), rooms.body());
        assertEquals("unavailable", rooms.error());
        long closedAt = System.nanoTime();
        log(stoppedAt, "A, B, C and D closed with 1001 (since Redis stopped)");
        for (int i = 0; i < nodes.size(); i++) {
          try (WelcomelessClient refused = new WelcomelessClient(nodes.socket(i))) {
            assertEquals(1013, refused.awaitClose(Duration.ofSeconds(2)), "new sockets: try again later");
            assertEquals(List.of(), refused.texts(), "no welcome, nothing");
          }
        }

        // The outage outlasts the resume grace; /health says 503 all along.
        long until = closedAt + Duration.ofMillis(RESUME_GRACE_MS + 1_000).toNanos();
        while (System.nanoTime() < until) {
          assertEquals(503, nodes.health(0).status(), "still unavailable");
          assertEquals(503, nodes.health(1).status(), "still unavailable");
          Thread.sleep(250); // the outage's length is the point: a wait for time, not a condition
        }

        long backAt = System.nanoTime();
        redis.start();
        Duration returnBound = RETURN_NOTICED.plus(MARGIN);
        for (int i = 0; i < nodes.size(); i++) {
          ClusterNodes.Health h = awaitHealth(nodes, i, 200, backAt, returnBound);
          assertEquals("ok", h.body().getString("status", null), h.body()::toString);
          System.out.printf("node %d answered /health 200 %d ms after Redis was back%n", i, sinceMs(backAt));
        }
        log(backAt, "both nodes healthy (since Redis was back)");
        fresh = TestClient.connect(nodes.socket(1));
        JsonObject joinedFresh = fresh.join("after-outage", "F");
        assertFalse(joinedFresh.getBoolean("resumed"));

        // A and B resume at once, each on the other node, and talk; D resumes halfway through the
        // grace counted from the return; C stays away.
        a2 = TestClient.connect(nodes.socket(1));
        JsonObject ra = resume(a2, "outage", ja.getString("resumeToken"));
        log(backAt, "A resumed on node 1: " + ra);
        b2 = TestClient.connect(nodes.socket(0));
        JsonObject rb = resume(b2, "outage", jb.getString("resumeToken"));
        log(backAt, "B resumed on node 0: " + rb);
        assertTrue(ra.getBoolean("resumed"), ra::toString);
        assertEquals(peerId(ja), peerId(ra));
        assertEquals(List.of(peerId(jb), peerId(jc), peerId(jd)), ids(ra.getJsonArray("peers")));
        assertTrue(rb.getBoolean("resumed"), rb::toString);
        assertEquals(peerId(jb), peerId(rb));
        assertEquals(List.of(peerId(ja), peerId(jc), peerId(jd)), ids(rb.getJsonArray("peers")));
        message(a2, peerId(jb), numbered("after", 0), null);
        message(b2, peerId(ja), numbered("after", 1), null);

        List<Timed> seenByA = new ArrayList<>();
        List<Timed> seenByB = new ArrayList<>();
        collect(List.of(a2, b2), List.of(seenByA, seenByB), backAt,
            backAt + Duration.ofMillis(RESUME_GRACE_MS / 2).toNanos(), f -> false);
        d2 = TestClient.connect(nodes.socket(0));
        JsonObject rd = resume(d2, "outage", jd.getString("resumeToken"));
        long dResumedMs = sinceMs(backAt);
        log(backAt, "D resumed on node 0: " + rd);
        assertTrue(rd.getBoolean("resumed"), "D resumed " + dResumedMs + " ms after Redis was back, within "
            + RESUME_GRACE_MS + " ms; meanwhile A saw " + seenByA + ", B saw " + seenByB + "; got " + rd);
        assertEquals(peerId(jd), peerId(rd));
        assertEquals(List.of(peerId(ja), peerId(jb), peerId(jc)), ids(rd.getJsonArray("peers")),
            "C is still in its grace " + dResumedMs + " ms after the return; meanwhile A saw " + seenByA
                + ", B saw " + seenByB);
        message(d2, null, numbered("d-is-back", 0), null);

        // Each gets the others' messages, and C's timeout once its grace from the return is over.
        long timeoutBy = backAt + Duration.ofMillis(RESUME_GRACE_MS + NODE_LOSS_DETECTION_MS + SWEEP_MS)
            .plus(MARGIN).plus(MARGIN).toNanos();
        List<Timed> seenByD = new ArrayList<>();
        collect(List.of(a2, b2, d2), List.of(seenByA, seenByB, seenByD), backAt, timeoutBy,
            frames -> frames.stream().anyMatch(t -> t.type().equals("peer-left")));
        System.out.println("A saw after resuming: " + seenByA);
        System.out.println("B saw after resuming: " + seenByB);
        System.out.println("D saw after resuming: " + seenByD);
        checkAfterReturn("A", seenByA, List.of(numbered("after", 1), numbered("d-is-back", 0)), peerId(jc));
        checkAfterReturn("B", seenByB, List.of(numbered("after", 0), numbered("d-is-back", 0)), peerId(jc));
        checkAfterReturn("D", seenByD, List.of(), peerId(jc));
        a2.expectNothing(Duration.ofMillis(SWEEP_MS + 1_000));
        assertEquals(List.of(), untilPong(b2, "end"), "no one else left");
        assertEquals(List.of(), untilPong(d2, "end"), "no one else left");

        for (int i = 0; i < nodes.size(); i++) {
          checkOutageLog(i, nodes.node(i).output().substring(logFrom[i]));
          assertEquals(1, nodes.metric(i, "signalbox_cluster_reconnects_total"),
              "node " + i + " counted its one new session with Redis");
        }
      } finally {
        leave(a, b, c, d, a2, b2, d2, fresh);
      }
    }
  }

  /**
   * One WARNING for the loss, nothing else at WARNING or above, no stack trace at all, then one
   * INFO of Signalbox's for the return.
   */
  private static void checkOutageLog(int node, String window) {
    String[] lines = window.split("\n");
    List<String> problems = new ArrayList<>();
    List<String> stack = new ArrayList<>();
    List<String> infosAfterWarning = new ArrayList<>();
    boolean warned = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (STACK_LINE.matcher(line).find()) {
        stack.add(line);
      }
      if (MAVEN_PROBLEM.matcher(line).find()) {
        problems.add(line);
      }
      Matcher header = JUL_HEADER.matcher(line);
      if (header.find() && i + 1 < lines.length) {
        Matcher level = JUL_LEVEL.matcher(lines[i + 1]);
        if (!level.find()) {
          continue;
        }
        String record = header.group(1) + " " + header.group(2) + " / " + lines[i + 1];
        boolean ours = header.group(1).startsWith("org.signalbox.");
        switch (level.group(1)) {
          case "SEVERE", "WARNING" -> {
            problems.add(record);
            warned |= ours;
          }
          case "INFO" -> {
            // Per-connection notes of clients' own errors (Connection.onError) are not about Redis,
            // nor the admin API's line for the test's own call. Nor is the other node's previous
            // session found gone: both nodes begin new sessions when Redis is back, and whichever
            // finds the other's old id first reaps it and says so (true, and once).
            if (warned && ours && !header.group(2).equals("onError")
                && !header.group(1).equals("org.signalbox.web.AdminServlet")
                && !lines[i + 1].endsWith("is gone: its peers begin their grace")) {
              infosAfterWarning.add(record);
            }
          }
          default -> { }
        }
      }
    }
    String context = "node " + node + "'s log while Redis was away and back:\n" + window;
    if (problems.size() != 1 || !problems.get(0).startsWith("org.signalbox.")) {
      fail("expected one WARNING of Signalbox's for the loss, got " + problems + "\n" + context);
    }
    if (!stack.isEmpty()) {
      fail("expected no stack trace, got " + stack.size() + " lines like " + stack.get(0) + "\n" + context);
    }
    if (infosAfterWarning.size() != 1) {
      fail("expected one INFO of Signalbox's for the return, got " + infosAfterWarning + "\n" + context);
    }
  }

  private static ClusterNodes.Health awaitHealth(ClusterNodes nodes, int i, int status, long since,
      Duration bound) throws Exception {
    ClusterNodes.Health last = null;
    while (true) {
      try {
        last = nodes.health(i);
        if (last.status() == status) {
          return last;
        }
      } catch (IOException e) {
        fail("node " + i + " stopped answering /health: " + e);
      }
      if (System.nanoTime() - since > bound.toNanos()) {
        fail("node " + i + " did not answer /health " + status + " within " + bound + "; last: "
            + last.status() + " " + last.body());
      }
      Thread.sleep(50); // polling another process: there is no event to await
    }
  }

  /** A frame and when it was read, in ms since Redis was back. */
  record Timed(long ms, JsonObject frame) {
    String type() {
      return frame.getString("type");
    }

    @Override
    public String toString() {
      return "+" + ms + " ms " + frame;
    }
  }

  /**
   * Reads the frames of each client into its list, timed as they come, until {@code done} holds
   * for every list or {@code until} (nanoTime) passes.
   */
  private static void collect(List<TestClient> clients, List<List<Timed>> into, long since, long until,
      Predicate<List<Timed>> done) throws InterruptedException {
    while (true) {
      boolean any = false;
      for (int i = 0; i < clients.size(); i++) {
        JsonObject frame = clients.get(i).poll();
        if (frame != null) {
          into.get(i).add(new Timed(sinceMs(since), frame));
          any = true;
        }
      }
      if (any) {
        continue;
      }
      if (into.stream().allMatch(done) || System.nanoTime() >= until) {
        return;
      }
      Thread.sleep(10); // until a deadline that is the point of the wait
    }
  }

  /**
   * What a resumed member must have seen after the return: the others' messages (in order) and
   * one peer-left for C with reason timeout, not before C's grace counted from the return was over.
   */
  private static void checkAfterReturn(String who, List<Timed> seen, List<JsonObject> messages, String c) {
    List<JsonObject> got = seen.stream().filter(t -> t.type().equals("message"))
        .map(t -> t.frame().getJsonObject("data")).toList();
    List<Timed> lefts = seen.stream().filter(t -> t.type().equals("peer-left")).toList();
    assertEquals(seen.size(), got.size() + lefts.size(), who + " saw only messages and C leaving: " + seen);
    assertEquals(messages, got, who + ": " + seen);
    assertEquals(1, lefts.size(), who + " hears once that C is gone: " + seen);
    JsonObject left = lefts.get(0).frame();
    assertEquals(c, left.getString("peerId"), who + ": only C leaves: " + seen);
    assertEquals("timeout", left.getString("reason"), who + ": " + seen);
    assertTrue(lefts.get(0).ms() >= RESUME_GRACE_MS, who + " heard that C timed out "
        + lefts.get(0).ms() + " ms after Redis was back; C could resume for " + RESUME_GRACE_MS
        + " ms after the return: " + seen);
  }

  private static void log(long since, String what) {
    System.out.printf("+%d ms: %s%n", sinceMs(since), what);
  }

  private static Duration remaining(long since, Duration bound) {
    return Duration.ofNanos(Math.max(1, bound.toNanos() - (System.nanoTime() - since)));
  }

  private static long sinceMs(long since) {
    return Duration.ofNanos(System.nanoTime() - since).toMillis();
  }
}
