package org.signalbox.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The comparison bench: starts each server pinned to core 0 (bench/run.sh pins this generator to
 * core 1), runs every scenario against it, and prints one table with the ratios and the targets.
 * Then the relay over the HTTP binding beside WebSocket, in each container. Last, the cluster
 * scenario: Redis and two Signalbox nodes, node A on core 0 and node B on core 1, with Redis and
 * this generator on either core; and the same two nodes on a Redis Cluster of one master and of
 * three (ShardsScenario).
 *
 * <p>Usage: {@code Bench --war <war> --jetty-xml <the run command's> --classpath <Jetty and bench classpath> --tomcat-classpath
 * <cp> --undertow-classpath <cp> --peerjs <dir> --work <dir> [--quick] [--scale N] [--containers
 * jetty,tomcat,undertow] [--only part]}. The cluster and shards scenarios start {@code
 * redis-server} from the PATH.
 */
public final class Bench {

  private static final int PEERJS_PORT = 18490;
  private static final int SCALE_PORT = 18500;
  /** A container's port plus this: its server for the HTTP binding's relay. */
  private static final int HTTP_PORT_OFFSET = 2;
  /** The cluster's node A; node B listens on the next port. */
  private static final int CLUSTER_PORT = 18530;
  private static final int REDIS_PORT = 18539;
  /** The shards scenario's node A; node B listens on the next port. */
  private static final int SHARDS_PORT = 18540;
  /** The shards' Redis ports, one per master from here; their cluster bus ports from the next. */
  private static final int SHARDS_REDIS_PORT = 18550;
  private static final int SHARDS_BUS_PORT = 18560;
  /** The shards scenario's Redis Clusters: one master, then three. */
  private static final int[] SHARD_COUNTS = {1, 3};
  /**
   * The cluster's cores: node A on the first, node B on the second; Redis and the generator may
   * run on either (a two-core machine has no core to give each of them).
   */
  private static final String NODE_A_CORE = "0";
  private static final String NODE_B_CORE = "1";
  private static final String SHARED_CORES = "0,1";
  /** Rounds of the connections scenario before the measured one. */
  private static final int CONNECT_WARMUPS = 2;
  /** The longest wait for a server to count its sockets closed between scenarios. */
  private static final long DRAIN_SECONDS = 300;
  /** The scale target: 50,000 connections in a 1 GiB heap. */
  private static final int SCALE_TARGET = 50_000;

  private final Options options;
  private final EventLoop loop = new EventLoop();
  private final Report report;

  private Bench(Options options) {
    this.options = options;
    this.report = new Report(options.quick);
  }

  /**
   * @param classpaths the runtime classpath of each container's server
   * @param containers the containers whose Signalbox and bare forwarding are compared (Jetty, the
   *     run command's, is always in the main table)
   * @param only null for the whole bench, or the one part to run ({@code signalbox}, {@code
   *     peerjs}, {@code scale}, {@code http}, {@code cluster}, {@code shards}, or a container) with its raw
   *     results printed instead of the table: for profiling (the cluster and HTTP parts print
   *     their own tables)
   */
  record Options(Path war, Path jettyXml, Map<Container, String> classpaths, Path peerjs, Path work,
      boolean quick, int scale, List<Container> containers, String only, double rate,
      List<Integer> percents, boolean withoutPeerJs) {
    static Options parse(String[] args) {
      Path war = null;
      Path jettyXml = null;
      Map<Container, String> classpaths = new EnumMap<>(Container.class);
      Path peerjs = null;
      Path work = Path.of("target");
      boolean quick = false;
      int scale = -1;
      List<Container> containers = List.of(Container.values());
      String only = null;
      double rate = -1;
      List<Integer> percents = List.of(25, 50, 75);
      boolean withoutPeerJs = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--war" -> war = Path.of(args[++i]);
          case "--jetty-xml" -> jettyXml = Path.of(args[++i]);
          case "--classpath" -> classpaths.put(Container.JETTY, args[++i]);
          case "--tomcat-classpath" -> classpaths.put(Container.TOMCAT, args[++i]);
          case "--undertow-classpath" -> classpaths.put(Container.UNDERTOW, args[++i]);
          case "--peerjs" -> peerjs = Path.of(args[++i]);
          case "--work" -> work = Path.of(args[++i]);
          case "--quick" -> quick = true;
          case "--scale" -> scale = Integer.parseInt(args[++i]);
          case "--containers" -> containers = Arrays.stream(args[++i].split(","))
              .map(c -> Container.valueOf(c.toUpperCase(Locale.ROOT))).toList();
          case "--only" -> only = args[++i];
          case "--rate" -> rate = Double.parseDouble(args[++i]);
          case "--without-peerjs" -> withoutPeerJs = true;
          case "--percents" -> percents = Arrays.stream(args[++i].split(","))
              .map(Integer::valueOf).toList();
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (war == null || jettyXml == null || peerjs == null || !classpaths.keySet().containsAll(containers)
          || !classpaths.containsKey(Container.JETTY)) {
        throw new IllegalArgumentException(
            "--war, --jetty-xml, --peerjs and a classpath for Jetty and each container are required");
      }
      return new Options(war, jettyXml, classpaths, peerjs, work, quick, scale, containers, only, rate,
          percents, withoutPeerJs);
    }
  }

  /** A servlet container the WAR runs in, with its bench server's main class. */
  enum Container {
    JETTY("Jetty", "org.signalbox.bench.server.BenchServer", 18480),
    TOMCAT("Tomcat", "org.signalbox.bench.server.TomcatBenchServer", 18510),
    UNDERTOW("Undertow", "org.signalbox.bench.server.UndertowBenchServer", 18520);

    final String title;
    final String main;
    final int port;

    Container(String title, String main, int port) {
      this.title = title;
      this.main = main;
      this.port = port;
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Files.createDirectories(options.work);
    new Bench(options).run();
  }

  private void run() throws Exception {
    if (wants("signalbox")) {
      report.jetty(container(Container.JETTY));
    }
    if (wants("peerjs")) {
      peerJs();
    }
    if (wants("scale")) {
      scale();
    }
    for (Container c : options.containers) {
      if (c != Container.JETTY && wants(c.name().toLowerCase(Locale.ROOT))) {
        report.container(container(c));
      }
    }
    if (wants("openloop")) {
      openLoop();
    }
    if ("relay".equals(options.only)) {
      for (Container c : options.containers) {
        relayAlone(c);
      }
    }
    if ("connect".equals(options.only)) {
      for (Container c : options.containers) {
        connectAlone(c);
      }
    }
    if (wants("http")) {
      for (Container c : options.containers) {
        report.http(http(c));
      }
    }
    if (wants("cluster")) {
      cluster();
    }
    if (wants("shards")) {
      shards();
    }
    if (options.only != null) {
      System.out.println(report.raw());
      if (options.only.equals("cluster")) {
        Files.writeString(options.work.resolve("results-cluster.md"), report.clusterSection());
      }
      if (options.only.equals("openloop")) {
        Files.writeString(options.work.resolve("results-openloop.md"), report.openLoopSection());
      }
      if (options.only.equals("http")) {
        Files.writeString(options.work.resolve("results-http.md"), report.httpSection());
      }
      if (options.only.equals("shards")) {
        Files.writeString(options.work.resolve("results-shards.md"), report.shardsSection());
      }
      return;
    }
    String table = report.render(LocalDate.now());
    System.out.println(table);
    Files.writeString(options.work.resolve("results.md"), table);
  }

  private RelayScenario.Plan relayPlan() {
    return options.quick
        ? new RelayScenario.Plan(5, 4, 1, 1, 2)
        : new RelayScenario.Plan(50, 4, 5, 20, 10);
  }

  /** One pair, one message in flight per client: the relay's latency on an otherwise idle server. */
  private RelayScenario.Plan singlePlan() {
    return options.quick
        ? new RelayScenario.Plan(1, 1, 1, 1, 2)
        : new RelayScenario.Plan(1, 1, 1, 4, 10);
  }

  private int connections() {
    return options.quick ? 200 : 5_000;
  }

  /** Signalbox and the bare forwarding endpoint in {@code container}, through every scenario. */
  private Report.ContainerRun container(Container container) throws Exception {
    try (ServerProcess server = startSignalbox(container, container.port, List.of())) {
      log("Signalbox in " + container.title + ": relay");
      RelayScenario.Result relay = new RelayScenario(new Dialect.Signalbox(), relayPlan(), "a")
          .run(loop, server.address, server);
      log("bare " + container.title + " forward: relay");
      server.drain(DRAIN_SECONDS);
      RelayScenario.Result bare = new RelayScenario(new Dialect.Bare(container.title), relayPlan(), "b")
          .run(loop, server.address, server);
      log("Signalbox in " + container.title + ": connections");
      // The handshake path is long and runs once per client: on one core the JIT needs many
      // thousands of handshakes to compile it. Both endpoints warm up before either is measured,
      // so the one measured second does not profit from the other's warm-up.
      Dialect signalbox = new Dialect.Signalbox();
      Dialect bareDialect = new Dialect.Bare(container.title);
      for (int i = 0; i < CONNECT_WARMUPS; i++) {
        connectionsRound(signalbox, "w" + i, server);
      }
      connectionsRound(bareDialect, "v", server);
      ConnectionsScenario.Result connections = connectionsRound(signalbox, "m", server);
      log("bare " + container.title + ": connections");
      ConnectionsScenario.Result bareConnections = connectionsRound(bareDialect, "b", server);
      log("Signalbox in " + container.title + ": join storm");
      List<JoinStormScenario.Result> storm = storms(new Dialect.Signalbox(), server);
      String name = "Signalbox in " + container.title;
      log("Signalbox in " + container.title + ": memory, in a new process");
      ConnectionsScenario.Result memory = memory(container, new Dialect.Signalbox());
      log("bare " + container.title + ": memory, in a new process");
      ConnectionsScenario.Result bareMemory = memory(container, new Dialect.Bare(container.title));
      return new Report.ContainerRun(container.title, server.startupNanos, relay.named(name), bare,
          connections.named(name), bareConnections, memory.named(name), bareMemory,
          storm.stream().map(r -> r.named(name)).toList());
    }
  }

  /**
   * The relay scenario alone, on a new server process in {@code container}: the quick A/B of a
   * change on the message path ({@code --only relay}, about a minute per container).
   */
  private void relayAlone(Container container) throws Exception {
    try (ServerProcess server = startSignalbox(container, container.port, List.of())) {
      log("Signalbox in " + container.title + ": relay");
      RelayScenario.Result r = new RelayScenario(new Dialect.Signalbox(), relayPlan(), "a")
          .run(loop, server.address, server);
      System.out.printf(Locale.ROOT,
          "relay in %s: %.0f messages/s (cold %.0f), p50 %.2f ms, p99 %.1f ms, max %.0f ms,"
              + " lost %d, out of order %d, errors %d, dropped %d, server CPU %.0f %%"
              + " (%.1f us per message), generator CPU %.0f %%, others' CPU %.0f %%;"
              + " started in %d ms%n",
          container.title, r.perSecond(), r.coldPerSecond(), r.p50Millis(), r.p99Millis(),
          r.maxMillis(), r.lost(), r.outOfOrder(), r.errors(), r.dropped(), r.serverCpu() * 100,
          r.serverMicrosPerMessage(), r.generatorCpu() * 100, r.otherCpu() * 100,
          server.startupNanos / 1_000_000);
    }
  }

  /**
   * Connect and join, then the join storm, alone, on a new server process in {@code container}:
   * the same warm-up and measured round as the full run, with no relay before them, so that a
   * profiler started with the server ({@code BENCH_SERVER_JAVA_OPTS}) sees only the join path
   * ({@code --only connect}).
   */
  private void connectAlone(Container container) throws Exception {
    try (ServerProcess server = startSignalbox(container, container.port, List.of())) {
      Dialect signalbox = new Dialect.Signalbox();
      log("Signalbox in " + container.title + ": connections");
      for (int i = 0; i < CONNECT_WARMUPS; i++) {
        connectionsRound(signalbox, "w" + i, server);
      }
      ConnectionsScenario.Result c = connectionsRound(signalbox, "m", server);
      log("Signalbox in " + container.title + ": join storm");
      double[] storm = storms(signalbox, server).stream()
          .mapToDouble(JoinStormScenario.Result::millis).sorted().toArray();
      System.out.printf(Locale.ROOT,
          "connect and join in %s: %.0f clients/s, dropped %d, server CPU %.0f %%, generator CPU"
              + " %.0f %%; join storm median %.0f ms (of %d)%n",
          container.title, c.perSecond(), c.dropped(), c.serverCpu() * 100,
          c.generatorCpu() * 100, storm[storm.length / 2], storm.length);
    }
  }

  /**
   * Who is on the HTTP binding in the HTTP part's relays (peers {@code 2i} and {@code 2i + 1} are
   * pair {@code i}).
   */
  enum Pairing {
    /** Every client on WebSocket: the baseline, on the same server process. */
    WEBSOCKET("WebSocket", i -> Line.Binding.WEBSOCKET),
    /** Every client on HTTP: each message goes up in a POST and comes down in a poll's answer. */
    HTTP("HTTP", i -> Line.Binding.HTTP),
    /** One WebSocket and one HTTP client per pair: each message crosses HTTP once. */
    MIXED("WebSocket ↔ HTTP", i -> i % 2 == 0 ? Line.Binding.WEBSOCKET : Line.Binding.HTTP);

    final String title;
    final IntFunction<Line.Binding> bindings;

    Pairing(String title, IntFunction<Line.Binding> bindings) {
      this.title = title;
      this.bindings = bindings;
    }
  }

  /**
   * The relay over WebSocket, over the HTTP binding and mixed, one after the other on one new
   * server process in {@code container}: each with the relay scenario's plan (its own cold and
   * warm-up phases), then with one message at a time, the server waiting between runs until it
   * counts no connection.
   */
  private Report.HttpRun http(Container container) throws Exception {
    String name = "Signalbox in " + container.title;
    List<Report.BindingRun> runs = new ArrayList<>();
    try (ServerProcess server =
        startSignalbox(container, container.port + HTTP_PORT_OFFSET, List.of())) {
      for (Pairing pairing : Pairing.values()) {
        log(name + ": relay, " + pairing.title);
        String run = pairing.name().substring(0, 1).toLowerCase(Locale.ROOT);
        RelayScenario.Result loaded = new RelayScenario(new Dialect.Signalbox(), relayPlan(), run)
            .over(pairing.bindings).run(loop, server.address, server);
        server.drain(DRAIN_SECONDS);
        log(name + ": one message at a time, " + pairing.title);
        RelayScenario.Result single =
            new RelayScenario(new Dialect.Signalbox(), singlePlan(), run + "1")
                .over(pairing.bindings).run(loop, server.address, server);
        server.drain(DRAIN_SECONDS);
        runs.add(new Report.BindingRun(pairing.title, loaded.named(name), single.named(name)));
      }
    }
    return new Report.HttpRun(container.title, relayPlan(), singlePlan(), runs);
  }

  /**
   * One round of the connections scenario on a warm server; its close time runs until the server
   * counts every socket closed, so the next round starts on an idle server.
   */
  private ConnectionsScenario.Result connectionsRound(Dialect dialect, String run,
      ServerProcess server) throws Exception {
    ConnectionsScenario.Result round =
        new ConnectionsScenario(dialect, connections(), 256, run).run(loop, server.address, server);
    return round.closedIn(round.closeSeconds() + server.drain(DRAIN_SECONDS));
  }

  /**
   * Memory per idle connection: the growth of a new server process from idle to the scenario's
   * clients. A process that already held that many connections keeps the heap it grew for them
   * (a JVM rarely gives memory back), and would count none of it again; a process that never
   * served a client would count its class loading and compiled code as well. So a new process
   * first serves a fifth of the clients, drops them, and then the growth to all of them is
   * measured.
   */
  private ConnectionsScenario.Result memory(Container container, Dialect dialect) throws Exception {
    // No resume grace: the dropped warm-up clients leave their rooms at once instead of being
    // held for 30 s and counted as idle memory.
    try (ServerProcess fresh = startSignalbox(container, container.port + 1,
        List.of("-Dsignalbox.resumeGraceMs=0"))) {
      return memory(dialect, fresh);
    }
  }

  private ConnectionsScenario.Result memory(Dialect dialect, ServerProcess fresh) throws Exception {
    new ConnectionsScenario(dialect, connections() / 5, 256, "e", true).run(loop, fresh.address, fresh);
    if (dialect instanceof Dialect.Signalbox) {
      fresh.drain(DRAIN_SECONDS);
    }
    return new ConnectionsScenario(dialect, connections(), 256, "f", true)
        .run(loop, fresh.address, fresh);
  }

  private void peerJs() throws Exception {
    try (ServerProcess fresh = startPeerJs()) {
      log("PeerJS: memory, in a new process");
      report.peerJsMemory(memory(new Dialect.PeerJs(), fresh));
    }
    try (ServerProcess server = startPeerJs()) {
      report.peerJsStart(server.startupNanos);
      log("PeerJS: relay");
      report.relay(new RelayScenario(new Dialect.PeerJs(), relayPlan(), "a").run(loop, server.address, server));
      log("PeerJS: connections");
      for (int i = 0; i < CONNECT_WARMUPS; i++) {
        new ConnectionsScenario(new Dialect.PeerJs(), connections(), 256, "w" + i).run(loop, server.address, server);
      }
      report.connections(new ConnectionsScenario(new Dialect.PeerJs(), connections(), 256, "m").run(loop, server.address, server));
      log("PeerJS: join storm");
      report.storm(storms(new Dialect.PeerJs(), server));
    }
  }

  private OpenLoopScenario.Plan openLoopPlan(double perSecond) {
    return options.quick
        ? new OpenLoopScenario.Plan(5, perSecond, 1, 2, 5)
        : new OpenLoopScenario.Plan(50, perSecond, 5, 10, 10);
  }

  /**
   * The open-loop relay at fixed shares of PeerJS's maximum relay rate (the relay scenario's,
   * measured earlier in this run, measured now when this part runs alone, or given with --rate),
   * on PeerJS and on Signalbox in each container: one new server process each, warmed once at
   * the middle share (a one-core JVM compiles on the core it serves on), then each share in
   * ascending order on new connections.
   */
  private void openLoop() throws Exception {
    long began = System.nanoTime();
    double max = options.rate > 0 ? options.rate
        : report.peerJsRelayRate() > 0 ? report.peerJsRelayRate() : measurePeerJsMax();
    String source = options.rate > 0 ? "given with --rate"
        : report.peerJsRelayRate() > 0 ? "PeerJS's relay scenario in this run"
        : "PeerJS's relay scenario, measured for this part ("
            + (options.quick ? "2" : "5") + " s)";
    List<Report.OpenLoopRun> runs = new ArrayList<>();
    // Without PeerJS (for profiling one container at a fixed rate) the table has no ratios.
    if (!options.withoutPeerJs) {
      runs.add(openLoop("PeerJS", max, this::startPeerJs, Dialect.PeerJs::new));
    }
    for (Container c : options.containers) {
      runs.add(openLoop("Signalbox in " + c.title, max,
          () -> startSignalbox(c, c.port, List.of()), Dialect.Signalbox::new));
    }
    report.openLoop(new Report.OpenLoop(max, source, openLoopPlan(max), runs,
        (System.nanoTime() - began) / 1e9));
    log("open loop: took " + Math.round((System.nanoTime() - began) / 1e9) + " s");
  }

  interface Starter {
    ServerProcess start() throws IOException, InterruptedException;
  }

  private Report.OpenLoopRun openLoop(String name, double max, Starter starter,
      java.util.function.Supplier<Dialect> dialect) throws Exception {
    List<OpenLoopScenario.Result> results = new ArrayList<>();
    try (ServerProcess server = starter.start()) {
      int middle = options.percents.get(options.percents.size() / 2);
      log(name + ": open loop, warm-up at " + middle + " %");
      OpenLoopScenario.Plan warm = openLoopPlan(max * middle / 100.0);
      new OpenLoopScenario(dialect.get(), new OpenLoopScenario.Plan(warm.pairs(), warm.perSecond(),
          options.quick ? 1 : 10, 0, warm.drainSeconds()), "w").run(loop, server.address, server);
      // Only Signalbox counts its sockets (/health); PeerJS closes its own at once.
      boolean counts = dialect.get() instanceof Dialect.Signalbox;
      if (counts) {
        server.drain(DRAIN_SECONDS);
      }
      for (int percent : options.percents) {
        double rate = max * percent / 100.0;
        log(name + ": open loop at " + percent + " % (" + Math.round(rate) + " messages/s)");
        results.add(new OpenLoopScenario(dialect.get(), openLoopPlan(rate), "p" + percent)
            .run(loop, server.address, server).named(name));
        if (counts) {
          server.drain(DRAIN_SECONDS);
        }
      }
    }
    return new Report.OpenLoopRun(name, options.percents, results);
  }

  /** PeerJS's relay rate with the relay scenario's shape, shorter: for --only openloop. */
  private double measurePeerJsMax() throws Exception {
    try (ServerProcess server = startPeerJs()) {
      log("PeerJS: relay, for the open loop's maximum rate");
      RelayScenario.Plan plan = options.quick
          ? new RelayScenario.Plan(5, 4, 1, 1, 2)
          : new RelayScenario.Plan(50, 4, 1, 4, 5);
      return new RelayScenario(new Dialect.PeerJs(), plan, "m").run(loop, server.address, server)
          .perSecond();
    }
  }

  private void scale() throws Exception {
    int scale = options.scale > 0 ? options.scale : options.quick ? 1_000 : scaleClients();
    // Fewer connections than the target get the same heap per connection: 1 GiB × N / 50,000
    // (stricter than the target, since the server's own baseline is not scaled down with it).
    long heapMib = scale >= SCALE_TARGET ? 1024
        : Math.max(64, (1024L * scale + SCALE_TARGET - 1) / SCALE_TARGET);
    log("Signalbox: scale, " + scale + " clients on -Xmx" + heapMib + "m");
    try (ServerProcess server = startSignalbox(Container.JETTY, SCALE_PORT,
        List.of("-Xmx" + heapMib + "m", "-Dsignalbox.heartbeatMs=" + (options.quick ? 2000 : 10000)))) {
      report.scale(new ScaleScenario(scale, options.quick ? 5 : 35, options.quick ? 20 : 200)
          .run(loop, server.address, server), heapMib, fileLimit());
    }
  }

  /**
   * Redis and two Signalbox nodes sharing it, node A on core 0 and node B on core 1, through the
   * relay scenario with each pair split over the nodes and with each pair on one node. Redis and
   * this generator run on either core meanwhile: the generator is unpinned from the core
   * bench/run.sh gave it for this part only, and pinned back after.
   */
  private void cluster() throws Exception {
    log("cluster: Redis and two Signalbox nodes");
    String generatorCores = allowedCores();
    pinGenerator(SHARED_CORES);
    Map<String, String> environment =
        Map.of("SIGNALBOX_REDIS_URL", "redis://127.0.0.1:" + REDIS_PORT + "/0");
    try (ServerProcess redis = startRedis();
        ServerProcess a = startSignalbox(Container.JETTY, CLUSTER_PORT, List.of(), NODE_A_CORE,
            environment, "Signalbox node A");
        ServerProcess b = startSignalbox(Container.JETTY, CLUSTER_PORT + 1, List.of(), NODE_B_CORE,
            environment, "Signalbox node B")) {
      report.cluster(new ClusterScenario(redis, a, b, relayPlan(), DRAIN_SECONDS)
          .run(loop, Bench::log));
    } finally {
      pinGenerator(generatorCores);
    }
  }

  /**
   * Two Signalbox nodes on a Redis Cluster of one master, then of three (ShardsScenario). The
   * same placement for both: node A on core 0, node B on core 1, and every Redis process and this
   * generator on either core (taskset -c 0,1 for all of them), so one shard and three compete for
   * the same CPU, and what differs is only how the work is split; each shard's CPU is read from
   * /proc.
   */
  private void shards() throws Exception {
    String generatorCores = allowedCores();
    pinGenerator(SHARED_CORES);
    try {
      for (int count : SHARD_COUNTS) {
        report.shards(shards(count));
      }
    } finally {
      pinGenerator(generatorCores);
    }
  }

  private ShardsScenario.Result shards(int count) throws Exception {
    long idleSeconds = options.quick ? 3 : 10;
    int clients = options.quick ? 200 : 4_000;
    log("shards: a Redis Cluster of " + count + " master(s), no replica");
    try (RedisShards cluster = RedisShards.start(count, SHARDS_REDIS_PORT, SHARDS_BUS_PORT,
        SHARED_CORES, options.work)) {
      ShardsScenario scenario =
          new ShardsScenario(cluster, relayPlan(), DRAIN_SECONDS, options.war, Bench::log);
      log("shards: the cluster idle, without nodes");
      ShardsScenario.Idle bare = scenario.idle(idleSeconds);
      Map<String, String> environment = Map.of("SIGNALBOX_REDIS_URL", cluster.url());
      try (ServerProcess a = startSignalbox(Container.JETTY, SHARDS_PORT, List.of(), NODE_A_CORE,
              environment, "Signalbox node A");
          ServerProcess b = startSignalbox(Container.JETTY, SHARDS_PORT + 1, List.of(),
              NODE_B_CORE, environment, "Signalbox node B")) {
        scenario.nodes(a, b);
        // A node listens before it reaches Redis; then it registers in all 256 partitions. A
        // few seconds more for its periodic work to run at its pace.
        scenario.awaitNodes(90);
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds / 2));
        log("shards: the cluster with two idle nodes");
        ShardsScenario.Idle nodes = scenario.idle(idleSeconds);
        log("shards: cross-node relay on " + count + " shard(s)");
        ShardsScenario.Relay relay = scenario.relay(loop, nodes, "x");
        a.drain(DRAIN_SECONDS);
        b.drain(DRAIN_SECONDS);
        List<ShardsScenario.Operation> plain =
            scenario.operations(loop, nodes, idleSeconds, clients, false, "p");
        List<ShardsScenario.Operation> ops =
            scenario.operations(loop, nodes, idleSeconds, clients, true, "q");
        return new ShardsScenario.Result(count, scenario.redisVersion(), relayPlan(),
            cluster.partitionsPerShard(), bare, nodes, relay, ops.get(0),
            ops.subList(1, ops.size()), plain.subList(1, plain.size()));
      }
    }
  }

  private ServerProcess startRedis() throws IOException, InterruptedException {
    // No persistence: the bench measures the relay, not the disk.
    List<String> command = List.of("taskset", "-c", SHARED_CORES, "redis-server",
        "--bind", "127.0.0.1", "--port", Integer.toString(REDIS_PORT), "--save", "",
        "--appendonly", "no");
    return ServerProcess.start("Redis", command, REDIS_PORT, options.work.resolve("redis.log"),
        ServerProcess.Runtime.OTHER, null);
  }

  /** The cores this process may run on, as {@code taskset -c} takes them. */
  private static String allowedCores() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return line.substring("Cpus_allowed_list:".length()).trim();
      }
    }
    throw new IllegalStateException("no Cpus_allowed_list in /proc/self/status");
  }

  /** Moves every thread of this generator to {@code cores}. */
  private static void pinGenerator(String cores) throws IOException, InterruptedException {
    Process taskset = new ProcessBuilder("taskset", "-a", "-c", "-p", cores,
        Long.toString(ProcessHandle.current().pid()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!taskset.waitFor(30, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
      throw new IllegalStateException("taskset could not move the generator to cores " + cores);
    }
  }

  private boolean wants(String part) {
    return options.only == null || options.only.equals(part);
  }

  private List<JoinStormScenario.Result> storms(Dialect dialect, ServerProcess server) {
    int rooms = options.quick ? 5 : 50;
    int warmups = options.quick ? 1 : 2;
    int runs = options.quick ? 1 : 5;
    List<JoinStormScenario.Result> measured = new ArrayList<>();
    for (int i = 0; i < warmups + runs; i++) {
      JoinStormScenario.Result r =
          new JoinStormScenario(dialect, rooms, 6, 4, "r" + i).run(loop, server.address);
      if (i >= warmups) {
        measured.add(r);
      }
    }
    return measured;
  }

  private ServerProcess startSignalbox(Container container, int port, List<String> jvmOptions)
      throws IOException, InterruptedException {
    return startSignalbox(container, port, jvmOptions, "0", Map.of(),
        "Signalbox in " + container.title);
  }

  /**
   * @param cores where the server runs ({@code taskset -c})
   * @param environment added to the server's (the cluster's Redis)
   */
  private ServerProcess startSignalbox(Container container, int port, List<String> jvmOptions,
      String cores, Map<String, String> environment, String name)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("taskset", "-c", cores,
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    // For profiling: e.g. BENCH_SERVER_JAVA_OPTS=-XX:StartFlightRecording=filename=sb.jfr
    String extra = System.getenv("BENCH_SERVER_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    // The bench relays ~2,000 messages per second per connection: far over the per-connection
    // default of 50, which is a browser's budget, so the rate limit is raised, not turned off.
    // Every simulated client comes from the one loopback address, so the per-address limit (a
    // defence against one host opening thousands of sockets) is off here.
    command.addAll(List.of("-Dsignalbox.messagesPerSecond=100000",
        "-Dsignalbox.maxConnectionsPerAddress=0", "-cp",
        options.classpaths.get(container), container.main, options.war.toString(),
        Integer.toString(port)));
    if (container == Container.JETTY) {
      command.add(options.jettyXml.toString());
    } else {
      command.add(options.work.resolve(container.name().toLowerCase(Locale.ROOT) + "-" + port)
          .toAbsolutePath().toString());
    }
    return ServerProcess.start(name, command, environment, port,
        options.work.resolve("signalbox-" + port + ".log"), ServerProcess.Runtime.JVM, null);
  }

  private ServerProcess startPeerJs() throws IOException, InterruptedException {
    Path report = options.work.resolve("peerjs-gc.txt");
    Files.deleteIfExists(report);
    List<String> command = List.of("taskset", "-c", "0", "node", "--expose-gc", "--require",
        options.peerjs.resolve("gc-report.cjs").toString(),
        options.peerjs.resolve("node_modules/peer/dist/bin/peerjs.js").toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(PEERJS_PORT),
        // Its only changed default: 5,000 concurrent clients would refuse the connection scenario.
        "--concurrent_limit", "1000000");
    return ServerProcess.start("PeerJS", command, PEERJS_PORT,
        options.work.resolve("peerjs.log"), ServerProcess.Runtime.NODE, report);
  }

  /** The most connections one process may hold here, less room for its own files. */
  private static int scaleClients() {
    return (int) Math.min(SCALE_TARGET, fileLimit() - 1_000);
  }

  static long fileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[3]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Unknown: assume enough.
    }
    return Long.MAX_VALUE;
  }

  private static void log(String what) {
    System.err.println("bench: " + java.time.LocalTime.now().withNano(0) + " " + what);
  }
}
