package org.signalbox.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * What one node counts, in its own Prometheus registry (served at {@code /metrics}): so that two
 * Signalbox deployments in one server never mix their numbers. Counters are updated on the
 * message path (each update is a lock-free add); gauges are read only when scraped. Counters
 * keep no exemplars: sampling them starts a library thread that outlives an undeploy (Tomcat
 * reported the leak), and there are no traces to link them to.
 */
public final class NodeMetrics {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  /** The bindings' names, as the transport label spells them. */
  private static final List<String> TRANSPORTS = List.of("websocket", "http");

  private final ToIntFunction<String> connectionsOver;
  private final Counter messagesIn;
  private final Counter messagesOut;
  private final Counter errors;
  private final Counter closes;
  private final Counter resumes;
  private final Counter rateLimited;
  private final Counter writeBatchedFrames;
  /**
   * The data point of each type seen, by the type string: looking it up by label values allocates
   * a label list and hashes it on every frame; these lookups are one map read.
   */
  private final ConcurrentHashMap<String, CounterDataPoint> in = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CounterDataPoint> out = new ConcurrentHashMap<>();

  /**
   * @param connections open sockets of this node
   * @param rooms rooms with at least one member on this node
   * @param peers members of those rooms, those in their resume grace included
   * @param outboxDepth frames accepted for all connections and not yet written
   * @param outboxBytes UTF-8 bytes of those frames
   * @param bufferedBytes UTF-8 bytes held on this node for peers in their resume grace
   * @param connectionsOver open connections over the binding of that name ({@code websocket},
   *     {@code http})
   */
  public NodeMetrics(
      IntSupplier connections, IntSupplier rooms, IntSupplier peers, LongSupplier outboxDepth,
      LongSupplier outboxBytes, LongSupplier bufferedBytes,
      ToIntFunction<String> connectionsOver) {
    this.connectionsOver = connectionsOver;
    messagesIn = Counter.builder().name("signalbox_messages_in")
        .help("Frames received from clients, by type (rate-limited and malformed ones included)")
        .labelNames("type").withoutExemplars().register(registry);
    messagesOut = Counter.builder().name("signalbox_messages_out")
        .help("Frames queued to clients, by type").labelNames("type").withoutExemplars().register(registry);
    errors = Counter.builder().name("signalbox_errors")
        .help("error frames sent to clients, by code").labelNames("code").withoutExemplars().register(registry);
    closes = Counter.builder().name("signalbox_closes")
        .help("Closed connections, by WebSocket close code").labelNames("code").withoutExemplars().register(registry);
    resumes = Counter.builder().name("signalbox_resumes")
        .help("Joins that resumed a peer in its grace").withoutExemplars().register(registry);
    rateLimited = Counter.builder().name("signalbox_rate_limited")
        .help("Frames dropped by the per-connection rate limit").withoutExemplars().register(registry);
    writeBatchedFrames = Counter.builder().name("signalbox_write_batched_frames")
        .help("Frames written to a socket in batch mode: a backlog gathered into few writes")
        .withoutExemplars().register(registry);
    GaugeWithCallback.builder().name("signalbox_connections")
        .help("Open connections, WebSocket and HTTP sessions")
        .callback(cb -> cb.call(connections.getAsInt())).register(registry);
    GaugeWithCallback.builder().name("signalbox_connections_by_transport")
        .help("Open connections by binding: websocket or http").labelNames("transport")
        .callback(cb -> {
          for (String transport : TRANSPORTS) {
            cb.call(connectionsOver.applyAsInt(transport), transport);
          }
        }).register(registry);
    GaugeWithCallback.builder().name("signalbox_rooms").help("Rooms with members")
        .callback(cb -> cb.call(rooms.getAsInt())).register(registry);
    GaugeWithCallback.builder().name("signalbox_peers")
        .help("Members of rooms, peers in their resume grace included")
        .callback(cb -> cb.call(peers.getAsInt())).register(registry);
    GaugeWithCallback.builder().name("signalbox_outbox_depth")
        .help("Frames accepted for all connections and not yet written")
        .callback(cb -> cb.call(outboxDepth.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("signalbox_outbox_bytes")
        .help("UTF-8 bytes of the frames accepted for all connections and not yet written")
        .callback(cb -> cb.call(outboxBytes.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("signalbox_resume_buffer_bytes")
        .help("UTF-8 bytes held on this node for peers in their resume grace")
        .callback(cb -> cb.call(bufferedBytes.getAsLong())).register(registry);
  }

  /** The value of {@code signalbox_connections_by_transport} for {@code transport}. */
  public double connectionsOver(String transport) {
    return connectionsOver.applyAsInt(transport);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Counts a client frame; {@code type} is one of a few names, never client text. */
  public void received(String type) {
    dataPoint(in, messagesIn, type).inc();
  }

  /** Counts a frame queued to a client; {@code type} is one of a few names, never client text. */
  public void queued(String type) {
    dataPoint(out, messagesOut, type).inc();
  }

  // A plain read first: a bound method reference given to computeIfAbsent is a new object per call.
  private static CounterDataPoint dataPoint(
      ConcurrentHashMap<String, CounterDataPoint> points, Counter counter, String type) {
    CounterDataPoint point = points.get(type);
    return point != null ? point : points.computeIfAbsent(type, counter::labelValues);
  }

  public void error(String code) {
    errors.labelValues(code).inc();
  }

  /**
   * Counts a close by its code. A client may close with any code of 3000–4999, so those are
   * counted in two buckets: a label per client-chosen value would let one client grow the
   * registry without bound.
   */
  public void closed(int code) {
    closes.labelValues(closeLabel(code)).inc();
  }

  static String closeLabel(int code) {
    if (code >= 1000 && code <= 1015) {
      return Integer.toString(code);
    } else if (code >= 3000 && code <= 3999) {
      return "3000-3999";
    } else if (code >= 4000 && code <= 4999) {
      return "4000-4999";
    }
    return "other";
  }

  public void resumed() {
    resumes.inc();
  }

  public void rateLimited() {
    rateLimited.inc();
  }

  /** A frame went to a socket in batch mode (counted before it can reach the client). */
  public void frameBatched() {
    writeBatchedFrames.inc();
  }
}
