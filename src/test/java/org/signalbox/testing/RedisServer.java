package org.signalbox.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis (Debian's {@code redis-server}) on a free loopback port with its own fresh data
 * directory under {@code target/redis/}: the shared store of the cluster tests. Output goes to
 * {@code target/redis-<name>.log}, appended across restarts.
 *
 * <p>{@link #stop} and {@link #start} stop and start the same server on the same port and
 * directory, as an operator restarting Redis would; with {@code persistent} it saves on shutdown
 * and loads on start, so keys survive a restart. Every wait is bounded.
 */
public final class RedisServer implements AutoCloseable {

  public static final String BINARY = "/usr/bin/redis-server";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(2);

  private final String name;
  private final int port;
  private final Path dir;
  private final Path log;
  private final boolean persistent;
  private Process process;

  private RedisServer(String name, int port, Path dir, Path log, boolean persistent) {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.log = log;
    this.persistent = persistent;
  }

  /**
   * Starts a Redis that forgets everything when stopped ({@code persistent} false) or that saves
   * its keys on a SIGTERM and loads them on the next {@link #start} (true), and waits for PING.
   */
  public static RedisServer start(String name, boolean persistent) throws Exception {
    Path target = Path.of(System.getProperty("signalbox.it.basedir", ".")).resolve("target");
    int port = EmbeddedServer.freePort();
    Path dir = target.resolve("redis").resolve(name + "-" + port);
    FileTrees.delete(dir);
    Files.createDirectories(dir);
    Path log = target.resolve("redis-" + name + ".log");
    Files.deleteIfExists(log);
    RedisServer redis = new RedisServer(name, port, dir, log, persistent);
    redis.start();
    return redis;
  }

  /** Starts (again) on the same port and directory, and waits until it answers PING. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis " + name + " is running");
    }
    List<String> command = new ArrayList<>(List.of(BINARY,
        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--dir", dir.toString(),
        "--daemonize", "no", "--appendonly", "no", "--protected-mode", "yes",
        "--dbfilename", "dump.rdb", "--logfile", ""));
    // Without save points Redis neither saves on shutdown nor wants to; with one that cannot come
    // due during a test it saves exactly once, when SIGTERM shuts it down.
    command.addAll(List.of("--save", persistent ? "3600 1" : ""));
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!ping()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue()
            + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("redis-server did not answer PING within " + START_TIMEOUT);
      }
      Thread.sleep(20); // a child process's port: there is no event to await
    }
  }

  /** Stops it as a service manager would: SIGTERM, then waits (bounded) until it has exited. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        throw new IllegalStateException("redis-server did not stop on SIGTERM within " + STOP_TIMEOUT);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  public int port() {
    return port;
  }

  /** The setting {@code redisUrl} for this server, database 0. */
  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    return process.pid();
  }

  /** True when it answers PING with PONG now; false when it does not listen or answer. */
  public boolean ping() {
    try {
      return "+PONG".equals(command("PING"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends one command in RESP and returns the first line of the reply ({@code +PONG},
   * {@code :3}, {@code -ERR ...}); enough for PING, DBSIZE and the like, without a client
   * library.
   */
  public String command(String... words) throws IOException {
    try (Socket socket = open()) {
      socket.getOutputStream().write(Resp.request(words));
      return Resp.line(socket.getInputStream());
    }
  }

  /** The names of the keys of database 0 that match {@code pattern} ({@code KEYS}: tests only). */
  public List<String> keys(String pattern) throws IOException {
    try (Socket socket = open()) {
      socket.getOutputStream().write(Resp.request("KEYS", pattern));
      Object reply = Resp.read(socket.getInputStream());
      if (!(reply instanceof List<?> keys)) {
        throw new IOException("KEYS answered " + reply);
      }
      return keys.stream().map(String.class::cast).toList();
    }
  }

  private Socket open() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
    return socket;
  }

  /** {@code PTTL key}: ms left, -1 for a key that never expires, -2 for none. */
  public long pttl(String key) throws IOException {
    String reply = command("PTTL", key);
    if (!reply.startsWith(":")) {
      throw new IOException("PTTL answered " + reply);
    }
    return Long.parseLong(reply.substring(1));
  }

  /**
   * Stops the server's process (SIGSTOP), as a Redis that stalls (a fork, a slow disk, a busy
   * host) would: connections stay open, nothing is answered until {@link #unpause}.
   */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Lets a paused server go on (SIGCONT). */
  public void unpause() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String which) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", which, Long.toString(pid())).inheritIO().start();
    if (!kill.waitFor(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + which + " " + pid() + " failed");
    }
  }

  /** The number of keys in database 0. */
  public long dbSize() throws IOException {
    String reply = command("DBSIZE");
    if (!reply.startsWith(":")) {
      throw new IOException("DBSIZE answered " + reply);
    }
    return Long.parseLong(reply.substring(1));
  }

  /**
   * CPU time (user + system) the running server has used, from /proc/<pid>/stat, in clock ticks
   * of 10 ms (the usual USER_HZ of 100); -1 where /proc is not readable.
   */
  public long cpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    stop();
  }
}
