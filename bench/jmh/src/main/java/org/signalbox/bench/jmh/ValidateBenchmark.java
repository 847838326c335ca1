package org.signalbox.bench.jmh;

import jakarta.json.spi.JsonProvider;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.signalbox.config.Settings;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.JsonText;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.room.Delivery;
import org.signalbox.room.Ids;
import org.signalbox.room.Link;
import org.signalbox.room.Member;
import org.signalbox.room.RoomRegistry;

/**
 * The routing check of a relay: {@link Member#relay}, which in one node is {@code Room.relay}
 * under the room's lock (is {@code to} another live member of the sender's room?),
 * then the hand-off to the recipient's {@link Link}.
 *
 * <p>The checks before decoding, the frame's UTF-8 size ({@code Utf8}) and the rate limit ({@code
 * TokenBucket}), are package-private in {@code org.signalbox.transport}: their nearest public
 * entry point is {@code SignalingEndpoint.onText}, measured whole by {@link RelayPathBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ValidateBenchmark {

  /** Takes every frame, as a live connection with room in its outbox does. */
  private static final class Sink implements Link {
    String last;

    @Override
    public boolean offer(String frame) {
      last = frame;
      return true;
    }

    @Override
    public void replaced() {}

    @Override
    public void goingAway(String why) {}

    @Override
    public void ended(String left) {
      last = left;
    }
  }

  private ScheduledExecutorService timers;
  private Member sender;
  private String to;
  private String frame;

  @Setup
  public void setUp() throws ProtocolException {
    Settings settings = Settings.defaults();
    OutboundCodec codec = new OutboundCodec(JsonProvider.provider());
    timers = Executors.newSingleThreadScheduledExecutor();
    Ids ids = new Ids();
    RoomRegistry rooms = new RoomRegistry(settings, codec, timers, ids);
    Inbound.Join join = new Inbound.Join(Frames.ROOM, null, null, null);
    sender = rooms.join(join, ids.peerId(), "sender", new Sink(), null);
    // The real `to` is a fresh string per frame whose hash is computed on lookup; this one keeps
    // its hash after the first call, which saves a few ns on 22 chars.
    to = rooms.join(join, ids.peerId(), "receiver", new Sink(), null).id();
    // Routing never looks at the frame; any relay text will do.
    frame = codec.encode(new Outbound.SignalRelay(sender.id(), new JsonText("{}")));
  }

  @TearDown
  public void tearDown() {
    timers.shutdownNow();
  }

  @Benchmark
  public Delivery route() throws ProtocolException {
    return sender.relay(to, frame, null);
  }
}
