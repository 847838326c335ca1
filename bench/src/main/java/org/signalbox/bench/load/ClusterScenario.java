package org.signalbox.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * cluster: the relay scenario on two Signalbox nodes that share rooms through one Redis, twice on
 * the same three processes. <em>Cross-node</em>: each pair split, one peer on node A and one on
 * node B, so every relay is one script in Redis that publishes to the other node.
 * <em>Same-node</em>: each pair on one node (pair 0 on A, pair 1 on B, and so on), so no relay
 * touches Redis. Over each measured phase it reads the CPU time of both nodes and of Redis from
 * {@code /proc}, and Redis's own count of the scripts it ran.
 */
final class ClusterScenario {

  /**
   * One placement of the pairs: its relay, and what each process spent over the measured phase.
   *
   * @param nodeACpu node A's CPU, as a share of one core (likewise node B and Redis)
   * @param nodeANanos node A's CPU time over the measured phase (likewise node B and Redis)
   * @param scripts the scripts Redis ran ({@code EVALSHA} and {@code EVAL} calls)
   * @param messages the messages relayed in the measured phase
   */
  record Placement(String name, RelayScenario.Result relay, double nodeACpu, double nodeBCpu,
      double redisCpu, long nodeANanos, long nodeBNanos, long redisNanos, long scripts,
      long messages) {

    /** Microseconds of CPU per relayed message, for {@code cpuNanos} spent in the phase. */
    double microsPerMessage(long cpuNanos) {
      return cpuNanos / 1e3 / messages;
    }

    double scriptsPerMessage() {
      return scripts / (double) messages;
    }
  }

  /** Both placements, on the same nodes and Redis. */
  record Result(String redisVersion, RelayScenario.Plan plan, Placement crossNode,
      Placement sameNode) {}

  private final ServerProcess redis;
  private final ServerProcess nodeA;
  private final ServerProcess nodeB;
  private final RelayScenario.Plan plan;
  private final long drainSeconds;

  /**
   * @param drainSeconds the longest wait for each node to count its sockets closed after a
   *     placement, before the next begins
   */
  ClusterScenario(ServerProcess redis, ServerProcess nodeA, ServerProcess nodeB,
      RelayScenario.Plan plan, long drainSeconds) {
    this.redis = redis;
    this.nodeA = nodeA;
    this.nodeB = nodeB;
    this.plan = plan;
    this.drainSeconds = drainSeconds;
  }

  Result run(EventLoop loop, Consumer<String> log) throws Exception {
    String version = info("server").getOrDefault("redis_version", "?");
    log.accept("cluster, cross-node: relay, each pair split over node A and node B");
    // Peers 2i and 2i + 1 are pair i: the first on A, its partner on B.
    Placement cross =
        placement("cross-node", "c", i -> i % 2 == 0 ? nodeA.address : nodeB.address, loop);
    log.accept("cluster: Redis holds " + dbSize() + " keys after the cross-node clients left");
    log.accept("cluster, same-node: relay, each pair on one node, half the pairs on each");
    // Pair i is peers 2i and 2i + 1: even pairs on A, odd pairs on B.
    Placement same =
        placement("same-node", "s", i -> i / 2 % 2 == 0 ? nodeA.address : nodeB.address, loop);
    log.accept("cluster: Redis holds " + dbSize() + " keys after the same-node clients left");
    return new Result(version, plan, cross, same);
  }

  private Placement placement(String name, String run, IntFunction<InetSocketAddress> serverOf,
      EventLoop loop) throws Exception {
    Clock clock = new Clock();
    RelayScenario.Result relay = new RelayScenario(new Dialect.Signalbox(), plan, run)
        .placed(serverOf).measuring(clock).run(loop, nodeA.address, nodeA);
    nodeA.drain(drainSeconds);
    nodeB.drain(drainSeconds);
    return new Placement(name, relay.named("Signalbox cluster, " + name), clock.share(clock.nodeA),
        clock.share(clock.nodeB), clock.share(clock.redis), clock.nodeA, clock.nodeB, clock.redis,
        clock.scripts, clock.messages);
  }

  /** The nodes' and Redis's CPU time and Redis's script count, around the measured phase. */
  private final class Clock implements RelayScenario.Window {
    long wall;
    long nodeA;
    long nodeB;
    long redis;
    long scripts;
    long messages;

    @Override
    public void open() {
      scripts = scripts();
      wall = System.nanoTime();
      nodeA = ClusterScenario.this.nodeA.cpuNanos();
      nodeB = ClusterScenario.this.nodeB.cpuNanos();
      redis = ClusterScenario.this.redis.cpuNanos();
    }

    @Override
    public void close(long messages) {
      this.messages = messages;
      nodeA = ClusterScenario.this.nodeA.cpuNanos() - nodeA;
      nodeB = ClusterScenario.this.nodeB.cpuNanos() - nodeB;
      redis = ClusterScenario.this.redis.cpuNanos() - redis;
      wall = System.nanoTime() - wall;
      scripts = scripts() - scripts;
    }

    double share(long cpuNanos) {
      return cpuNanos / (double) wall;
    }
  }

  /** The scripts Redis has run since it started, by its own count. */
  private long scripts() {
    Map<String, String> stats = info("commandstats");
    return calls(stats.get("cmdstat_evalsha")) + calls(stats.get("cmdstat_eval"));
  }

  /** {@code calls=N,usec=...}: N. */
  private static long calls(String stat) {
    if (stat == null) {
      return 0;
    }
    for (String part : stat.split(",")) {
      if (part.startsWith("calls=")) {
        return Long.parseLong(part.substring("calls=".length()));
      }
    }
    return 0;
  }

  private long dbSize() {
    return Long.parseLong(command("DBSIZE"));
  }

  private Map<String, String> info(String section) {
    Map<String, String> fields = new HashMap<>();
    for (String line : command("INFO", section).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }

  /** One command on a connection of its own; the reply as text (bulk, simple or integer). */
  private String command(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(redis.address, 5000);
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(bytes);
        request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toByteArray());
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String line = line(in);
      switch (line.charAt(0)) {
        case '$' -> {
          byte[] body = in.readNBytes(Integer.parseInt(line.substring(1)));
          return new String(body, StandardCharsets.UTF_8);
        }
        case '+', ':' -> {
          return line.substring(1);
        }
        default -> throw new IllegalStateException("Redis answered " + args[0] + " with " + line);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Redis did not answer " + args[0], e);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("Redis closed the connection");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
