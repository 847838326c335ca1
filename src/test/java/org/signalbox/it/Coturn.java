package org.signalbox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    int port = EmbeddedServer.freePort();
    Path target = Path.of(System.getProperty("signalbox.it.basedir", ".")).resolve("target");
    Files.createDirectories(target);
    List<String> command = List.of(BINARY, "-n",
        "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
        "--min-port=49160", "--max-port=49260", "--no-tls", "--no-dtls",
        "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=test",
        "--allow-loopback-peers", "--no-multicast-peers", "--no-cli", "--fingerprint",
        "--pidfile=" + target.resolve("coturn-" + name + ".pid"),
        "--log-file=stdout", "--simple-log");
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
