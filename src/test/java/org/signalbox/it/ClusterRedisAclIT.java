package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.numbered;
import static org.signalbox.it.ClusterTesting.peerId;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.RedisCluster;
import org.signalbox.testing.TestClient;

/**
 * The smallest Redis ACL that Signalbox needs (docs/cluster.md, "Redis ACL"), on a Redis Cluster:
 * a user with only those commands, keys {@code sb:*} and channels {@code sb:*} serves; a user
 * without one of the commands is refused on start, the node says which command, and it serves
 * once the ACL is granted, without a restart.
 */
class ClusterRedisAclIT {

  /** What docs/cluster.md lists, word for word after the user's name and password. */
  static final List<String> SIGNALBOX_ACL = List.of("resetkeys", "~sb:*", "resetchannels",
      "&sb:*", "-@all", "+@connection", "+cluster|nodes", "+info",
      "+script|load", "+evalsha", "+eval", "+time", "+scan", "+ssubscribe", "+sunsubscribe",
      "+spublish", "+get", "+set", "+del", "+exists", "+pexpire", "+pexpireat", "+incr",
      "+hget", "+hset", "+hdel", "+hgetall", "+hlen", "+hmget", "+rpush", "+lpop", "+lrange",
      "+lindex", "+llen", "+sadd", "+srem", "+smembers", "+zadd", "+zrem", "+zrangebyscore");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static void setUser(RedisCluster cluster, String user, String password,
      List<String> rules) throws IOException {
    List<String> args = new ArrayList<>(List.of(user, "reset", "on", ">" + password));
    args.addAll(rules);
    cluster.aclSetUser(args.toArray(String[]::new));
  }

  @Test
  void aUserWithTheDocumentedAclServesAndOneWithoutACommandIsToldWhich() throws Exception {
    try (RedisCluster cluster = RedisCluster.start("acl", 3, 0, ClusterStore.NODE_TIMEOUT_MS)) {
      setUser(cluster, "signalbox", "s3cret", SIGNALBOX_ACL);
      List<String> narrow = new ArrayList<>(SIGNALBOX_ACL);
      narrow.remove("+spublish");
      setUser(cluster, "narrow", "n4rrow", narrow);
      // The nodes' user may touch nothing else: a key outside sb:* is refused.
      assertTrue(cluster.commandAs(cluster.masterPorts().get(0), "signalbox", "s3cret",
          "SET", "other", "1").startsWith("-NOPERM"), "keys outside sb:* are refused");

      // One node whose user has exactly the documented ACL, one whose user lacks SPUBLISH,
      // started together.
      try (RunCommandServer refused = ClusterNodes.launch("cluster-acl-narrow", 1,
              ClusterNodes.environment(cluster.url("narrow", "n4rrow"), Map.of()));
          ClusterNodes nodes = ClusterNodes.start("cluster-acl", 1, ClusterNodes.environment(
              cluster.url("signalbox", "s3cret"), Map.of("SIGNALBOX_ADMIN_AUTH", "token",
                  "SIGNALBOX_ADMIN_SECRET", Tokens.ADMIN_SECRET)))) {
        TestClient a = TestClient.connect(nodes.socket(0));
        TestClient b = null;
        try {
          // Served under the ACL: a join, the admin API's room list.
          String aId = peerId(a.join("acl", "A"));
          AdminChecks.Answer rooms = AdminChecks.call(nodes.node(0).http("/"), "GET",
              "admin/rooms", null, "Bearer " + Tokens.admin("acl-ops"));
          assertEquals(200, rooms.status(), rooms.body());
          assertTrue(rooms.body().contains("\"acl\""), rooms.body());

          // Without SPUBLISH the node says so on start and serves no one; granted it, it serves
          // without a restart, and relays cross the two nodes, both under the documented ACL.
          String said = awaitOutput(refused, "refuses a command Signalbox needs");
          assertTrue(said.toLowerCase().contains("spublish"), "names the command: " + said);
          awaitHealth(refused, 503);
          setUser(cluster, "narrow", "n4rrow", SIGNALBOX_ACL);
          awaitHealth(refused, 200);
          b = TestClient.connect(refused.socket());
          String bId = peerId(b.join("acl", "B"));
          a.expect("peer-joined");
          message(a, bId, numbered("acl", 0), null);
          assertEquals(numbered("acl", 0), b.expect("message").getJsonObject("data"));
          message(b, aId, numbered("acl", 1), null);
          assertEquals(numbered("acl", 1), a.expect("message").getJsonObject("data"));
        } finally {
          a.close();
          if (b != null) {
            b.close();
          }
        }
      }
    }
  }

  /** The line of the server's output that holds {@code text}, waiting (bounded) for it. */
  private static String awaitOutput(RunCommandServer server, String text) throws Exception {
    assertTrue(server.awaitOutput(text, Duration.ofSeconds(120)),
        () -> "the server never said '" + text + "'");
    for (String line : server.output().split("\n")) {
      if (line.contains(text)) {
        return line;
      }
    }
    return fail("gone from the output: " + text);
  }

  private static int health(RunCommandServer server) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(server.http("/health")).timeout(Duration.ofSeconds(2))
        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void awaitHealth(RunCommandServer server, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      try {
        last = health(server);
      } catch (IOException notListeningYet) {
        last = -1;
      }
      if (last == status) {
        return;
      }
      Thread.sleep(100); // another process's state: there is no event to await
    }
    fail("/health never answered " + status + "; last " + last + "\n" + server.output());
  }
}
