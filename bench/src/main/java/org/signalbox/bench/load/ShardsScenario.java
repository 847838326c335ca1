package org.signalbox.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * shards: two Signalbox nodes on a Redis Cluster of one or of three masters, measured from
 * Redis's side, shard by shard.
 * <ol>
 *   <li><em>idle</em>: the cluster alone, then with both nodes connected and no client: the
 *       nodes' periodic work (liveness, grace sweep, event poll: a few calls per partition and
 *       second) as Redis CPU and as commands ({@code INFO commandstats});
 *   <li><em>relay</em>: the cluster scenario's cross-node relay, every pair split over node A and
 *       node B, so every relay is one script on the shard of its room; each shard's CPU (from
 *       {@code /proc}) over the measured seconds and the scripts it ran, hence its CPU per relay
 *       and its ceiling (relays per second at a whole core);
 *   <li><em>operations</em>: once with the slow log off (the shards' CPU), then with Redis's
 *       slow log recording every command ({@code
 *       slowlog-log-slower-than 0}), the periodic work for a while, then clients in rooms of 4
 *       that join, drop their connections (each peer's grace begins: the {@code lose} script),
 *       resume, and leave, one phase after the other: each command and script by name, its calls
 *       and Redis's own µs for them, and the shards' CPU per operation.
 * </ol>
 */
final class ShardsScenario {

  /**
   * Calls of one command (or one script, by name) and the µs Redis spent executing them (wall
   * clock: a shard that waits for a core meanwhile counts the wait), with the median call's µs
   * where the slow log gave each call (else -1).
   */
  record Stat(String name, long calls, long micros, double medianMicros) {
    Stat(String name, long calls, long micros) {
      this(name, calls, micros, -1);
    }

    double microsPerCall() {
      return calls == 0 ? 0 : micros / (double) calls;
    }
  }

  /**
   * A stretch without clients.
   *
   * @param cpuNanos each shard's CPU time over it
   * @param commands each shard's commands over it (without the bench's own INFO)
   */
  record Idle(long wallNanos, long[] cpuNanos, List<Map<String, Stat>> commands) {
    double share(int shard) {
      return cpuNanos[shard] / (double) wallNanos;
    }

    double totalShare() {
      double sum = 0;
      for (int i = 0; i < cpuNanos.length; i++) {
        sum += share(i);
      }
      return sum;
    }

    /** Every shard's calls of {@code command} per second. */
    double perSecond(String command) {
      long calls = 0;
      for (Map<String, Stat> shard : commands) {
        Stat s = shard.get(command);
        calls += s == null ? 0 : s.calls();
      }
      return calls / (wallNanos / 1e9);
    }

    /** Every command of every shard, summed by name. */
    Map<String, Stat> total() {
      return sum(commands);
    }
  }

  /**
   * One shard over the relay's measured seconds.
   *
   * @param rooms the relay's rooms it holds
   * @param scripts the scripts it ran
   * @param relays its scripts less the periodic ones it would have run meanwhile (idle rate)
   */
  record ShardLoad(int partitions, int rooms, long cpuNanos, double share, long scripts,
      long relays, long idleNanos) {
    /** The shard's CPU per relay, less what it spends idle (with the nodes) in as long. */
    double microsPerRelay() {
      return (cpuNanos - idleNanos) / 1e3 / relays;
    }

    /** Relays per second this shard carries at 100 % of one core, at this CPU per relay. */
    double ceiling() {
      return 1e6 / microsPerRelay();
    }
  }

  record Relay(RelayScenario.Result result, double nodeACpu, double nodeBCpu, long nodeNanos,
      long messages, List<ShardLoad> shards) {
    long redisNanos() {
      return shards.stream().mapToLong(ShardLoad::cpuNanos).sum();
    }

    double redisShare() {
      return shards.stream().mapToDouble(ShardLoad::share).sum();
    }
  }

  /**
   * One phase of the operations: {@code operations} of them over {@code wallNanos}.
   *
   * @param redisNanos every shard's CPU time over the phase, less what they spend idle with the
   *     nodes connected in as long (the idle phase's rate)
   * @param commands every command and script the shards ran in the phase, by name (the periodic
   *     ones included: see the background phase)
   */
  record Operation(String name, int operations, long wallNanos, long redisNanos,
      Map<String, Stat> commands, String check) {
    double redisMicrosPerOperation() {
      return redisNanos / 1e3 / operations;
    }
  }

  /**
   * @param operations with the slow log recording (commands by name)
   * @param plainOperations the same before, with the slow log off: the shards' CPU without the
   *     slow log's own bookkeeping
   */
  record Result(int shardCount, String redisVersion, RelayScenario.Plan plan, int[] partitions,
      Idle bare, Idle nodes, Relay relay, Operation background, List<Operation> operations,
      List<Operation> plainOperations) {}

  /** The scripts that run periodically, whatever the clients do. */
  static final List<String> PERIODIC = List.of("watch", "due", "touch");
  /** Commands the bench sends itself, left out of every count. */
  private static final List<String> OWN = List.of("info", "slowlog", "config");
  private static final String[] SCRIPTS = {"join", "resume", "leave", "lose", "expire", "relay",
      "broadcast", "lose_node", "remove", "close", "claim", "settle", "touch", "due", "watch"};
  /** Signalbox's Keys.EXPIRY_MARGIN_MS plus its default resumeGraceMs, without webhooks. */
  private static final long EVENTS_TTL_MS = 60_000 + 30_000;

  private final RedisShards cluster;
  private ServerProcess nodeA;
  private ServerProcess nodeB;
  private final RelayScenario.Plan plan;
  private final long drainSeconds;
  private final Consumer<String> log;
  /** Script name by SHA-1, as Signalbox loads them (see its Script). */
  private final Map<String, String> scriptNames;

  ShardsScenario(RedisShards cluster, RelayScenario.Plan plan, long drainSeconds, Path war,
      Consumer<String> log) throws IOException {
    this.cluster = cluster;
    this.plan = plan;
    this.drainSeconds = drainSeconds;
    this.log = log;
    this.scriptNames = scriptNames(war);
  }

  /** The two nodes, once started: {@link #idle} runs before them as well. */
  void nodes(ServerProcess a, ServerProcess b) {
    this.nodeA = a;
    this.nodeB = b;
  }

  /**
   * Waits until both nodes are registered in every partition, on its shard: a node listens
   * before it has reached Redis, and its periodic work starts only then.
   */
  void awaitNodes(long limitSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
    int missing = RedisShards.PARTITIONS;
    while (System.nanoTime() < deadline) {
      missing = 0;
      for (int p = 0; p < RedisShards.PARTITIONS; p++) {
        ServerProcess shard = cluster.shards.get(cluster.shardOfPartition(p)).process();
        Object n = RedisWire.call(shard.address, "SCARD", "sb:{" + p + "}:nodes");
        if (!(n instanceof Long count) || count < 2) {
          missing++;
        }
      }
      if (missing == 0) {
        return;
      }
      Thread.sleep(200); // the nodes' start: nothing to subscribe to
    }
    throw new IllegalStateException("both nodes not registered in " + missing
        + " partitions within " + limitSeconds + " s; see the nodes' logs");
  }

  // ---- Idle

  /** Each shard's CPU and commands over {@code seconds} of nobody's clients. */
  Idle idle(long seconds) throws InterruptedException {
    Snapshot before = snapshot();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // a measured stretch of doing nothing
    Snapshot after = snapshot();
    List<Map<String, Stat>> commands = new ArrayList<>();
    for (int i = 0; i < cluster.shards.size(); i++) {
      commands.add(difference(before.commands.get(i), after.commands.get(i)));
    }
    return new Idle(after.wall - before.wall, after.minus(before), commands);
  }

  // ---- Relay

  /**
   * The cross-node relay; each shard's relays are its scripts less the periodic scripts it ran
   * at {@code idle}'s rate meanwhile.
   */
  Relay relay(EventLoop loop, Idle idle, String run) {
    Window window = new Window();
    RelayScenario scenario = new RelayScenario(new Dialect.Signalbox(), plan, run)
        .placed(i -> i % 2 == 0 ? nodeA.address : nodeB.address).measuring(window);
    RelayScenario.Result result = scenario.run(loop, nodeA.address, nodeA);
    int[] rooms = new int[cluster.shards.size()];
    for (int pair = 0; pair < plan.pairs(); pair++) {
      rooms[cluster.shardOfRoom("relay-" + run + "-" + pair)]++;
    }
    int[] partitions = cluster.partitionsPerShard();
    List<ShardLoad> shards = new ArrayList<>();
    long[] cpu = window.after.minus(window.before);
    long wall = window.after.wall - window.before.wall;
    for (int i = 0; i < rooms.length; i++) {
      long scripts = scripts(difference(window.before.commands.get(i), window.after.commands.get(i)));
      long periodic = Math.round(scripts(idle.commands().get(i)) * wall / (double) idle.wallNanos());
      long idleCpu = Math.round(idle.cpuNanos()[i] * wall / (double) idle.wallNanos());
      shards.add(new ShardLoad(partitions[i], rooms[i], cpu[i], cpu[i] / (double) wall, scripts,
          Math.max(0, scripts - periodic), idleCpu));
    }
    return new Relay(result.named("Signalbox on " + rooms.length + " shard(s), cross-node"),
        window.nodeA / (double) wall, window.nodeB / (double) wall, window.nodeA + window.nodeB,
        window.messages, shards);
  }

  /** The nodes' and the shards' CPU and the shards' commands, around the relay's measured phase. */
  private final class Window implements RelayScenario.Window {
    Snapshot before;
    Snapshot after;
    long nodeA;
    long nodeB;
    long messages;

    @Override
    public void open() {
      nodeA = ShardsScenario.this.nodeA.cpuNanos();
      nodeB = ShardsScenario.this.nodeB.cpuNanos();
      before = snapshot();
    }

    @Override
    public void close(long messages) {
      after = snapshot();
      nodeA = ShardsScenario.this.nodeA.cpuNanos() - nodeA;
      nodeB = ShardsScenario.this.nodeB.cpuNanos() - nodeB;
      this.messages = messages;
    }
  }

  // ---- Operations, with the slow log recording every command

  /**
   * The periodic work for {@code seconds}, then {@code clients} in rooms of 4 (two on each node)
   * join, drop, resume and leave.
   */
  List<Operation> operations(EventLoop loop, Idle idle, long seconds, int clients,
      boolean slowlog, String run) throws InterruptedException {
    if (slowlog) {
      forEachShard("CONFIG", "SET", "slowlog-max-len", "1000000");
      forEachShard("CONFIG", "SET", "slowlog-log-slower-than", "0");
    }
    try {
      List<Operation> phases = new ArrayList<>();
      List<Peer> peers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Peer p = new Peer(i, "ops-" + run + "-" + i / 4, "o-" + i);
        p.server = i % 2 == 0 ? nodeA.address : nodeB.address;
        peers.add(p);
      }
      Fleet.Handler quiet = (peer, a, offset, length) -> {};
      phases.add(phase("background (no client)", 0, idle, slowlog, () -> {
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // a measured stretch of doing nothing
        return "";
      }));
      Fleet[] fleet = new Fleet[1];
      phases.add(phase("join", clients, idle, slowlog, () -> {
        fleet[0] = new Fleet(loop, nodeA.address, new Dialect.Signalbox(), peers, quiet);
        fleet[0].connectAndAwait(100, 120);
        return "";
      }));
      phases.add(phase("drop (grace begins: lose)", clients, idle, slowlog, () -> {
        fleet[0].abortAll();
        drain();
        return "";
      }));
      phases.add(phase("resume", clients, idle, slowlog, () -> {
        for (Peer p : peers) {
          p.ready = false;
          p.resumed = false;
          p.resuming = true;
        }
        fleet[0] = new Fleet(loop, nodeA.address, new Dialect.Signalbox(), peers, quiet);
        fleet[0].connectAndAwait(100, 120);
        long resumed = peers.stream().filter(p -> p.resumed).count();
        return resumed == clients ? "" : resumed + " of " + clients + " resumed";
      }));
      phases.add(phase("leave", clients, idle, slowlog, () -> {
        fleet[0].closeAll();
        drain();
        return "";
      }));
      return phases;
    } finally {
      forEachShard("CONFIG", "SET", "slowlog-log-slower-than", "10000");
      forEachShard("SLOWLOG", "RESET");
    }
  }

  private interface Body {
    /** Runs the phase; what went wrong, or empty. */
    String run() throws InterruptedException;
  }

  private Operation phase(String name, int operations, Idle idle, boolean slowlog, Body body)
      throws InterruptedException {
    log.accept("shards: " + name + (slowlog ? ", the slow log recording" : ""));
    forEachShard("SLOWLOG", "RESET");
    Snapshot before = snapshot();
    String check = body.run();
    Snapshot after = snapshot();
    long wall = after.wall - before.wall;
    long cpu = 0;
    for (long c : after.minus(before)) {
      cpu += c;
    }
    long idleCpu = 0;
    for (long c : idle.cpuNanos()) {
      idleCpu += c;
    }
    long net = cpu - Math.round(idleCpu * wall / (double) idle.wallNanos());
    Map<String, List<Long>> logged = new TreeMap<>();
    for (RedisShards.Shard s : cluster.shards) {
      if (slowlog) {
        slowlog(s.process(), logged);
      }
    }
    Map<String, Stat> stats = new TreeMap<>();
    logged.forEach((k, v) -> stats.put(k, stat(k, v)));
    return new Operation(name, operations, wall, net, stats, check);
  }

  /**
   * A drop or a leave reaches Redis after the node counts the socket closed: waits for both
   * nodes to count none, then for a second more, so the last scripts are in.
   */
  private void drain() throws InterruptedException {
    nodeA.drain(drainSeconds);
    nodeB.drain(drainSeconds);
    Thread.sleep(1000); // no signal from the node when its last script was answered
  }

  /**
   * The slow log's entries (every command, with the threshold at 0) by command or script, each
   * call's µs added to {@code byName}.
   */
  private void slowlog(ServerProcess shard, Map<String, List<Long>> byName) {
    for (Object entry : (List<?>) RedisWire.call(shard.address, "SLOWLOG", "GET", "-1")) {
      List<?> fields = (List<?>) entry;
      // A script's own commands are logged too, by the Lua client ("?:0"); its time includes
      // theirs, so only what clients sent is counted.
      if (fields.size() > 4 && String.valueOf(fields.get(4)).startsWith("?")) {
        continue;
      }
      long micros = (Long) fields.get(2);
      List<?> args = (List<?>) fields.get(3);
      String command = ((String) args.get(0)).toLowerCase(Locale.ROOT);
      if (OWN.contains(command)) {
        continue;
      }
      String name = command;
      if (command.equals("evalsha") && args.size() > 1) {
        name = scriptNames.getOrDefault((String) args.get(1), "script " + args.get(1));
      } else if (command.equals("cluster") || command.equals("client")) {
        name = command + " " + String.valueOf(args.size() > 1 ? args.get(1) : "")
            .toLowerCase(Locale.ROOT);
      }
      byName.computeIfAbsent(name, k -> new ArrayList<>()).add(micros);
    }
  }

  private static Stat stat(String name, List<Long> micros) {
    List<Long> sorted = micros.stream().sorted().toList();
    long total = sorted.stream().mapToLong(Long::longValue).sum();
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    return new Stat(name, n, total, median);
  }

  // ---- Snapshots of every shard

  private final class Snapshot {
    final long wall = System.nanoTime();
    final long[] cpu = new long[cluster.shards.size()];
    final List<Map<String, Stat>> commands = new ArrayList<>();

    Snapshot() {
      for (int i = 0; i < cpu.length; i++) {
        ServerProcess shard = cluster.shards.get(i).process();
        cpu[i] = shard.cpuNanos();
        commands.add(commandstats(shard));
      }
    }

    long[] minus(Snapshot earlier) {
      long[] d = new long[cpu.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = cpu[i] - earlier.cpu[i];
      }
      return d;
    }
  }

  private Snapshot snapshot() {
    return new Snapshot();
  }

  /** {@code cmdstat_<name>:calls=N,usec=M,...} of one shard, by name. */
  private static Map<String, Stat> commandstats(ServerProcess shard) {
    Map<String, Stat> stats = new TreeMap<>();
    RedisWire.info(shard.address, "commandstats").forEach((key, value) -> {
      if (key.startsWith("cmdstat_")) {
        String name = key.substring("cmdstat_".length());
        long calls = 0;
        long usec = 0;
        for (String part : value.split(",")) {
          if (part.startsWith("calls=")) {
            calls = Long.parseLong(part.substring(6));
          } else if (part.startsWith("usec=")) {
            usec = Long.parseLong(part.substring(5));
          }
        }
        stats.put(name, new Stat(name, calls, usec));
      }
    });
    return stats;
  }

  private static Map<String, Stat> difference(Map<String, Stat> before, Map<String, Stat> after) {
    Map<String, Stat> d = new TreeMap<>();
    after.forEach((name, a) -> {
      if (OWN.contains(name)) {
        return;
      }
      Stat b = before.get(name);
      long calls = a.calls() - (b == null ? 0 : b.calls());
      if (calls > 0) {
        d.put(name, new Stat(name, calls, a.micros() - (b == null ? 0 : b.micros())));
      }
    });
    return d;
  }

  private static Map<String, Stat> sum(List<Map<String, Stat>> shards) {
    Map<String, Stat> total = new TreeMap<>();
    for (Map<String, Stat> shard : shards) {
      shard.forEach((name, s) -> total.merge(name, s,
          (x, y) -> new Stat(name, x.calls() + y.calls(), x.micros() + y.micros())));
    }
    return total;
  }

  private static long scripts(Map<String, Stat> commands) {
    long n = 0;
    for (String name : List.of("evalsha", "eval")) {
      Stat s = commands.get(name);
      n += s == null ? 0 : s.calls();
    }
    return n;
  }

  private void forEachShard(String... command) {
    for (RedisShards.Shard s : cluster.shards) {
      RedisWire.call(s.process().address, command);
    }
  }

  String redisVersion() {
    return RedisWire.info(cluster.shards.get(0).process().address, "server")
        .getOrDefault("redis_version", "?");
  }

  /**
   * Each script's SHA-1 as Signalbox loads it (its Script.source: the room prelude and its
   * constants before all but {@code due} and {@code watch}), from the WAR; an unknown SHA is
   * reported as such.
   */
  private static Map<String, String> scriptNames(Path war) throws IOException {
    Map<String, String> names = new HashMap<>();
    try (ZipFile zip = new ZipFile(war.toFile())) {
      String prelude = read(zip, "prelude");
      for (String script : SCRIPTS) {
        String body = read(zip, script);
        String source = script.equals("due") || script.equals("watch") ? body
            : "local margin_ms = 60000\nlocal events_ttl_ms = " + EVENTS_TTL_MS + "\n" + prelude
                + "\n" + body;
        names.put(sha1(source), script);
      }
    }
    return names;
  }

  private static String read(ZipFile zip, String script) throws IOException {
    ZipEntry entry = zip.getEntry("WEB-INF/classes/org/signalbox/cluster/" + script + ".lua");
    if (entry == null) {
      throw new IOException("no " + script + ".lua in the WAR");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
