package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;

/**
 * The load test for users' own deployments ({@code bash bench/load-test.sh}, main class
 * {@code org.signalbox.bench.loadtest.LoadTest}) run as a child process against one run-command
 * server in {@code auth=token} mode: with tokens it mints, with tokens from a command, and with
 * a wrong secret, which must fail and say why. The bench module is built by the CI before the
 * suites; when it is missing here it is built (bounded) first.
 */
class LoadTestCommandIT {

  private static final String MAIN = "org.signalbox.bench.loadtest.LoadTest";
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(600);
  private static final int ROOMS = 3;
  private static final int PEERS = 3;

  private static RunCommandServer server;
  private static String classpath;

  @BeforeAll
  static void start() throws Exception {
    classpath = benchClasspath();
    server = RunCommandServer.start("load-test", Map.of(
        "SIGNALBOX_AUTH", "token", "SIGNALBOX_TOKEN_SECRET", Tokens.SECRET));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void minted_tokens_every_peer_joins_and_every_message_arrives() throws Exception {
    Result r = loadTest("minted", "--token-secret", Tokens.SECRET);
    assertPassed(r);
  }

  @Test
  void tokens_from_a_command_every_peer_joins_and_every_message_arrives() throws Exception {
    // One token per room and peer, minted here with Nimbus (not the load test's own code), which
    // the command finds by the environment the load test gives it.
    Path dir = Files.createDirectories(RunCommandServer.projectDir().resolve("target")
        .resolve("load-test-tokens"));
    String prefix = "ltc";
    for (int room = 0; room < ROOMS; room++) {
      for (int peer = 0; peer < PEERS; peer++) {
        String name = prefix + "-" + room;
        Files.writeString(dir.resolve(name + "." + peer + ".jwt"),
            Tokens.sign(Tokens.claims(name, "cmd-" + room + "-" + peer).build()));
      }
    }
    Result r = loadTest("command", "--room-prefix", prefix, "--token-command",
        "cat \"" + dir.toAbsolutePath() + "/$SIGNALBOX_ROOM.$SIGNALBOX_PEER.jwt\"");
    assertPassed(r);
  }

  @Test
  void a_wrong_secret_fails_and_names_the_refusal() throws Exception {
    Result r = loadTest("wrong-secret", "--token-secret", "not-the-deployment's-secret-" + "x".repeat(16));
    assertNotEquals(0, r.exit(), r.describe());
    JsonObject s = r.summary();
    assertFalse(s.getBoolean("passed"), r.describe());
    assertEquals(0, s.getInt("peersJoined"), r.describe());
    assertEquals(ROOMS * PEERS, s.getJsonObject("errors").getJsonObject("unauthorized").getInt("count"),
        r.describe());
    assertTrue(r.stderr().contains("unauthorized") && r.stderr().contains("bad signature"),
        r.describe());
  }

  private static void assertPassed(Result r) {
    assertEquals(0, r.exit(), r.describe());
    JsonObject s = r.summary();
    assertTrue(s.getBoolean("passed"), r.describe());
    assertEquals(ROOMS * PEERS, s.getInt("peersAsked"), r.describe());
    assertEquals(ROOMS * PEERS, s.getInt("peersJoined"), r.describe());
    long sent = s.getJsonNumber("sent").longValue();
    assertTrue(sent > 0, r.describe());
    assertEquals(sent, s.getJsonNumber("received").longValue(), r.describe());
    assertEquals(0, s.getInt("lost"), r.describe());
    assertEquals(0, s.getInt("duplicated"), r.describe());
    assertEquals(0, s.getInt("outOfOrder"), r.describe());
    assertTrue(s.getJsonObject("errors").isEmpty(), r.describe());
    // The join in phases, each once per peer; the warm-up's throwaway connections in none.
    assertTrue(s.getJsonNumber("warmupSeconds").doubleValue() >= 1, r.describe());
    for (String phase : List.of("handshakeLatencyMs", "welcomeLatencyMs", "joinLatencyMs",
        "connectJoinLatencyMs")) {
      assertOrdered(s.getJsonObject(phase), ROOMS * PEERS, r);
    }
    // The whole is at least its slowest part.
    assertTrue(s.getJsonObject("connectJoinLatencyMs").getJsonNumber("max").doubleValue()
        >= s.getJsonObject("handshakeLatencyMs").getJsonNumber("max").doubleValue(), r.describe());
    assertOrdered(s.getJsonObject("relayLatencyMs"), sent, r);
    // Progress lines, once a second, on stderr.
    assertTrue(r.stderr().lines().filter(l -> l.startsWith("[") && l.contains(" joined ")).count() >= 2,
        r.describe());
  }

  private static void assertOrdered(JsonObject latency, long count, Result r) {
    double p50 = latency.getJsonNumber("p50").doubleValue();
    double p99 = latency.getJsonNumber("p99").doubleValue();
    double max = latency.getJsonNumber("max").doubleValue();
    assertTrue(0 <= p50 && p50 <= p99 && p99 <= max, r.describe());
    assertEquals(count, latency.getJsonNumber("count").longValue(), r.describe());
  }

  record Result(int exit, String stdout, String stderr) {
    JsonObject summary() {
      String last = stdout.strip().lines().reduce((a, b) -> b).orElse("{}");
      return Json.createReader(new StringReader(last)).readObject();
    }

    String describe() {
      return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private static Result loadTest(String name, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", classpath, MAIN,
        server.socket().toString(), "--rooms", Integer.toString(ROOMS), "--peers",
        Integer.toString(PEERS), "--rate", "90", "--duration", "3", "--connect-rate", "20",
        "--warmup", "1", "--json"));
    command.addAll(List.of(extra));
    Path target = RunCommandServer.projectDir().resolve("target");
    Path out = target.resolve("load-test-" + name + ".out");
    Path err = target.resolve("load-test-" + name + ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    try {
      if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the load test did not end within " + RUN_TIMEOUT + ":\n"
            + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  /** bench/target/classes and the bench's runtime classpath, built (bounded) when missing. */
  private static String benchClasspath() throws Exception {
    Path bench = RunCommandServer.projectDir().resolve("bench").toAbsolutePath();
    Path classes = bench.resolve("target").resolve("classes");
    Path listed = bench.resolve("target").resolve("classpath.txt");
    if (!Files.exists(classes.resolve(MAIN.replace('.', '/') + ".class")) || !Files.exists(listed)) {
      build(bench);
    }
    return classes + File.pathSeparator + Files.readString(listed).strip();
  }

  private static void build(Path bench) throws IOException, InterruptedException {
    String mavenHome = System.getProperty("signalbox.it.mavenHome");
    String mvn = mavenHome != null ? Path.of(mavenHome, "bin", "mvn").toString() : "mvn";
    List<String> command = new ArrayList<>(List.of(mvn, "-B", "-q", "-f",
        bench.resolve("pom.xml").toString(), "-DskipTests", "package"));
    if ("offline=true".equals(System.getProperty("signalbox.it.offline"))) {
      command.add(1, "-o");
    }
    String repository = System.getProperty("signalbox.it.localRepository");
    if (repository != null) {
      command.add(1, "-Dmaven.repo.local=" + repository);
    }
    Path log = RunCommandServer.projectDir().resolve("target").resolve("load-test-bench-build.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    try {
      if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("building the bench failed:\n" + Files.readString(log));
      }
    } finally {
      p.destroyForcibly();
    }
  }
}
