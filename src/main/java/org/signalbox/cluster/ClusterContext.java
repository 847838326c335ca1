package org.signalbox.cluster;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.signalbox.config.Settings;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.room.Ids;

/**
 * What a cluster membership needs of its node, handed over by the composition root.
 *
 * @param metrics the node's registry, where the cluster's own metrics go
 * @param timers the node's timer thread: short tasks only
 * @param blocking the node's executor for calls that may block
 * @param closeAllGoingAway closes every connection of the node with 1001, with the reason given,
 *     without changing any membership (the node lost its cluster store)
 */
public record ClusterContext(
    Settings settings,
    OutboundCodec codec,
    PrometheusRegistry metrics,
    ScheduledExecutorService timers,
    ExecutorService blocking,
    Ids ids,
    Consumer<String> closeAllGoingAway) {}
