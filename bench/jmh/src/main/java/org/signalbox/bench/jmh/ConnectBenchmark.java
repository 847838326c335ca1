package org.signalbox.bench.jmh;

import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
 * Signalbox's own share of a connection, without the container's handshake: a socket opens
 * ({@code welcome}: a fresh peer id, ICE servers, limits), joins a room of three ({@code joined}
 * with its resume token, {@code peer-joined} to each of the three) and closes ({@code peer-left}
 * to each). The comparison bench's connect rate is this plus the container's upgrade.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ConnectBenchmark {

  /** The standalone WAR's endpoint configuration; what onOpen receives. */
  private static final EndpointConfig SOCKET =
      SignalingEndpoint.config("/signal", new SignalingConfigurator());

  private static final Logger SIGNALBOX_LOG = Logger.getLogger("org.signalbox");
  private static final CloseReason LEFT =
      new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "bye");

  private Signalbox node;
  /** Reused by each new connection in turn: only one is open at a time. */
  private final FakeSession session = new FakeSession("newcomer");

  @Setup
  public void setUp() {
    SIGNALBOX_LOG.setLevel(Level.WARNING);
    node = Signalbox.start(SettingsLoader.load(SettingSource.of(Map.of("heartbeatMs", "3600000"))));
    session.servedBy(node);
    for (int i = 0; i < 3; i++) {
      SignalingEndpoint member = new SignalingEndpoint();
      member.onOpen(new FakeSession("member" + i).servedBy(node).session(), SOCKET);
      member.onText(Frames.JOIN, true);
    }
  }

  @TearDown
  public void tearDown() {
    try {
      if (!session.last().startsWith("{\"type\":\"joined\"") || !session.last().contains("\"peers\":[{")) {
        throw new IllegalStateException("the newcomer did not join the room of three: " + session.last());
      }
    } finally {
      node.stop();
    }
  }

  @Benchmark
  public long openJoinClose() {
    SignalingEndpoint newcomer = new SignalingEndpoint();
    newcomer.onOpen(session.session(), SOCKET);
    newcomer.onText(Frames.JOIN, true);
    newcomer.onClose(session.session(), LEFT);
    return session.count();
  }
}
