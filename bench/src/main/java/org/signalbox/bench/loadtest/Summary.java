package org.signalbox.bench.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The end of a run (or of the part that ran before Ctrl-C): what was asked, what happened, and
 * the faults that make the exit status 1. Latencies are in milliseconds, from microsecond
 * histograms.
 */
record Summary(
    Options options,
    int joinedAtRampUp,
    double warmupSeconds,
    double rampUpSeconds,
    double measuredSeconds,
    long sent,
    long received,
    long receivedInWindow,
    long refused,
    long lost,
    long duplicates,
    long outOfOrder,
    long backlogDropped,
    long noTarget,
    long joins,
    long rejoins,
    Map<Stats.Latency, Histogram> latencies,
    Map<String, Stats.Error> errors,
    Map<String, Stats.Error> expectedErrors,
    Map<String, Long> failures,
    Map<String, Long> closesOurs,
    Map<String, Long> closesTheirs,
    double cpuOfOneCore,
    int cores,
    boolean interrupted) {

  /** Why the run failed; empty when it passed. */
  List<String> faults() {
    List<String> out = new ArrayList<>();
    if (interrupted) {
      out.add("interrupted before the end");
    }
    if (joinedAtRampUp < options.totalPeers()) {
      out.add(joinedAtRampUp + " of " + options.totalPeers() + " peers joined");
    }
    if (lost > 0) {
      out.add(lost + " relay messages lost");
    }
    if (duplicates > 0) {
      out.add(duplicates + " relay messages duplicated");
    }
    if (outOfOrder > 0) {
      out.add(outOfOrder + " relay messages out of order");
    }
    if (backlogDropped > 0) {
      out.add(backlogDropped + " relay messages not sent: the generator's queue was full");
    }
    errors.forEach((code, e) -> out.add("server error " + code + " x" + e.count()
        + (e.firstMessage().isEmpty() ? "" : " (" + e.firstMessage() + ")")));
    failures.forEach((what, n) -> out.add(what + " x" + n));
    closesTheirs.forEach((code, n) -> out.add("closed by the server with " + code + " x" + n));
    return out;
  }

  String text() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "Signalbox load test: %s, %d rooms x %d peers, %s relay msgs/s, %s s measured, %d-byte"
            + " payloads, %s joins/s churn%n",
        options.url(), options.rooms(), options.peers(), num(options.rate()),
        num(measuredSeconds), options.size(), num(options.joins())));
    out.append(String.format(Locale.ROOT, "  peers joined     %d of %d at the end of ramp-up (%.1f s);"
        + " %d joins in all, %d re-joins (churn)%n",
        joinedAtRampUp, options.totalPeers(), rampUpSeconds, joins, rejoins));
    out.append(String.format(Locale.ROOT, "  warm-up          %s s unmeasured (throwaway connections"
        + " joining and relaying)%n", num(warmupSeconds)));
    out.append("  handshake        ").append(latencies(Stats.Latency.HANDSHAKE))
        .append("  (TCP connect + WebSocket upgrade)\n");
    out.append("  welcome          ").append(latencies(Stats.Latency.WELCOME))
        .append("  (upgrade to welcome)\n");
    out.append("  join             ").append(latencies(Stats.Latency.JOIN))
        .append("  (join sent to joined)\n");
    out.append("  connect+join     ").append(latencies(Stats.Latency.CONNECT_JOIN)).append('\n');
    out.append(String.format(Locale.ROOT, "  relay            sent %d, received %d (%.1f msgs/s received"
        + " while measured), refused by the server %d%n",
        sent, received, receivedRate(), refused));
    out.append("  relay latency    ").append(latencies(Stats.Latency.RELAY)).append('\n');
    out.append(String.format(Locale.ROOT,
        "  delivery         lost %d, duplicated %d, out of order %d, not sent (generator queue full)"
            + " %d, no target (peer alone) %d%n",
        lost, duplicates, outOfOrder, backlogDropped, noTarget));
    out.append("  server errors    ").append(errorText(errors))
        .append(expectedErrors.isEmpty() ? "" : "; expected with churn: " + errorText(expectedErrors))
        .append('\n');
    out.append("  closes           by the load test: ").append(countText(closesOurs))
        .append("; by the server: ").append(countText(closesTheirs)).append('\n');
    out.append("  failures         ").append(countText(failures)).append('\n');
    out.append(String.format(Locale.ROOT,
        "  generator CPU    %.0f%% of one core (%.0f%% of %d cores)%s%n",
        cpuOfOneCore * 100, cpuOfOneCore * 100 / cores, cores,
        cpuOfOneCore / cores > 0.8 ? ": the generator may be the bottleneck, run it on a bigger"
            + " machine or several" : ""));
    List<String> faults = faults();
    out.append("  result           ").append(faults.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", faults))
        .append('\n');
    return out.toString();
  }

  String json() {
    StringBuilder out = new StringBuilder("{");
    field(out, "url", Json.quote(options.url().toString()));
    field(out, "rooms", options.rooms());
    field(out, "peersPerRoom", options.peers());
    field(out, "peersAsked", options.totalPeers());
    field(out, "rate", num(options.rate()));
    field(out, "joinsPerSecond", num(options.joins()));
    field(out, "payloadBytes", options.size());
    field(out, "peersJoined", joinedAtRampUp);
    field(out, "warmupSeconds", num(warmupSeconds));
    field(out, "rampUpSeconds", num(rampUpSeconds));
    field(out, "measuredSeconds", num(measuredSeconds));
    field(out, "joins", joins);
    field(out, "rejoins", rejoins);
    field(out, "handshakeLatencyMs", latencyJson(latencies.get(Stats.Latency.HANDSHAKE)));
    field(out, "welcomeLatencyMs", latencyJson(latencies.get(Stats.Latency.WELCOME)));
    field(out, "joinLatencyMs", latencyJson(latencies.get(Stats.Latency.JOIN)));
    field(out, "connectJoinLatencyMs", latencyJson(latencies.get(Stats.Latency.CONNECT_JOIN)));
    field(out, "sent", sent);
    field(out, "received", received);
    field(out, "receivedPerSecond", num(receivedRate()));
    field(out, "refused", refused);
    field(out, "lost", lost);
    field(out, "duplicated", duplicates);
    field(out, "outOfOrder", outOfOrder);
    field(out, "notSent", backlogDropped);
    field(out, "noTarget", noTarget);
    field(out, "relayLatencyMs", latencyJson(latencies.get(Stats.Latency.RELAY)));
    field(out, "errors", errorJson(errors));
    field(out, "expectedErrors", errorJson(expectedErrors));
    field(out, "failures", countJson(failures));
    field(out, "closesByLoadTest", countJson(closesOurs));
    field(out, "closesByServer", countJson(closesTheirs));
    field(out, "generatorCpuOfOneCore", num(cpuOfOneCore));
    field(out, "cores", cores);
    field(out, "interrupted", interrupted);
    List<String> faults = faults();
    field(out, "passed", faults.isEmpty());
    StringBuilder list = new StringBuilder("[");
    for (String f : faults) {
      list.append(list.length() > 1 ? "," : "").append(Json.quote(f));
    }
    field(out, "faults", list.append(']'));
    out.setLength(out.length() - 1);
    return out.append('}').toString();
  }

  private double receivedRate() {
    return measuredSeconds > 0 ? receivedInWindow / measuredSeconds : 0;
  }

  private String latencies(Stats.Latency which) {
    return latencies(latencies.get(which));
  }

  private static String latencies(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "none measured";
    }
    return String.format(Locale.ROOT, "p50 %s ms, p99 %s ms, max %s ms (n=%d)",
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()),
        h.getTotalCount());
  }

  private static String latencyJson(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "null";
    }
    return "{\"p50\":" + ms(h.getValueAtPercentile(50)) + ",\"p99\":" + ms(h.getValueAtPercentile(99))
        + ",\"max\":" + ms(h.getMaxValue()) + ",\"count\":" + h.getTotalCount() + "}";
  }

  static String ms(long micros) {
    return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String errorText(Map<String, Stats.Error> errors) {
    if (errors.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    errors.forEach((code, e) -> out.append(out.length() > 0 ? ", " : "").append(code).append(" x")
        .append(e.count()).append(e.firstMessage().isEmpty() ? "" : " (" + e.firstMessage() + ")"));
    return out.toString();
  }

  private static String countText(Map<String, Long> counts) {
    if (counts.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    counts.forEach((k, n) -> out.append(out.length() > 0 ? ", " : "").append(k).append(" x").append(n));
    return out.toString();
  }

  private static String errorJson(Map<String, Stats.Error> errors) {
    StringBuilder out = new StringBuilder("{");
    errors.forEach((code, e) -> out.append(out.length() > 1 ? "," : "").append(Json.quote(code))
        .append(":{\"count\":").append(e.count()).append(",\"message\":")
        .append(Json.quote(e.firstMessage())).append('}'));
    return out.append('}').toString();
  }

  private static String countJson(Map<String, Long> counts) {
    StringBuilder out = new StringBuilder("{");
    counts.forEach((k, n) -> out.append(out.length() > 1 ? "," : "").append(Json.quote(k))
        .append(':').append(n));
    return out.append('}').toString();
  }

  private static void field(StringBuilder out, String name, Object value) {
    out.append(Json.quote(name)).append(':').append(value).append(',');
  }
}
