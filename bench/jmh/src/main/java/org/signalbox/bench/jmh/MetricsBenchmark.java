package org.signalbox.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.signalbox.metrics.NodeMetrics;

/**
 * The bookkeeping every frame pays twice on its way through: {@link NodeMetrics#received} when a
 * frame is decoded and {@link NodeMetrics#queued} (same code, another counter) for each frame put
 * in an outbox. Both find the labelled counter's data point by its type (one map read) before
 * adding one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class MetricsBenchmark {

  private final NodeMetrics metrics = new NodeMetrics(() -> 0, () -> 0, () -> 0, () -> 0L, () -> 0L, () -> 0L,
      transport -> 0);

  @Benchmark
  public void received() {
    metrics.received("signal");
  }
}
