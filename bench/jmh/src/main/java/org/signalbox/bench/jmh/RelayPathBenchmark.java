package org.signalbox.bench.jmh;

import jakarta.json.spi.JsonProvider;
import jakarta.websocket.EndpointConfig;
import java.io.StringReader;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.signalbox.Signalbox;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;
import org.signalbox.transport.SignalingConfigurator;
import org.signalbox.transport.SignalingEndpoint;

/**
 * One relayed {@code signal}, whole, through the public entry the container calls: {@link
 * SignalingEndpoint#onText} on the sender's socket runs {@code Connection.onText} (UTF-8 size
 * check, token bucket, decode, metrics, route), encodes the relay, checks the route in the room,
 * and queues the frame in the receiver's outbox, which writes it to a {@link FakeSession}. This is
 * the only way to time the size check and the rate limit, which are package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RelayPathBenchmark {

  /** The standalone WAR's endpoint configuration; what onOpen receives. */
  private static final EndpointConfig SOCKET =
      SignalingEndpoint.config("/signal", new SignalingConfigurator());

  /** Keeps the node's INFO lines out of JMH's output; held so the setting is not collected. */
  private static final Logger SIGNALBOX_LOG = Logger.getLogger("org.signalbox");

  /**
   * 65536 is the default, under which a frame of fewer than 65536 / 3 chars skips the exact UTF-8
   * count. At 2048 the offer (over 2048 / 3 chars) is counted byte by byte, as every frame between
   * a third of the limit and the limit is: the difference is the cost of {@code Utf8.length}.
   */
  @Param({"65536", "2048"})
  public String maxMessageBytes;

  private Signalbox node;
  private final SignalingEndpoint sender = new SignalingEndpoint();
  private final FakeSession senderSession = new FakeSession("sender");
  private final FakeSession receiverSession = new FakeSession("receiver");
  private String offer;
  private String candidate;

  @Setup
  public void setUp() {
    SIGNALBOX_LOG.setLevel(Level.WARNING);
    node =
        Signalbox.start(
            SettingsLoader.load(
                SettingSource.of(
                    Map.of(
                        "maxMessageBytes", maxMessageBytes,
                        // The real 50/s would rate-limit after the burst of 500; at 1e9/s the
                        // bucket never empties but is still asked for every frame.
                        "messagesPerSecond", "1000000000",
                        // The receiver sends nothing: it must not time out during a run.
                        "heartbeatMs", "3600000"))));
    SignalingEndpoint receiver = new SignalingEndpoint();
    sender.onOpen(senderSession.servedBy(node).session(), SOCKET);
    receiver.onOpen(receiverSession.servedBy(node).session(), SOCKET);
    String receiverId =
        JsonProvider.provider()
            .createReader(new StringReader(receiverSession.last()))
            .readObject()
            .getString("peerId");
    sender.onText(Frames.JOIN, true);
    receiver.onText(Frames.JOIN, true);
    offer = Frames.signal(receiverId, Frames.OFFER_DATA);
    candidate = Frames.signal(receiverId, Frames.CANDIDATE_DATA);
  }

  @TearDown
  public void tearDown() {
    try {
      // Every frame must have taken the relay path: an answer to the sender means it did not.
      String toSender = senderSession.last();
      String toReceiver = receiverSession.last();
      if (!toSender.startsWith("{\"type\":\"peer-joined\"")
          || !toReceiver.startsWith("{\"type\":\"signal\"")) {
        throw new IllegalStateException(
            "not a relay: sender got " + toSender + ", receiver got " + toReceiver);
      }
    } finally {
      node.stop();
    }
  }

  @Benchmark
  public long offer() {
    sender.onText(offer, true);
    return receiverSession.count();
  }

  @Benchmark
  public long candidate() {
    sender.onText(candidate, true);
    return receiverSession.count();
  }
}
