package org.signalbox.bench.load;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Collects the scenarios' results and renders them as one Markdown table plus details. */
final class Report {

  /**
   * The periodic work's commands (ShardsScenario's background): left out of an operation's list,
   * where what remains of them after the subtraction is the timing's noise.
   */
  private static final List<String> PERIODIC =
      List.of("watch", "due", "touch", "zrangebyscore", "time", "cluster nodes");

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

  /** One server through the open loop's shares of the maximum rate, in ascending order. */
  record OpenLoopRun(String server, List<Integer> percents, List<OpenLoopScenario.Result> results) {

    OpenLoopScenario.Result at(int percent) {
      int i = percents.indexOf(percent);
      return i < 0 ? null : results.get(i);
    }
  }

  /**
   * The open loop: the maximum rate its shares are of and where it came from, and each server's
   * run (PeerJS first).
   */
  record OpenLoop(double maxRate, String source, OpenLoopScenario.Plan plan,
      List<OpenLoopRun> runs, double seconds) {}

  /** The share of PeerJS's maximum rate the open-loop target is set at. */
  private static final int TARGET_PERCENT = 50;

  private final boolean quick;
  private OpenLoop openLoop;
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
  private final List<ShardsScenario.Result> shards = new ArrayList<>();

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

  void openLoop(OpenLoop run) {
    openLoop = run;
  }

  /** PeerJS's relay rate if the relay scenario ran on it, else 0. */
  double peerJsRelayRate() {
    return peerJsRelay == null ? 0 : peerJsRelay.perSecond();
  }

  void cluster(ClusterScenario.Result r) {
    cluster = r;
  }

  void http(HttpRun run) {
    http.add(run);
  }

  void shards(ShardsScenario.Result run) {
    shards.add(run);
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
    if (openLoop != null) {
      for (OpenLoopRun run : openLoop.runs()) {
        run.results().forEach(r -> out.append(r).append('\n'));
      }
      out.append(openLoopSection());
    }
    if (!http.isEmpty()) {
      out.append(httpSection());
    }
    if (cluster != null) {
      out.append(cluster.crossNode()).append('\n').append(cluster.sameNode()).append('\n')
          .append(clusterSection());
    }
    if (!shards.isEmpty()) {
      for (ShardsScenario.Result r : shards) {
        out.append(r.relay().result()).append('\n');
      }
      out.append(shardsSection());
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
        sb.perSecond() / pj.perSecond(), "≥ 1.2", sb.perSecond() >= 1.2 * pj.perSecond());
    row(out, "relay latency p99 at saturation, ms", d(sb.p99Millis()), d(pj.p99Millis()),
        sb.p99Millis() / pj.p99Millis(), "", null);
    OpenLoopScenario.Result olSb = openLoopAt("Signalbox in Jetty");
    OpenLoopScenario.Result olPj = openLoopAt("PeerJS");
    if (olSb != null && olPj != null && olSb.dropped() + olPj.dropped() == 0) {
      row(out, "relay p99 at " + TARGET_PERCENT + " % of PeerJS's maximum rate (open loop), ms",
          d(olSb.p99Millis()), d(olPj.p99Millis()), olSb.p99Millis() / olPj.p99Millis(), "≤ 1",
          olSb.p99Millis() <= olPj.p99Millis());
    }
    out.append(String.format(Locale.ROOT, "| relay ÷ bare forwarding endpoint%s | %s of %s | | %.0f %% | ≥ 100 %% | %s |%n",
        bound(sb, bare), n(sb.perSecond()), n(bare.perSecond()), 100 * sb.perSecond() / bare.perSecond(),
        met(sb.perSecond() >= bare.perSecond())));
    row(out, "connect and join, clients/s", n(csb.perSecond()), n(cpj.perSecond()),
        csb.perSecond() / cpj.perSecond(), "≥ 1", csb.perSecond() >= cpj.perSecond());
    ConnectionsScenario.Result msb = jetty.memory();
    ConnectionsScenario.Result mpj = peerJsMemory;
    row(out, "RSS per idle connection, KiB", d(msb.rssPerClient() / 1024), d(mpj.rssPerClient() / 1024),
        msb.rssPerClient() / mpj.rssPerClient(), "≤ 1", msb.rssPerClient() <= mpj.rssPerClient());
    row(out, "live heap per idle connection, KiB", d(msb.heapPerClient() / 1024),
        d(mpj.heapPerClient() / 1024), msb.heapPerClient() / mpj.heapPerClient(), "", null);
    row(out, "join storm, ms (median of " + jetty.storm().size() + ")", d(stormSb), d(stormPj),
        stormSb / stormPj, "≤ 1", stormSb <= stormPj);
    out.append(String.format(Locale.ROOT,
        "| relay in the first seconds after start (cold) ÷ warm | %s of %s | %s of %s | | ≥ 50 %% | %s (%.0f %%) |%n",
        n(sb.coldPerSecond()), n(sb.perSecond()), n(pj.coldPerSecond()), n(pj.perSecond()),
        met(sb.coldPerSecond() >= 0.5 * sb.perSecond()), 100 * sb.coldPerSecond() / sb.perSecond()));
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
    if (openLoop != null) {
      out.append('\n').append(openLoopSection());
    }
    if (!http.isEmpty()) {
      out.append('\n').append(httpSection());
    }
    if (cluster != null) {
      out.append('\n').append(clusterSection());
    }
    if (!shards.isEmpty()) {
      out.append('\n').append(shardsSection());
    }
    return out.toString();
  }

  private OpenLoopScenario.Result openLoopAt(String server) {
    if (openLoop == null) {
      return null;
    }
    return openLoop.runs().stream().filter(r -> r.server().equals(server)).findFirst()
        .map(r -> r.at(TARGET_PERCENT)).orElse(null);
  }

  /** The open loop: each server at each share of PeerJS's maximum rate. */
  String openLoopSection() {
    OpenLoop ol = openLoop;
    OpenLoopScenario.Plan plan = ol.plan();
    StringBuilder out = new StringBuilder();
    out.append("### Latency at a fixed offered rate (open loop)").append(quick ? " (quick run: too short to quote)" : "")
        .append("\n\n");
    out.append(String.format(Locale.ROOT, "%d pairs; every peer sends the relay scenario's offer to "
        + "its partner on a fixed schedule, the offered rate spread evenly over peers and time, "
        + "whatever the server does. Latency counts from when a message was due, not from when it "
        + "left (no coordinated omission), over the messages due in the measured phase, late ones "
        + "included. Shares of PeerJS's maximum relay rate, %s messages/s (%s). Each server is a "
        + "new process, warmed once for %d s at the middle share; each share then runs %d s of "
        + "warm-up and %d s measured, on new connections. *Achieved*: messages received per second "
        + "over the measured phase. *Backlog*: sent and not yet received when the last message "
        + "left; *lost*: still not received %d s later. *Send lag*: how late the generator sent "
        + "(p99): above a millisecond, the generator fell behind. The %d %% row is the target: "
        + "Signalbox's p99 ≤ PeerJS's. This part took %.0f s.%n%n",
        plan.pairs(), n(ol.maxRate()), ol.source(), quick ? 1 : 10, plan.warmSeconds(),
        plan.measureSeconds(), plan.drainSeconds(), TARGET_PERCENT, ol.seconds()));
    out.append("| share | offered, messages/s | server | achieved, messages/s | p50 ms | p99 ms | p99.9 ms | max ms | p99 ÷ PeerJS's | backlog | lost | send lag p99, ms | generator CPU | server CPU | others' CPU |\n");
    out.append("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    List<Integer> percents = ol.runs().get(0).percents();
    OpenLoopRun peerJs = ol.runs().stream().filter(r -> r.server().equals("PeerJS")).findFirst()
        .orElse(null);
    for (int percent : percents) {
      OpenLoopScenario.Result base = peerJs == null ? null : peerJs.at(percent);
      for (OpenLoopRun run : ol.runs()) {
        OpenLoopScenario.Result r = run.at(percent);
        boolean target = percent == TARGET_PERCENT && base != null && r != base;
        String ratio = base == null || base.dropped() > 0 ? "" : String.format(Locale.ROOT, "%.2f", r.p99Millis() / base.p99Millis());
        if (target) {
          ratio = ratio + (r.p99Millis() <= base.p99Millis() ? " (target met)" : " (**target not met**)");
        }
        if (r.dropped() > 0) {
          // The scenario stops sending when the server drops a connection: no measured phase.
          out.append(String.format(Locale.ROOT, "| %d %% | %s | %s | %d connection(s) dropped: "
              + "stopped, not measured | | | | | | | | | | | |%n", percent, n(r.offered()),
              r.server(), r.dropped()));
          continue;
        }
        out.append(String.format(Locale.ROOT,
            "| %d %% | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %.0f %% | %.0f %% | %.0f %% |%n",
            percent, n(r.offered()), r.server(), n(r.achieved()), d(r.p50Millis()), d(r.p99Millis()),
            d(r.p999Millis()), d(r.maxMillis()), ratio, r.backlog(), r.lost(),
            d(r.sendLagP99Millis()), 100 * r.generatorCpu(), 100 * r.serverCpu(), 100 * r.otherCpu()));
      }
    }
    StringBuilder problems = new StringBuilder();
    for (OpenLoopRun run : ol.runs()) {
      for (OpenLoopScenario.Result r : run.results()) {
        if (r.outOfOrder() + r.errors() + r.dropped() > 0) {
          problems.append(String.format(Locale.ROOT, " %s at %s messages/s: %d out of order, %d "
              + "errors, %d dropped.", r.server(), n(r.offered()), r.outOfOrder(), r.errors(), r.dropped()));
        }
      }
    }
    out.append(problems.length() == 0 ? "\nNo message out of order, no error frame, no connection dropped.\n"
        : "\nProblems:" + problems + "\n");
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

  /**
   * The shards scenario: two nodes on a Redis Cluster of one master and of three; the cross-node
   * relay shard by shard, the periodic work and each operation's Redis cost.
   */
  String shardsSection() {
    ShardsScenario.Result first = shards.get(0);
    RelayScenario.Plan plan = first.plan();
    StringBuilder out = new StringBuilder();
    out.append("### Redis Cluster: two nodes on 1 and on 3 shards")
        .append(quick ? " (quick run: too short to quote)" : "").append("\n\n");
    out.append(String.format(Locale.ROOT, "Two Signalbox nodes (the WAR in Jetty, the relay's "
        + "settings) with `redisUrl` `redis-cluster://` on a Redis Cluster %s of one master (all "
        + "16384 slots) and then of three (5461, 5461 and 5462 slots), no replicas, no persistence. "
        + "Signalbox spreads rooms over 256 partitions (`{0}`..`{255}`). **Placement: node A on core "
        + "0, node B on core 1; every Redis process and the load generator on either core (`taskset "
        + "-c 0,1`), the same for one shard and three**, so the shards compete for the same two "
        + "cores and the figure that carries over to other machines is each shard's CPU per relay "
        + "(user + system time from `/proc/<pid>/stat`). The cross-node relay: the cluster "
        + "scenario's shape (%d pairs, each a room of its own, each pair split over A and B, %d "
        + "messages in flight per client, a %d-byte frame, %d s of warm-up, %d s measured); every "
        + "relay is one script on the shard of its room. A shard's *relays* are the scripts it ran "
        + "less the periodic ones it runs idle in as long; its *CPU per relay* is its CPU over the measured seconds less "
        + "what it spends idle with the nodes connected in as long (below), divided by its relays; "
        + "its *ceiling* is 1 s of CPU divided by its CPU per relay: the relays per second it carries at 100 %% of one core.%n%n",
        first.redisVersion(), plan.pairs(), plan.inFlight(), first.relay().result().frameBytes(),
        plan.coldSeconds() + plan.warmSeconds(), plan.measureSeconds()));
    out.append("| Redis Cluster | messages/s | p50 ms | p99 ms | max ms | lost | out of order | errors | node A CPU | node B CPU | nodes, µs per message | Redis CPU, all shards | Redis, µs per relay | generator | other processes |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ShardsScenario.Result s : shards) {
      ShardsScenario.Relay relay = s.relay();
      RelayScenario.Result r = relay.result();
      out.append(String.format(Locale.ROOT,
          "| %d shard%s%s | %s | %s | %s | %s | %d | %d | %d | %.0f %% | %.0f %% | %s | %.0f %% | %s | %.0f %% | %.0f %% |%n",
          s.shardCount(), s.shardCount() == 1 ? "" : "s",
          r.generatorCpu() >= GENERATOR_BOUND ? " (generator near a core: a lower bound)" : "",
          n(r.perSecond()), d(r.p50Millis()), d(r.p99Millis()), d(r.maxMillis()), r.lost(),
          r.outOfOrder(), r.errors(), 100 * relay.nodeACpu(), 100 * relay.nodeBCpu(),
          d(relay.nodeNanos() / 1e3 / relay.messages()), 100 * relay.redisShare(),
          d(relay.redisNanos() / 1e3 / relay.messages()), 100 * r.generatorCpu(),
          // The relay's "others" is everything but the generator and node A.
          100 * Math.max(0, r.otherCpu() - relay.nodeBCpu() - relay.redisShare())));
    }
    out.append("\n| shards | shard | partitions | relay rooms | CPU | scripts | relays | CPU µs per relay | ceiling, relays/s at one core |\n");
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ShardsScenario.Result s : shards) {
      for (int i = 0; i < s.relay().shards().size(); i++) {
        ShardsScenario.ShardLoad load = s.relay().shards().get(i);
        boolean relays = load.rooms() > 0 && load.relays() > 0;
        out.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %.0f %% | %,d | %,d | %s | %s |%n",
            s.shardCount(), i + 1, load.partitions(), load.rooms(), 100 * load.share(),
            load.scripts(), load.relays(), relays ? d(load.microsPerRelay()) : "—",
            relays ? n(load.ceiling()) : "—"));
      }
    }
    out.append("\n**Periodic work** (no client): the cluster alone, then with both nodes connected, "
        + "each over the same seconds; the nodes' commands from `INFO commandstats` (the bench's "
        + "own `INFO` left out), per node.\n\n");
    out.append("| shards | Redis CPU, cluster alone | with two idle nodes | per idle node | scripts/s per node | commands/s per node, by name |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | --- |\n");
    for (ShardsScenario.Result s : shards) {
      ShardsScenario.Idle idle = s.nodes();
      double seconds = idle.wallNanos() / 1e9;
      StringBuilder names = new StringBuilder();
      idle.total().values().stream()
          .sorted(Comparator.comparingLong(ShardsScenario.Stat::calls).reversed())
          .forEach(c -> names.append(names.length() == 0 ? "" : ", ").append(c.name()).append(' ')
              .append(d(c.calls() / seconds / 2)));
      out.append(String.format(Locale.ROOT, "| %d | %.1f %% | %.1f %% | %.1f %% | %s | %s |%n",
          s.shardCount(), 100 * s.bare().totalShare(), 100 * idle.totalShare(),
          100 * (idle.totalShare() - s.bare().totalShare()) / 2,
          n((idle.perSecond("evalsha") + idle.perSecond("eval")) / 2), names));
    }
    out.append("\nThe same periodic work by script, from Redis's slow log with every command "
        + "recorded (`slowlog-log-slower-than 0`; µs: Redis's own time executing the command):\n\n");
    out.append("| shards | command or script | calls/s per node | µs per call, mean | median | µs/s per node |\n");
    out.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
    for (ShardsScenario.Result s : shards) {
      ShardsScenario.Operation bg = s.background();
      double seconds = bg.wallNanos() / 1e9;
      for (ShardsScenario.Stat c : bg.commands().values()) {
        out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", s.shardCount(),
            c.name(), d(c.calls() / seconds / 2), d(c.microsPerCall()), d(c.medianMicros()),
            d(c.micros() / seconds / 2)));
      }
    }
    out.append(String.format(Locale.ROOT, "%n**Each operation's Redis cost**: %,d clients in "
        + "rooms of 4 (two on each node) join, then drop their connections without a close "
        + "(each one's grace begins: the `lose` script), resume with their token, and leave, one "
        + "phase after the other, with the slow log recording every command. Per operation: the "
        + "commands and scripts it caused (calls per operation at the median call's µs by Redis's clock, and the mean: Redis times a call by the wall clock, so a shard that waits for a core meanwhile inflates it, the mean more than the median; the periodic "
        + "work's calls at its rate subtracted, and its scripts, `ZRANGEBYSCORE` and `TIME` left out), Redis's own µs for them, and every shard's process "
        + "CPU over the phase less the idle rate, with the slow log on (its own bookkeeping "
        + "included: it also logs each command a script runs) and, in the same phases run just "
        + "before with other rooms, with it off: the figure to plan with, network included.%n%n", first.operations().get(0).operations()));
    out.append("| shards | operation | operations | phase s | commands per operation | Redis µs per operation (commands, at their median) | Redis CPU µs per operation (process, slow log on) | Redis CPU µs per operation (process, slow log off) | note |\n");
    out.append("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |\n");
    for (ShardsScenario.Result s : shards) {
      ShardsScenario.Operation bg = s.background();
      for (int k = 0; k < s.operations().size(); k++) {
        ShardsScenario.Operation op = s.operations().get(k);
        ShardsScenario.Operation plain = s.plainOperations().get(k);
        StringBuilder list = new StringBuilder();
        double micros = 0;
        for (ShardsScenario.Stat c : op.commands().values()) {
          ShardsScenario.Stat periodic = bg.commands().get(c.name());
          double expected = periodic == null ? 0
              : periodic.calls() * (op.wallNanos() / (double) bg.wallNanos());
          double calls = (c.calls() - expected) / op.operations();
          if (calls < 0.05 || PERIODIC.contains(c.name())) {
            continue;
          }
          micros += calls * c.medianMicros();
          list.append(list.length() == 0 ? "" : ", ").append(c.name()).append(" ×")
              .append(String.format(Locale.ROOT, "%.2f", calls)).append(" @ ")
              .append(d(c.medianMicros())).append(" (mean ").append(d(c.microsPerCall()))
              .append(") µs");
        }
        String check = (op.check() + " " + plain.check()).trim();
        out.append(String.format(Locale.ROOT, "| %d | %s | %,d | %s | %s | %s | %s | %s | %s |%n",
            s.shardCount(), op.name(), op.operations(), d(op.wallNanos() / 1e9), list, d(micros),
            d(op.redisMicrosPerOperation()), d(plain.redisMicrosPerOperation()), check));
      }
    }
    out.append(String.format(Locale.ROOT, "%nFor comparison, a cross-node relay: %s µs of Redis CPU "
        + "(all shards' process CPU per relay, above).%n", shards.stream()
        .map(s -> d(s.relay().redisNanos() / 1e3 / s.relay().messages()) + " on " + s.shardCount())
        .reduce((x, y) -> x + ", " + y).orElse("")));
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
