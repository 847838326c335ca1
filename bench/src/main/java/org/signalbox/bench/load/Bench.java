package org.signalbox.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The comparison bench: starts each server pinned to core 0 (bench/run.sh pins this generator to
 * core 1), runs every scenario against it, and prints one table with the ratios and the targets.
 *
 * <p>Usage: {@code Bench --war <war> --classpath <bench classpath> --peerjs <dir> --work <dir>
 * [--quick] [--scale N]}.
 */
public final class Bench {

  private static final int SIGNALBOX_PORT = 18480;
  private static final int PEERJS_PORT = 18490;
  private static final int SCALE_PORT = 18500;
  /** The scale target: 50,000 connections in a 1 GiB heap. */
  private static final int SCALE_TARGET = 50_000;

  private final Options options;
  private final EventLoop loop = new EventLoop();
  private final Report report;

  private Bench(Options options) {
    this.options = options;
    this.report = new Report(options.quick);
  }

  record Options(Path war, String classpath, Path peerjs, Path work, boolean quick, int scale) {
    static Options parse(String[] args) {
      Path war = null;
      String classpath = null;
      Path peerjs = null;
      Path work = Path.of("target");
      boolean quick = false;
      int scale = -1;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--war" -> war = Path.of(args[++i]);
          case "--classpath" -> classpath = args[++i];
          case "--peerjs" -> peerjs = Path.of(args[++i]);
          case "--work" -> work = Path.of(args[++i]);
          case "--quick" -> quick = true;
          case "--scale" -> scale = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (war == null || classpath == null || peerjs == null) {
        throw new IllegalArgumentException("--war, --classpath and --peerjs are required");
      }
      return new Options(war, classpath, peerjs, work, quick, scale);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Files.createDirectories(options.work);
    new Bench(options).run();
  }

  private void run() throws Exception {
    RelayScenario.Plan relay = options.quick
        ? new RelayScenario.Plan(5, 4, 1, 1, 2)
        : new RelayScenario.Plan(50, 4, 5, 20, 10);
    int connections = options.quick ? 200 : 5_000;
    int stormRooms = options.quick ? 5 : 50;
    int stormWarmups = options.quick ? 1 : 2;
    int stormRuns = options.quick ? 1 : 5;

    try (ServerProcess server = startSignalbox(SIGNALBOX_PORT, List.of())) {
      report.signalboxStart(server.startupNanos);
      log("Signalbox: relay");
      report.relay(new RelayScenario(new Dialect.Signalbox(), relay, "a").run(loop, server.address, server));
      log("bare forward: relay");
      report.bare(new RelayScenario(new Dialect.Bare(), relay, "b").run(loop, server.address, server));
      log("Signalbox: connections");
      new ConnectionsScenario(new Dialect.Signalbox(), connections / 5, 256, "w").run(loop, server.address, server);
      report.connections(new ConnectionsScenario(new Dialect.Signalbox(), connections, 256, "m").run(loop, server.address, server));
      log("Signalbox: join storm");
      report.storm(storms(new Dialect.Signalbox(), server, stormRooms, stormWarmups, stormRuns));
    }
    try (ServerProcess server = startPeerJs()) {
      report.peerJsStart(server.startupNanos);
      log("PeerJS: relay");
      report.relay(new RelayScenario(new Dialect.PeerJs(), relay, "a").run(loop, server.address, server));
      log("PeerJS: connections");
      new ConnectionsScenario(new Dialect.PeerJs(), connections / 5, 256, "w").run(loop, server.address, server);
      report.connections(new ConnectionsScenario(new Dialect.PeerJs(), connections, 256, "m").run(loop, server.address, server));
      log("PeerJS: join storm");
      report.storm(storms(new Dialect.PeerJs(), server, stormRooms, stormWarmups, stormRuns));
    }
    int scale = options.scale > 0 ? options.scale : options.quick ? 1_000 : scaleClients();
    // Fewer connections than the target get the same heap per connection: 1 GiB × N / 50,000
    // (stricter than the target, since the server's own baseline is not scaled down with it).
    long heapMib = scale >= SCALE_TARGET ? 1024
        : Math.max(64, (1024L * scale + SCALE_TARGET - 1) / SCALE_TARGET);
    log("Signalbox: scale, " + scale + " clients on -Xmx" + heapMib + "m");
    try (ServerProcess server = startSignalbox(SCALE_PORT,
        List.of("-Xmx" + heapMib + "m", "-Dsignalbox.heartbeatMs=" + (options.quick ? 2000 : 10000)))) {
      report.scale(new ScaleScenario(scale, options.quick ? 5 : 35, options.quick ? 20 : 200)
          .run(loop, server.address, server), heapMib, fileLimit());
    }
    String table = report.render(LocalDate.now());
    System.out.println(table);
    Files.writeString(options.work.resolve("results.md"), table);
  }

  private List<JoinStormScenario.Result> storms(Dialect dialect, ServerProcess server, int rooms,
      int warmups, int runs) {
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

  private ServerProcess startSignalbox(int port, List<String> jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("taskset", "-c", "0",
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    // The bench relays ~2,000 messages per second per connection: far over the per-connection
    // default of 50, which is a browser's budget, so the rate limit is raised, not turned off.
    command.addAll(List.of("-Dsignalbox.messagesPerSecond=100000", "-cp", options.classpath,
        "org.signalbox.bench.server.BenchServer", options.war.toString(), Integer.toString(port)));
    return ServerProcess.start("Signalbox", command, port,
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
    System.err.println("bench: " + what);
  }
}
