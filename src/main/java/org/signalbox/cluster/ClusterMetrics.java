package org.signalbox.cluster;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;

/** What the cluster path counts, in the node's registry beside the node's own metrics. */
final class ClusterMetrics {

  private final CounterDataPoint relays;
  private final CounterDataPoint broadcasts;
  private final CounterDataPoint membership;
  private final Counter deliveries;
  private final CounterDataPoint delivered;
  private final CounterDataPoint missed;
  private final Counter reconnects;
  private final Counter failures;
  private final Histogram roundTrip;
  private final CounterDataPoint refusedConnection;
  private final CounterDataPoint refusedNode;
  private final Counter late;

  ClusterMetrics(PrometheusRegistry registry, BooleanSupplier available, InFlight inFlight) {
    Counter publishes = Counter.builder().name("signalbox_cluster_publishes")
        .help("Scripts this node ran in Redis that publish to other nodes, by kind")
        .labelNames("kind").withoutExemplars().register(registry);
    relays = publishes.labelValues("relay");
    broadcasts = publishes.labelValues("broadcast");
    membership = publishes.labelValues("membership");
    deliveries = Counter.builder().name("signalbox_cluster_deliveries")
        .help("Relays that reached this node through Redis: queued to a local peer, or missed"
            + " because that peer's connection had already ended here")
        .labelNames("outcome").withoutExemplars().register(registry);
    delivered = deliveries.labelValues("queued");
    missed = deliveries.labelValues("missed");
    reconnects = Counter.builder().name("signalbox_cluster_reconnects")
        .help("Sessions with Redis begun again after one was lost").withoutExemplars()
        .register(registry);
    failures = Counter.builder().name("signalbox_cluster_command_failures")
        .help("Redis commands that failed or timed out").withoutExemplars().register(registry);
    roundTrip = Histogram.builder().name("signalbox_cluster_redis_rtt_seconds")
        .help("Round trip of the node's liveness refresh to Redis, once a second")
        .classicOnly()
        .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2)
        .withoutExemplars().register(registry);
    Counter refused = Counter.builder().name("signalbox_cluster_relays_refused")
        .help("Relays not issued to Redis because too many were in flight: over the sender's"
            + " own share (answered rate-limited) or the node's (answered undeliverable)")
        .labelNames("bound").withoutExemplars().register(registry);
    refusedConnection = refused.labelValues("connection");
    refusedNode = refused.labelValues("node");
    late = Counter.builder().name("signalbox_cluster_relays_late")
        .help("Relays Redis ran after their deadline: dropped, answered undeliverable")
        .withoutExemplars().register(registry);
    GaugeWithCallback.builder().name("signalbox_cluster_in_flight")
        .help("Relays issued to Redis and not yet answered, in commands and in UTF-8 bytes")
        .labelNames("unit")
        .callback(cb -> {
          cb.call(inFlight.count(), "commands");
          cb.call(inFlight.bytes(), "bytes");
        }).register(registry);
    GaugeWithCallback.builder().name("signalbox_cluster_in_flight_peak")
        .help("The most relays in flight to Redis at once since the node started")
        .labelNames("unit")
        .callback(cb -> {
          cb.call(inFlight.peakCount(), "commands");
          cb.call(inFlight.peakBytes(), "bytes");
        }).register(registry);
    GaugeWithCallback.builder().name("signalbox_cluster_available")
        .help("1 while the node has a session with Redis and serves, else 0")
        .callback(cb -> cb.call(available.getAsBoolean() ? 1 : 0)).register(registry);
  }

  void relayed() {
    relays.inc();
  }

  void broadcast() {
    broadcasts.inc();
  }

  void membershipChanged() {
    membership.inc();
  }

  void delivered() {
    delivered.inc();
  }

  void missed() {
    missed.inc();
  }

  void reconnected() {
    reconnects.inc();
  }

  void failed() {
    failures.inc();
  }

  void refused(InFlight.Refusal bound) {
    (bound == InFlight.Refusal.CONNECTION ? refusedConnection : refusedNode).inc();
  }

  void late() {
    late.inc();
  }

  void roundTrip(long nanos) {
    roundTrip.observe(nanos / 1e9);
  }
}
