package org.signalbox.bench.jmh;

import jakarta.json.spi.JsonProvider;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.signalbox.protocol.Envelope;
import org.signalbox.protocol.InboundCodec;
import org.signalbox.protocol.ProtocolException;

/**
 * The decode step of {@code Connection.onText}: {@link InboundCodec#decode} turns a text frame
 * into a checked {@link Envelope}: the top-level fields as values, {@code data} walked by the
 * parser (so its grammar is checked) and kept as the sender's text.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class DecodeBenchmark {

  private InboundCodec codec;

  @Setup
  public void setUp() {
    // As Signalbox does: one provider, looked up once; the codec keeps one parser factory.
    codec = new InboundCodec(JsonProvider.provider());
  }

  @Benchmark
  public Envelope offer() throws ProtocolException {
    return codec.decode(Frames.OFFER);
  }

  @Benchmark
  public Envelope candidate() throws ProtocolException {
    return codec.decode(Frames.CANDIDATE);
  }

  @Benchmark
  public Envelope join() throws ProtocolException {
    return codec.decode(Frames.JOIN);
  }
}
