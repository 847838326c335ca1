package org.signalbox.bench.load;

import java.net.InetSocketAddress;
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
  static long calls(String stat) {
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
    return (Long) RedisWire.call(redis.address, "DBSIZE");
  }

  private Map<String, String> info(String section) {
    return RedisWire.info(redis.address, section);
  }
}
