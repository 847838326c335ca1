package org.signalbox.bench.jmh;

import jakarta.json.spi.JsonProvider;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.InboundCodec;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.protocol.PeerInfo;

/**
 * The frame-building step of a relay, as {@code Connection.signal} does it: a {@link
 * Outbound.SignalRelay} of the sender's id and the decoded {@code data}, written by {@link
 * OutboundCodec#encode} around the text the sender sent; and, for comparison, a server message
 * the JSON-P generator writes ({@code joined}, sent once per join).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class EncodeBenchmark {

  /** The sender, as the server sets it; a client's own {@code from} is never used. */
  private static final String FROM = "Hc1bR7uXo2LpQ9sVz4eK0w";

  private OutboundCodec codec;
  private Inbound.Signal offer;
  private Inbound.Signal candidate;

  @Setup
  public void setUp() throws Exception {
    JsonProvider json = JsonProvider.provider();
    codec = new OutboundCodec(json);
    // Decoded by the server's own codec, so the tree has the implementation's real classes.
    InboundCodec inbound = new InboundCodec(json);
    offer = (Inbound.Signal) inbound.decode(Frames.OFFER).message();
    candidate = (Inbound.Signal) inbound.decode(Frames.CANDIDATE).message();
  }

  @Benchmark
  public String offer() {
    return codec.encode(new Outbound.SignalRelay(FROM, offer.data()));
  }

  @Benchmark
  public String candidate() {
    return codec.encode(new Outbound.SignalRelay(FROM, candidate.data()));
  }

  @Benchmark
  public String joined() {
    return codec.encode(JOINED);
  }

  private static final Outbound.Joined JOINED = new Outbound.Joined(Frames.ROOM, FROM, "Ada",
      List.of(new PeerInfo(Frames.PEER_ID, "Grace"), new PeerInfo("Zk3Wq0bN4fLr8YvJ2Axc9t", "Alan")),
      "bW9yZS1yYW5kb20tYnl0ZXMtdGhhbi1hLXBlZXItaWQ", false, null, null);
}
