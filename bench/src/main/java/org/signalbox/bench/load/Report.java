package org.signalbox.bench.load;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Collects the scenarios' results and renders them as one Markdown table plus details. */
final class Report {

  /** Above this share of its core the generator may be what limits a number. */
  private static final double GENERATOR_BOUND = 0.9;

  /** Signalbox and the bare forwarding endpoint in one container, through every scenario. */
  record ContainerRun(String container, long startupNanos, RelayScenario.Result relay,
      RelayScenario.Result bare, ConnectionsScenario.Result connections,
      ConnectionsScenario.Result bareConnections, ConnectionsScenario.Result memory,
      ConnectionsScenario.Result bareMemory, List<JoinStormScenario.Result> storm) {

    double stormMillis() {
      return median(storm);
    }
  }

  /** The relay over one binding (Bench.Pairing), loaded and with one message at a time. */
  record BindingRun(String binding, RelayScenario.Result loaded, RelayScenario.Result single) {}

  /**
   * The relay over each binding in one container, on one server process, with the plans of its
   * loaded and its one-at-a-time runs.
   */
  record HttpRun(String container, RelayScenario.Plan plan, RelayScenario.Plan single,
      List<BindingRun> bindings) {}

  private final boolean quick;
  /** The run command's container: the one compared with PeerJS. */
  private ContainerRun jetty;
  private final List<ContainerRun> others = new ArrayList<>();
  private RelayScenario.Result peerJsRelay;
  private ConnectionsScenario.Result peerJsConnections;
  private ConnectionsScenario.Result peerJsMemory;
  private List<JoinStormScenario.Result> peerJsStorm;
  private ScaleScenario.Result scale;
  private long scaleHeapMib;
  private long fileLimit;
  private long peerJsStart;
  private ClusterScenario.Result cluster;
  private final List<HttpRun> http = new ArrayList<>();

  Report(boolean quick) {
    this.quick = quick;
  }

  void jetty(ContainerRun run) {
    jetty = run;
  }

  void container(ContainerRun run) {
    others.add(run);
  }

  void peerJsStart(long nanos) {
    peerJsStart = nanos;
  }

  void relay(RelayScenario.Result r) {
    peerJsRelay = r;
  }

  void connections(ConnectionsScenario.Result r) {
    peerJsConnections = r;
  }

  void peerJsMemory(ConnectionsScenario.Result r) {
    peerJsMemory = r;
  }

  void storm(List<JoinStormScenario.Result> runs) {
    peerJsStorm = runs;
  }

  void scale(ScaleScenario.Result r, long heapMib, long files) {
    scale = r;
    scaleHeapMib = heapMib;
    fileLimit = files;
  }

  void cluster(ClusterScenario.Result r) {
    cluster = r;
  }

  void http(HttpRun run) {
    http.add(run);
  }

  /** The results as they are, for a partial run (--only). */
  String raw() {
    StringBuilder out = new StringBuilder();
    for (ContainerRun run : allContainers()) {
      out.append(run.container()).append(": ").append(run.relay()).append('\n')
          .append(run.bare()).append('\n').append(run.connections()).append('\n')
          .append(run.bareConnections()).append('\n').append(run.memory()).append('\n')
          .append(run.bareMemory()).append('\n')
          .append(run.storm()).append('\n');
    }
    for (Object r : new Object[] {peerJsRelay, peerJsConnections, peerJsMemory, peerJsStorm, scale}) {
      if (r != null) {
        out.append(r).append('\n');
      }
    }
    for (HttpRun run : http) {
      for (BindingRun b : run.bindings()) {
        out.append(run.container()).append(", ").append(b.binding()).append(": ")
            .append(b.loaded()).append('\n').append(b.single()).append('\n');
      }
    }
    if (!http.isEmpty()) {
      out.append(httpSection());
    }
    if (cluster != null) {
      out.append(cluster.crossNode()).append('\n').append(cluster.sameNode()).append('\n')
          .append(clusterSection());
    }
    return out.toString();
  }

  private List<ContainerRun> allContainers() {
    List<ContainerRun> all = new ArrayList<>();
    if (jetty != null) {
      all.add(jetty);
    }
    all.addAll(others);
    return all;
  }

  String render(LocalDate date) {
    RelayScenario.Result sb = jetty.relay();
    RelayScenario.Result bare = jetty.bare();
    RelayScenario.Result pj = peerJsRelay;
    ConnectionsScenario.Result csb = jetty.connections();
    ConnectionsScenario.Result cpj = peerJsConnections;
    double stormSb = jetty.stormMillis();
    double stormPj = median(peerJsStorm);
    StringBuilder out = new StringBuilder();
    out.append("## Signalbox and PeerJS, ").append(date).append(quick ? " (quick run: too short to quote)" : "")
        .append("\n\nSignalbox in Jetty (the run command's server). Each server pinned to core 0, the load generator to core 1; medians and ratios from one run.\n\n");
    out.append("| scenario | Signalbox | PeerJS | Signalbox ÷ PeerJS | target | met |\n");
    out.append("| --- | ---: | ---: | ---: | --- | --- |\n");
    row(out, "relay, messages/s" + bound(sb, pj), n(sb.perSecond()), n(pj.perSecond()),
        sb.perSecond() / pj.perSecond(), "≥ 2", sb.perSecond() >= 2 * pj.perSecond());
    row(out, "relay latency p99, ms", d(sb.p99Millis()), d(pj.p99Millis()),
        sb.p99Millis() / pj.p99Millis(), "≤ 1", sb.p99Millis() <= pj.p99Millis());
    out.append(String.format(Locale.ROOT, "| relay ÷ bare forwarding endpoint%s | %s of %s | | %.0f %% | ≥ 70 %% | %s |%n",
        bound(sb, bare), n(sb.perSecond()), n(bare.perSecond()), 100 * sb.perSecond() / bare.perSecond(),
        met(sb.perSecond() >= 0.7 * bare.perSecond())));
    row(out, "connect and join, clients/s", n(csb.perSecond()), n(cpj.perSecond()),
        csb.perSecond() / cpj.perSecond(), "≥ 1", csb.perSecond() >= cpj.perSecond());
    ConnectionsScenario.Result msb = jetty.memory();
    ConnectionsScenario.Result mpj = peerJsMemory;
    row(out, "RSS per idle connection, KiB", d(msb.rssPerClient() / 1024), d(mpj.rssPerClient() / 1024),
        msb.rssPerClient() / mpj.rssPerClient(), "≤ 1", msb.rssPerClient() <= mpj.rssPerClient());
    row(out, "live heap per idle connection, KiB", d(msb.heapPerClient() / 1024),
        d(mpj.heapPerClient() / 1024), msb.heapPerClient() / mpj.heapPerClient(), "", null);
    row(out, "join storm, ms (median of " + jetty.storm().size() + ")", d(stormSb), d(stormPj),
        stormSb / stormPj, "≤ 0.5", stormSb <= stormPj / 2);
    if (scale != null) {
      boolean scaleMet = scale.clients() >= 50_000 && scaleHeapMib <= 1024 && scale.dropped() == 0
          && scale.serverConnections() == scale.clients() && scale.roundTrips() > 0;
      boolean scaleProportional = scale.dropped() == 0 && scale.serverConnections() == scale.clients()
          && scale.roundTrips() > 0;
      out.append(String.format(Locale.ROOT,
          "| scale: joined connections held | %s on -Xmx%dm, %d dropped, relay p99 %s ms | | | 50,000 on -Xmx1g, none dropped | %s |%n",
          n(scale.clients()), scaleHeapMib, scale.dropped(), d(scale.p99Millis()),
          scaleMet ? "yes" : scaleProportional
              ? "per connection yes; 50,000 not tried: " + (fileLimit < 50_000 ? "open files limited to " + fileLimit : "see --scale")
              : "no"));
    }

    out.append("\n### Containers\n\nThe same WAR and the same bare forwarding endpoint in each "
        + "container, pinned to core 0 like the rest.\n\n");
    out.append("| container | relay, messages/s | relay p99, ms | bare forward, messages/s | bare p99, ms | relay ÷ bare | relay ÷ PeerJS | connect and join, clients/s | bare connect, clients/s | RSS per idle connection, KiB | bare RSS per connection, KiB | 5,000 closing handshakes, s | join storm, ms | start, ms |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ContainerRun run : allContainers()) {
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.0f %% | %.2f | %s | %s | %s | %s | %s | %s | %s |%n",
          run.container(), n(run.relay().perSecond()), d(run.relay().p99Millis()),
          n(run.bare().perSecond()), d(run.bare().p99Millis()),
          100 * run.relay().perSecond() / run.bare().perSecond(),
          run.relay().perSecond() / pj.perSecond(), n(run.connections().perSecond()),
          n(run.bareConnections().perSecond()), d(run.memory().rssPerClient() / 1024),
          d(run.bareMemory().rssPerClient() / 1024),
          d(run.connections().closeSeconds()), d(run.stormMillis()),
          d(run.startupNanos() / 1e6)));
    }
    out.append(String.format(Locale.ROOT, "| PeerJS | %s | %s | | | | 1.00 | %s | | %s | | %s | %s | %s |%n",
        n(pj.perSecond()), d(pj.p99Millis()), n(cpj.perSecond()), d(peerJsMemory.rssPerClient() / 1024),
        d(cpj.closeSeconds()), d(stormPj), d(peerJsStart / 1e6)));

    out.append("\n### Cold start\n\n| | Signalbox | PeerJS |\n| --- | ---: | ---: |\n");
    out.append("| process start until the port accepts, ms | ").append(d(jetty.startupNanos() / 1e6)).append(" | ")
        .append(d(peerJsStart / 1e6)).append(" |\n");
    out.append("| relay in the first seconds after start, messages/s | ").append(n(sb.coldPerSecond()))
        .append(" | ").append(n(pj.coldPerSecond())).append(" |\n");

    out.append("\n### Details\n\n");
    out.append("| relay run | messages/s | p50 ms | p99 ms | max ms | sent | received | lost | out of order | errors | dropped | generator CPU | server CPU |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    List<RelayScenario.Result> relays = new ArrayList<>();
    for (ContainerRun run : allContainers()) {
      relays.add(run.relay());
      relays.add(run.bare());
    }
    relays.add(pj);
    for (RelayScenario.Result r : relays) {
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d | %.0f %% | %.0f %% |%n",
          r.server(), n(r.perSecond()), d(r.p50Millis()), d(r.p99Millis()), d(r.maxMillis()), r.sent(),
          r.received(), r.lost(), r.outOfOrder(), r.errors(), r.dropped(), 100 * r.generatorCpu(),
          100 * r.serverCpu()));
    }
    out.append(String.format(Locale.ROOT, "%nRelay frame: %d bytes from the client. ", sb.frameBytes()));
    out.append("\n\n| connections | clients | clients/s | RSS idle → loaded, MiB | live heap idle → loaded, MiB | dropped | generator CPU | server CPU |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    List<ConnectionsScenario.Result> connections = new ArrayList<>();
    allContainers().forEach(run -> {
      connections.add(run.connections());
      connections.add(run.bareConnections());
    });
    connections.add(cpj);
    allContainers().forEach(run -> {
      connections.add(run.memory().named(run.memory().server() + ", new process"));
      connections.add(run.bareMemory().named(run.bareMemory().server() + ", new process"));
    });
    connections.add(peerJsMemory.named("PeerJS, new process"));
    for (ConnectionsScenario.Result c : connections) {
      out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s → %s | %s → %s | %d | %.0f %% | %.0f %% |%n", c.server(), c.clients(),
          n(c.perSecond()), d(c.rssIdle() / 1048576.0), d(c.rssLoaded() / 1048576.0),
          d(c.heapIdle() / 1048576.0), d(c.heapLoaded() / 1048576.0), c.dropped(),
          100 * c.generatorCpu(), 100 * c.serverCpu()));
    }
    out.append("\n| join storm | pairs | frames | runs, ms |\n| --- | ---: | ---: | --- |\n");
    List<List<JoinStormScenario.Result>> storms = new ArrayList<>();
    allContainers().forEach(run -> storms.add(run.storm()));
    storms.add(peerJsStorm);
    for (List<JoinStormScenario.Result> runs : storms) {
      StringBuilder times = new StringBuilder();
      for (JoinStormScenario.Result r : runs) {
        times.append(times.length() == 0 ? "" : ", ").append(d(r.millis()));
      }
      out.append("| ").append(runs.get(0).server()).append(" | ").append(runs.get(0).pairs()).append(" | ")
          .append(runs.get(0).frames()).append(" | ").append(times).append(" |\n");
    }
    if (scale != null) {
      out.append(String.format(Locale.ROOT,
          "%n| scale | clients | connect, s | held, s | dropped | server's count | RSS, MiB | live heap, MiB | heap per connection, KiB | relay p50 / p99 / max, ms |%n"
              + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |%n"
              + "| Signalbox, -Xmx%dm | %d | %s | %d | %d | %d | %s | %s | %s | %s / %s / %s |%n",
          scaleHeapMib, scale.clients(), d(scale.connectSeconds()), scale.holdSeconds(), scale.dropped(),
          scale.serverConnections(), d(scale.rss() / 1048576.0), d(scale.heap() / 1048576.0),
          d(scale.heap() / 1024.0 / scale.clients()), d(scale.p50Millis()), d(scale.p99Millis()),
          d(scale.maxMillis())));
    }
    if (!http.isEmpty()) {
      out.append('\n').append(httpSection());
    }
    if (cluster != null) {
      out.append('\n').append(clusterSection());
    }
    return out.toString();
  }

  /** The relay over the HTTP binding beside WebSocket, per container. */
  String httpSection() {
    HttpRun first = http.get(0);
    StringBuilder out = new StringBuilder();
    out.append("### Relay over the HTTP binding").append(quick ? " (quick run: too short to quote)" : "")
        .append("\n\n");
    out.append("The relay scenario on one new server process per container, pinned to core 0 (the "
        + "generator on core 1), three times in a row: every client on WebSocket; every client on "
        + "the HTTP binding (each message goes up in a POST and comes down in a poll's answer); each "
        + "pair one WebSocket and one HTTP client (each message crosses HTTP once). HTTP clients "
        + "hold their session as the browser client does: one poll always outstanding, one POST "
        + "at a time carrying what queued meanwhile, each on its own keep-alive connection, with "
        + "Chrome's request headers. *Requests per message*: POSTs and polls over the measured "
        + "seconds per message delivered. *Server µs per message*: the server's CPU time (every "
        + "thread) over the measured seconds per message. *Others' CPU*: what the rest of the "
        + "machine used meanwhile, in shares of one core: above a few per cent, other work took "
        + "CPU from the bench. Then *one at a time*: one pair, one message in flight per client, "
        + "the latency of an otherwise idle server.\n\n");
    out.append("| binding | server | messages/s | p50 ms | p99 ms | requests per message | frames per POST | server µs per message | one at a time: p50 / p99 ms | generator CPU | server CPU | others' CPU |\n");
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    for (HttpRun run : http) {
      for (BindingRun b : run.bindings()) {
        RelayScenario.Result r = b.loaded();
        RelayScenario.Requests q = r.requests();
        boolean anyHttp = q.posts() + q.polls() > 0;
        out.append(String.format(Locale.ROOT, "| %s%s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %.0f %% | %.0f %% | %.0f %% |%n",
            b.binding(), r.generatorCpu() >= GENERATOR_BOUND ? " (generator near its core: a lower bound)" : "",
            run.container(), n(r.perSecond()), d(r.p50Millis()), d(r.p99Millis()),
            anyHttp ? d(q.perMessage()) : "–", anyHttp ? d(q.framesPosted() / (double) q.posts()) : "–",
            d(r.serverMicrosPerMessage()), d(b.single().p50Millis()), d(b.single().p99Millis()),
            100 * r.generatorCpu(), 100 * r.serverCpu(), 100 * r.otherCpu()));
      }
    }
    out.append(String.format(Locale.ROOT, "%nLoaded: %d pairs, %d messages in flight per client, "
        + "%d s cold, %d s of warm-up, %d s measured. One at a time: %d s of warm-up, %d s measured. "
        + "The relay scenario's `signal` frame (%d bytes as a WebSocket frame).%n%n",
        first.plan().pairs(), first.plan().inFlight(), first.plan().coldSeconds(),
        first.plan().warmSeconds(), first.plan().measureSeconds(),
        first.single().coldSeconds() + first.single().warmSeconds(), first.single().measureSeconds(),
        first.bindings().get(0).loaded().frameBytes()));
    out.append("| relay run | sent | received | lost | out of order | errors | dropped | max ms | POSTs | polls | new TCP connections |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (HttpRun run : http) {
      for (BindingRun b : run.bindings()) {
        for (RelayScenario.Result r : List.of(b.loaded(), b.single())) {
          RelayScenario.Requests q = r.requests();
          out.append(String.format(Locale.ROOT, "| %s, %s%s | %d | %d | %d | %d | %d | %d | %s | %d | %d | %d |%n",
              b.binding(), run.container(), r == b.single() ? ", one at a time" : "", r.sent(),
              r.received(), r.lost(), r.outOfOrder(), r.errors(), r.dropped(), d(r.maxMillis()),
              q.posts(), q.polls(), q.connects()));
        }
      }
    }
    return out.toString();
  }

  /** The cluster scenario: two nodes and one Redis, the relay across nodes and within each. */
  String clusterSection() {
    ClusterScenario.Placement cross = cluster.crossNode();
    ClusterScenario.Placement same = cluster.sameNode();
    RelayScenario.Plan plan = cluster.plan();
    StringBuilder out = new StringBuilder();
    out.append("### Cluster: two nodes and one Redis").append(quick ? " (quick run: too short to quote)" : "")
        .append("\n\n");
    out.append(String.format(Locale.ROOT, "Two Signalbox nodes, each the WAR in Jetty (the run command's "
        + "server) in its own JVM with the relay's settings and `redisUrl` pointing at one Redis %s on "
        + "the same machine (no persistence). **Placement: node A is pinned to core 0, node B to core 1. "
        + "The machine has two cores, so Redis and the load generator have no core of their own: neither "
        + "is pinned, the kernel runs each on either core, and both take their CPU from the nodes' "
        + "cores.** The relay scenario's shape (%d pairs, %d messages in flight per client, a %d-byte "
        + "frame, %d s of warm-up, %d s measured), twice on the same three processes: *cross-node*, each "
        + "pair split, one peer on node A and one on node B, so every relay is a script in Redis that "
        + "publishes to the other node; *same-node*, each pair on one node (half the pairs on A, half on "
        + "B), so no relay touches Redis. CPU is read over the measured seconds (user + system time from "
        + "`/proc`), as a share of one core and as µs per relayed message.%n%n",
        cluster.redisVersion(), plan.pairs(), plan.inFlight(), cross.relay().frameBytes(),
        plan.coldSeconds() + plan.warmSeconds(), plan.measureSeconds()));
    out.append("| cluster relay | messages/s | p50 ms | p99 ms | max ms | sent | received | lost | out of order | errors | dropped |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ClusterScenario.Placement p : List.of(cross, same)) {
      RelayScenario.Result r = p.relay();
      out.append(String.format(Locale.ROOT, "| %s%s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d |%n",
          p == cross ? "cross-node: each pair split over A and B" : "same-node: each pair on A or on B",
          r.generatorCpu() >= GENERATOR_BOUND ? " (generator near a core: a lower bound)" : "",
          n(r.perSecond()), d(r.p50Millis()), d(r.p99Millis()), d(r.maxMillis()), r.sent(), r.received(),
          r.lost(), r.outOfOrder(), r.errors(), r.dropped()));
    }
    out.append(String.format(Locale.ROOT, "| cross-node ÷ same-node | %.2f | %.2f | %.2f | %.2f | | | | | | |%n",
        cross.relay().perSecond() / same.relay().perSecond(),
        cross.relay().p50Millis() / same.relay().p50Millis(),
        cross.relay().p99Millis() / same.relay().p99Millis(),
        cross.relay().maxMillis() / same.relay().maxMillis()));
    out.append("\n| CPU over the measured seconds | node A (core 0) | node B (core 1) | both nodes, µs per message | Redis (either core) | Redis, µs per message | Redis scripts per message | generator (either core) |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ClusterScenario.Placement p : List.of(cross, same)) {
      out.append(String.format(Locale.ROOT, "| %s | %.0f %% | %.0f %% | %s | %.0f %% | %s | %.2f | %.0f %% |%n",
          p.name(), 100 * p.nodeACpu(), 100 * p.nodeBCpu(),
          d(p.microsPerMessage(p.nodeANanos() + p.nodeBNanos())), 100 * p.redisCpu(),
          d(p.microsPerMessage(p.redisNanos())), p.scriptsPerMessage(), 100 * p.relay().generatorCpu()));
    }
    return out.toString();
  }

  private static String bound(RelayScenario.Result a, RelayScenario.Result b) {
    return a.generatorCpu() >= GENERATOR_BOUND || b.generatorCpu() >= GENERATOR_BOUND
        ? " (generator near its core: a lower bound)" : "";
  }

  private static void row(StringBuilder out, String name, String a, String b, double ratio,
      String target, Boolean met) {
    out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %s | %s |%n", name, a, b, ratio, target,
        met == null ? "" : met(met)));
  }

  private static String met(boolean met) {
    return met ? "yes" : "**no**";
  }

  private static double median(List<JoinStormScenario.Result> runs) {
    List<Double> times = runs.stream().map(JoinStormScenario.Result::millis)
        .sorted(Comparator.naturalOrder()).toList();
    return times.get(times.size() / 2);
  }

  private static String n(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String d(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  }
}
