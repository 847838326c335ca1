package org.signalbox.events;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.signalbox.spi.RoomEvent;
import org.signalbox.spi.RoomListener;

/**
 * Counts room events by type ({@code signalbox_room_events_total}). Fed by the event pump, so in
 * a cluster each event is counted once, by the node that handed it to the listeners: the sum over
 * the nodes is the cluster's count.
 */
public final class RoomEventMetrics implements RoomListener {

  private final Counter events;

  public RoomEventMetrics(PrometheusRegistry registry) {
    events = Counter.builder().name("signalbox_room_events")
        .help("Room events (PORTAL.md), by type, counted once per cluster by the node that"
            + " handed them to the listeners")
        .labelNames("type").withoutExemplars().register(registry);
  }

  @Override
  public void onEvent(RoomEvent event) {
    events.labelValues(event.type()).inc();
  }
}
