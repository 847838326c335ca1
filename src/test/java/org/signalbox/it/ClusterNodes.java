package org.signalbox.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.FileTrees;
import org.signalbox.testing.RedisServer;

/**
 * Several Signalbox nodes, each serving the built WAR in the run command's Jetty, configured as
 * the run command configures it ({@link ClusterNodeLauncher}), port from {@code PORT}, all with
 * the same environment, typically {@code SIGNALBOX_REDIS_URL} of one {@link RedisServer}: a
 * cluster on loopback. The tests of the run command itself (RunCommandIT, the browser tests) start
 * it through Maven; the cluster tests start some 56 nodes, and a node's Maven run (which
 * re-packages the WAR) took about three times as long to serve /health as plain Java.
 *
 * <p>With {@code -Dsignalbox.it.clusterNodes=run-command} the nodes are the README's run command
 * itself ({@code mvn -DskipTests jetty:run-war}), as before: to compare the two. Each such node
 * runs in its own copy of this project under {@code target/cluster-nodes/node-<i>}
 * (pom.xml and src/main only). Two run commands in one directory disturb each other: each
 * re-packages target/signalbox.war, and each unpacks it into the one directory target/tmp/webapp,
 * replacing the files a running node loads its classes from; a node that stops deletes
 * target/tmp under the others. In separate copies the nodes start in parallel and can be stopped
 * or killed one by one. The copies keep their files' times, so a copy whose sources did not
 * change compiles nothing on the next run.
 */
final class ClusterNodes implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Copies refreshed by this JVM: a test run copies the sources once. */
  private static final Set<Integer> FRESH_COPIES = new HashSet<>();
  /** The one choice of how nodes start: plain Java (default) or the run command through Maven. */
  private static final boolean RUN_COMMAND =
      "run-command".equals(System.getProperty("signalbox.it.clusterNodes"));

  private final List<RunCommandServer> nodes;

  private ClusterNodes(List<RunCommandServer> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts {@code count} nodes with {@code environment} (plus {@code PORT}), all at once, and
   * waits until each serves /health. Their logs are target/run-command-{@code name}-<i>.log.
   */
  static ClusterNodes start(String name, int count, Map<String, String> environment)
      throws Exception {
    List<RunCommandServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        nodes.add(launchNode(name + "-" + i, i, environment));
      }
      for (RunCommandServer node : nodes) {
        node.awaitHealthy();
      }
      return new ClusterNodes(nodes);
    } catch (Exception | Error e) {
      nodes.forEach(RunCommandServer::close);
      throw e;
    }
  }

  /**
   * Starts one node in copy {@code i} without waiting for it to serve: for a node that is not
   * expected to (its /health answers 503).
   */
  static RunCommandServer launch(String name, int i, Map<String, String> environment)
      throws Exception {
    return launchNode(name, i, environment);
  }

  /** Node {@code name}; with the run command, in copy {@code i}. */
  private static RunCommandServer launchNode(String name, int i, Map<String, String> environment)
      throws Exception {
    if (RUN_COMMAND) {
      return RunCommandServer.launch(name, environment, EmbeddedServer.freePort(), copy(i));
    }
    return ClusterNodeLauncher.launch(name, environment, EmbeddedServer.freePort());
  }

  /** Standard test settings of a cluster node on {@code redis}, plus {@code more}. */
  static Map<String, String> environment(RedisServer redis, Map<String, String> more) {
    return environment(redis.url(), more);
  }

  /** Standard test settings of a cluster node on the Redis at {@code redisUrl}, plus {@code more}. */
  static Map<String, String> environment(String redisUrl, Map<String, String> more) {
    Map<String, String> environment = new HashMap<>();
    environment.put("SIGNALBOX_REDIS_URL", redisUrl);
    environment.put("SIGNALBOX_ALLOWED_ORIGINS", "*");
    environment.putAll(more);
    return environment;
  }

  RunCommandServer node(int i) {
    return nodes.get(i);
  }

  int size() {
    return nodes.size();
  }

  URI socket(int i) {
    return nodes.get(i).socket();
  }

  int port(int i) {
    return nodes.get(i).port();
  }

  /** SIGKILL of node {@code i}, as {@code kill -9}. */
  void kill(int i) {
    nodes.get(i).kill();
  }

  /** {@code GET /health} of node {@code i}: its status code and JSON body. */
  Health health(int i) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(nodes.get(i).http("/health")).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonObject body;
    try {
      body = Json.createReader(new StringReader(r.body())).readObject();
    } catch (RuntimeException e) {
      body = Json.createObjectBuilder().add("unparsed", r.body()).build();
    }
    return new Health(r.statusCode(), body);
  }

  /**
   * One sample of node {@code i}'s {@code GET /metrics}, by its name with labels exactly as the
   * Prometheus text shows it ({@code signalbox_cluster_publishes_total{kind="relay"}}); 0 when
   * the node shows no such sample yet.
   */
  double metric(int i, String sample) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(nodes.get(i).http("/metrics")).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : r.body().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }

  /** One answer of /health. */
  record Health(int status, JsonObject body) {
    int connections() {
      return body.getInt("connections", -1);
    }
  }

  /** Stops every node still running with SIGTERM, in parallel. */
  @Override
  public void close() {
    List<Thread> stops = new ArrayList<>();
    for (RunCommandServer node : nodes) {
      if (node.isAlive()) {
        Thread t = new Thread(node::close, "cluster-node-stop");
        t.start();
        stops.add(t);
      }
    }
    for (Thread t : stops) {
      try {
        t.join(Duration.ofSeconds(40).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * target/cluster-nodes/node-{@code i}, holding this project's pom.xml and src/main: where the
   * run command runs.
   */
  private static synchronized Path copy(int i) {
    Path project = RunCommandServer.projectDir();
    Path copy = project.resolve("target").resolve("cluster-nodes").resolve("node-" + i);
    if (FRESH_COPIES.add(i)) {
      try {
        FileTrees.delete(copy.resolve("src"));
        Files.createDirectories(copy);
        Files.copy(project.resolve("pom.xml"), copy.resolve("pom.xml"),
            StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        copyTree(project.resolve("src").resolve("main"), copy.resolve("src").resolve("main"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return copy;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()),
            StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
