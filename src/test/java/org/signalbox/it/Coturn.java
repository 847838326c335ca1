package org.signalbox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.signalbox.testing.EmbeddedServer;

/**
 * A real coturn (Debian's {@code turnserver}) on loopback with TURN REST credentials
 * ({@code use-auth-secret}), as the team's TESTING.md runs it. Its output goes to
 * {@code target/coturn-<name>.log}.
 */
final class Coturn implements AutoCloseable {

  static final String BINARY = "/usr/bin/turnserver";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final int port;

  private Coturn(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts coturn with {@code secret} and waits until it accepts TCP on its port. */
  static Coturn start(String name, String secret) throws Exception {
    return launch(name, secret, List.of("-n",
        "--min-port=49160", "--max-port=49260", "--no-tls", "--no-dtls",
        "--use-auth-secret", "--realm=test",
        "--allow-loopback-peers", "--no-multicast-peers", "--no-cli", "--fingerprint"));
  }

  /**
   * Starts coturn from a configuration file ({@code -c}), with only the loopback addresses, a
   * free port, {@code secret} and then {@code options} given on the command line, where they win
   * over the file's.
   */
  static Coturn startWithConfig(String name, String secret, Path config, String... options)
      throws Exception {
    List<String> arguments = new ArrayList<>(List.of("-c", config.toAbsolutePath().toString()));
    arguments.addAll(List.of(options));
    return launch(name, secret, arguments);
  }

  private static Coturn launch(String name, String secret, List<String> arguments)
      throws Exception {
    int port = EmbeddedServer.freePort();
    Path target = Path.of(System.getProperty("signalbox.it.basedir", ".")).resolve("target");
    Files.createDirectories(target);
    List<String> command = new ArrayList<>(List.of(BINARY));
    command.addAll(arguments);
    command.addAll(List.of(
        "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
        "--static-auth-secret=" + secret,
        "--pidfile=" + target.resolve("coturn-" + name + ".pid"),
        "--log-file=stdout", "--simple-log"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(target.resolve("coturn-" + name + ".log").toFile()).start();
    Coturn coturn = new Coturn(process, port);
    try {
      coturn.awaitListening();
      return coturn;
    } catch (Exception | Error e) {
      coturn.close();
      throw e;
    }
  }

  /** Its listening address, UDP and TCP. */
  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** The TURN URL Signalbox hands out for this server. */
  String url() {
    return "turn:127.0.0.1:" + port + "?transport=udp";
  }

  private void awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("coturn exited with " + process.exitValue());
      }
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("coturn did not listen within " + START_TIMEOUT);
        }
        Thread.sleep(50); // a child process's port: there is no event to await
      }
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
