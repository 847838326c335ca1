package org.signalbox.it;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.signalbox.testing.EmbeddedServer;

/**
 * The server exactly as the README's run command starts it ({@code mvn -DskipTests
 * jetty:run-war}, port from {@code PORT}), as a child process: what these tests prove holds for
 * Jetty, not only for the embedded Tyrus of the unit tests. Its output goes to a file under
 * {@code target/} that tests read for logged errors.
 */
final class RunCommandServer implements AutoCloseable {

  /** The README's run command, after {@code mvn}. */
  static final List<String> RUN_COMMAND = List.of("-DskipTests", "jetty:run-war");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path log;
  /** What the messages call this server: the run command, or a cluster test's node. */
  private final String what;

  private RunCommandServer(Process process, int port, Path log, String what) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.what = what;
  }

  /** Starts the run command with {@code PORT} and extra environment, and waits for /health. */
  static RunCommandServer start(String name, Map<String, String> environment) throws Exception {
    RunCommandServer server = launch(name, environment);
    server.awaitHealthy();
    return server;
  }

  /** Starts the run command without waiting for it to serve. */
  static RunCommandServer launch(String name, Map<String, String> environment) throws Exception {
    return launch(name, environment, EmbeddedServer.freePort());
  }

  /** Starts the run command on {@code port} (a restart reuses its predecessor's) and waits. */
  static RunCommandServer start(String name, Map<String, String> environment, int port)
      throws Exception {
    RunCommandServer server = launch(name, environment, port);
    server.awaitHealthy();
    return server;
  }

  private static RunCommandServer launch(String name, Map<String, String> environment, int port)
      throws Exception {
    return launch(name, environment, port, projectDir());
  }

  /** This project's directory, where the run command runs unless told otherwise. */
  static Path projectDir() {
    return Path.of(System.getProperty("signalbox.it.basedir", "."));
  }

  /**
   * Starts the run command in {@code basedir} (a copy of this project: see {@link ClusterNodes})
   * on {@code port} without waiting; its output goes to this project's target/ all the same.
   */
  static RunCommandServer launch(String name, Map<String, String> environment, int port, Path basedir)
      throws Exception {
    return launch(name, environment, port, basedir, List.of());
  }

  /**
   * Starts the run command with {@code mavenArguments} before its goals, and waits for /health.
   * {@code -Dsignalbox.jetty.tmp=…} gives a server that outlives others started meanwhile a WAR
   * directory of its own: each run command unpacks into target/tmp and empties it when it stops.
   */
  static RunCommandServer start(
      String name, Map<String, String> environment, List<String> mavenArguments) throws Exception {
    RunCommandServer server =
        launch(name, environment, EmbeddedServer.freePort(), projectDir(), mavenArguments);
    server.awaitHealthy();
    return server;
  }

  private static RunCommandServer launch(String name, Map<String, String> environment, int port,
      Path basedir, List<String> mavenArguments) throws Exception {
    String mavenHome = System.getProperty("signalbox.it.mavenHome");
    String mvn = mavenHome != null ? mavenHome + File.separator + "bin" + File.separator + "mvn" : "mvn";
    List<String> command = new ArrayList<>(List.of(mvn, "-B", "-f", basedir.resolve("pom.xml").toString()));
    if ("offline=true".equals(System.getProperty("signalbox.it.offline"))) {
      command.add("-o");
    }
    String repository = System.getProperty("signalbox.it.localRepository");
    if (repository != null) {
      command.add("-Dmaven.repo.local=" + repository);
    }
    command.addAll(mavenArguments);
    command.addAll(RUN_COMMAND);
    return launchProcess(name, command, environment, port, "the run command");
  }

  /**
   * Starts {@code command}, a process that serves on {@code port} itself (no wrapper between),
   * with the run command's environment ({@code PORT} and {@code environment}) and its output in
   * the same file, target/run-command-{@code name}.log, without waiting: {@link ClusterNodes}'
   * nodes started by {@link ClusterNodeLauncher}. {@code what} names it in messages.
   */
  static RunCommandServer launchProcess(String name, List<String> command,
      Map<String, String> environment, int port, String what) throws IOException {
    Path log = projectDir().resolve("target").resolve("run-command-" + name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("PORT", Integer.toString(port));
    builder.environment().putAll(environment);
    return new RunCommandServer(builder.start(), port, log, what);
  }

  /** Waits until the output contains {@code text}; false if it did not within {@code wait}. */
  boolean awaitOutput(String text, Duration wait) throws Exception {
    Instant deadline = Instant.now().plus(wait);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(log) && output().contains(text)) {
        return true;
      }
      Thread.sleep(250); // polling a child process's log: there is no event to await
    }
    return false;
  }

  int port() {
    return port;
  }

  /** The server's JVM: the mvn script execs java, so this is the process that serves. */
  long pid() {
    return process.pid();
  }

  URI socket() {
    return URI.create("ws://127.0.0.1:" + port + "/signal");
  }

  URI http(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The page origin that the default same-origin policy accepts. */
  String origin() {
    return "http://127.0.0.1:" + port;
  }

  /** What the server printed so far. */
  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /**
   * Lines where Signalbox logged a warning or worse. java.util.logging prints the logger's name
   * on one line and the level on the next.
   */
  List<String> signalboxProblems() throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    for (int i = 0; i + 1 < lines.size(); i++) {
      String next = lines.get(i + 1);
      if (lines.get(i).contains(" org.signalbox.")
          && (next.startsWith("WARNING:") || next.startsWith("SEVERE:"))) {
        problems.add(lines.get(i) + " / " + next);
      }
    }
    return problems;
  }

  /**
   * Kills the server as {@code kill -9} would: SIGKILL, no shutdown hook, no close frame. The
   * {@code mvn} script execs Java, and the run command's Jetty runs inside that JVM, so the process
   * started here is the server itself. Waits (bounded) until it is gone.
   */
  void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException(what + " survived SIGKILL for " + STOP_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit status of a server that has ended: 128 + the signal's number when killed. */
  int exitValue() {
    return process.exitValue();
  }

  /** The server's process: the JVM that the {@code mvn} script exec'd. */
  ProcessHandle processHandle() {
    return process.toHandle();
  }

  /** Stops the server as a terminal's Ctrl-C or a service manager would: SIGTERM. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  void awaitHealthy() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(what + " exited early:\n" + output());
      }
      try {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(http("/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(250); // polling a child process: there is no event to await
    }
    close();
    throw new IllegalStateException(what + " did not serve /health within " + START_TIMEOUT + ":\n" + output());
  }
}
