package org.signalbox.bench.loadtest;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Every count and latency of one run, written by the peers' callbacks on the HTTP client's
 * threads and read by the progress line and the summary. Latencies are recorded in microseconds;
 * the recorders hand out per-second intervals, which {@link #interval} folds into the totals.
 */
final class Stats {

  /** An error frame's code, with the first message the server gave for it. */
  record Error(long count, String firstMessage) {}

  /**
   * What is timed. A join is timed in phases so the server's part can be told from the
   * generator's and the network's: the WebSocket handshake (TCP connect and HTTP upgrade, from
   * the builder's call to onOpen), the welcome (onOpen to the welcome frame), and the join (the
   * moment the join frame is handed to the socket to the joined frame); CONNECT_JOIN is the whole.
   */
  enum Latency { RELAY, HANDSHAKE, WELCOME, JOIN, CONNECT_JOIN }

  private final Map<Latency, Recorder> recorders = new EnumMap<>(Latency.class);
  private final Map<Latency, Histogram> totals = new EnumMap<>(Latency.class);
  private final Map<Latency, Histogram> scratch = new EnumMap<>(Latency.class);

  final LongAdder sent = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder outOfOrder = new LongAdder();
  final LongAdder backlogDropped = new LongAdder();
  final LongAdder noTarget = new LongAdder();
  final LongAdder joins = new LongAdder();
  final LongAdder rejoins = new LongAdder();
  final LongAdder unexpected = new LongAdder();
  final AtomicInteger joinedNow = new AtomicInteger();

  private final Map<String, RelayPair> pairs = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorCounts = new ConcurrentHashMap<>();
  private final Map<String, String> errorMessages = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> expectedErrors = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> closesOurs = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> closesTheirs = new ConcurrentHashMap<>();

  RelayPair pair(String from, String to) {
    return pairs.computeIfAbsent(from + ">" + to, k -> new RelayPair());
  }

  /** Messages sent and neither received nor refused. */
  long missing() {
    long sum = 0;
    for (RelayPair p : pairs.values()) {
      sum += p.missing();
    }
    return sum;
  }

  Stats() {
    for (Latency l : Latency.values()) {
      recorders.put(l, new Recorder(3));
      totals.put(l, new Histogram(3));
    }
  }

  void latency(Latency which, long micros) {
    recorders.get(which).recordValue(Math.max(0, micros));
  }

  /** An error frame; {@code expected} ones (churn) do not fail the run. */
  void error(String code, String message, boolean expected) {
    (expected ? expectedErrors : errorCounts).computeIfAbsent(code, k -> new LongAdder()).increment();
    errorMessages.putIfAbsent(code, message == null ? "" : message);
    if (!expected) {
      unexpected.increment();
    }
  }

  /** A failed handshake, connection or token: always unexpected. */
  void failure(String what) {
    failures.computeIfAbsent(what, k -> new LongAdder()).increment();
    unexpected.increment();
  }

  void closed(int code, boolean ours) {
    (ours ? closesOurs : closesTheirs).computeIfAbsent(Integer.toString(code), k -> new LongAdder())
        .increment();
    if (!ours) {
      unexpected.increment();
    }
  }

  long errorsSoFar() {
    return unexpected.sum();
  }

  /** The relay latencies since the last call (folded into the total), for the progress line. */
  synchronized Histogram interval() {
    for (Latency l : Latency.values()) {
      Histogram h = recorders.get(l).getIntervalHistogram(scratch.get(l));
      scratch.put(l, h);
      totals.get(l).add(h);
    }
    return scratch.get(Latency.RELAY);
  }

  /** Copies of the totals, after folding in what is still in the recorders. */
  synchronized Map<Latency, Histogram> totals() {
    interval();
    Map<Latency, Histogram> out = new EnumMap<>(Latency.class);
    totals.forEach((l, h) -> out.put(l, h.copy()));
    return out;
  }

  Map<String, Error> errors() {
    return withMessages(errorCounts);
  }

  Map<String, Error> expectedErrors() {
    return withMessages(expectedErrors);
  }

  Map<String, Long> failures() {
    return counts(failures);
  }

  Map<String, Long> closesOurs() {
    return counts(closesOurs);
  }

  Map<String, Long> closesTheirs() {
    return counts(closesTheirs);
  }

  private Map<String, Error> withMessages(Map<String, LongAdder> source) {
    Map<String, Error> out = new TreeMap<>();
    source.forEach((k, v) -> out.put(k, new Error(v.sum(), errorMessages.getOrDefault(k, ""))));
    return out;
  }

  private static Map<String, Long> counts(Map<String, LongAdder> source) {
    Map<String, Long> out = new TreeMap<>();
    source.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
