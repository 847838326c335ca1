package org.signalbox.bench.load;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * relay: pairs of peers, each keeping a fixed number of ~1.1 KiB offers in flight to its partner
 * (a new one leaves when one arrives). Cold (right after start), warm-up and measured phases run
 * on the same connections; every message is accounted for at the end. Peers connect over
 * WebSocket unless {@link #over} puts some on the HTTP binding.
 */
final class RelayScenario implements Fleet.Handler {

  record Result(String server, double coldPerSecond, double perSecond, double p50Millis,
      double p99Millis, double maxMillis, long sent, long received, long outOfOrder, int errors,
      int dropped, double generatorCpu, double serverCpu, double otherCpu, int frameBytes,
      Requests requests) {

    long lost() {
      return sent - received;
    }

    /** The server's CPU time per message relayed in the measured phase, every thread included. */
    double serverMicrosPerMessage() {
      return serverCpu / perSecond * 1e6;
    }

    Result named(String name) {
      return new Result(name, coldPerSecond, perSecond, p50Millis, p99Millis, maxMillis, sent,
          received, outOfOrder, errors, dropped, generatorCpu, serverCpu, otherCpu, frameBytes,
          requests);
    }
  }

  /**
   * What the peers on the HTTP binding asked for in the measured phase (all zero over WebSocket),
   * beside the messages delivered in it: POSTs of frames and the frames they carried, polls
   * (empty answers included), and new TCP connections.
   */
  record Requests(long messages, long posts, long framesPosted, long polls, long connects) {
    static Requests between(long messages, HttpSessionClient.Counts before,
        HttpSessionClient.Counts after) {
      return new Requests(messages, after.posts - before.posts,
          after.framesPosted - before.framesPosted, after.polls - before.polls,
          after.connects[0] - before.connects[0]);
    }

    /** HTTP requests (POSTs of frames and polls) per message delivered. */
    double perMessage() {
      return (posts + polls) / (double) messages;
    }
  }

  record Plan(int pairs, int inFlight, long coldSeconds, long warmSeconds, long measureSeconds) {}

  /**
   * What else is measured over exactly the measured phase (the cluster's nodes and Redis): opened
   * right before it begins, closed right after it ends.
   */
  interface Window {
    void open();

    /** @param messages the messages received in the measured phase */
    void close(long messages);
  }

  private final Dialect dialect;
  private final Plan plan;
  private final Histogram latencyMicros = new Histogram(60_000_000L, 3);
  private final List<Peer> peers;
  /** Prepared once the lines are open. */
  private RelayFrames frames;
  private Window window;
  private boolean sending;
  private boolean recording;
  private long sent;
  private long received;
  private long outOfOrder;
  private long inFlight;

  RelayScenario(Dialect dialect, Plan plan, String run) {
    this.dialect = dialect;
    this.plan = plan;
    peers = Peer.pairs(plan.pairs(), "relay-" + run, "r" + run);
  }

  /**
   * Connects each peer to the server {@code serverOf} names for its index (peers {@code 2i} and
   * {@code 2i + 1} are pair {@code i}), instead of the one {@link #run} is given.
   */
  RelayScenario placed(IntFunction<InetSocketAddress> serverOf) {
    for (Peer p : peers) {
      p.server = serverOf.apply(p.index);
    }
    return this;
  }

  /** Connects each peer over the binding {@code bindingOf} names for its index. */
  RelayScenario over(IntFunction<Line.Binding> bindingOf) {
    for (Peer p : peers) {
      p.binding = bindingOf.apply(p.index);
    }
    return this;
  }

  /** Opens and closes {@code window} at the measured phase's edges. */
  RelayScenario measuring(Window window) {
    this.window = window;
    return this;
  }

  Result run(EventLoop loop, InetSocketAddress server, ServerProcess process) {
    Fleet fleet = new Fleet(loop, server, dialect, peers, this);
    fleet.connectAndAwait(100, 60);
    frames = RelayFrames.prepare(dialect, peers);
    sending = true;
    recording = true;
    for (Peer p : peers) {
      for (int i = 0; i < plan.inFlight(); i++) {
        send(p);
      }
    }
    long coldStart = System.nanoTime();
    loop.runUntil(() -> false, TimeUnit.SECONDS.toNanos(plan.coldSeconds()));
    double cold = received / seconds(System.nanoTime() - coldStart);
    recording = false;
    loop.runUntil(() -> false, TimeUnit.SECONDS.toNanos(plan.warmSeconds()));

    latencyMicros.reset();
    recording = true;
    long before = received;
    CpuClock cpu = CpuClock.start(process);
    HttpSessionClient.Counts requestsBefore = fleet.http.copy();
    if (window != null) {
      window.open();
    }
    long start = System.nanoTime();
    loop.runUntil(() -> false, TimeUnit.SECONDS.toNanos(plan.measureSeconds()));
    long elapsed = System.nanoTime() - start;
    long measured = received - before;
    Requests requests = Requests.between(measured, requestsBefore, fleet.http);
    if (window != null) {
      window.close(measured);
    }
    CpuClock.Share share = cpu.stop();
    recording = false;

    sending = false;
    loop.runUntil(() -> inFlight == 0 || fleet.dropped > 0, TimeUnit.SECONDS.toNanos(10));
    fleet.closeAll();
    return new Result(dialect.name(), cold, measured / seconds(elapsed),
        latencyMicros.getValueAtPercentile(50) / 1000.0,
        latencyMicros.getValueAtPercentile(99) / 1000.0, latencyMicros.getMaxValue() / 1000.0,
        sent, received, outOfOrder, fleet.errors, fleet.dropped, share.generator(),
        share.server(), share.others(), frames.frameBytes(), requests);
  }

  private void send(Peer p) {
    long sequence = p.sent++;
    byte[] frame = frames.numbered(p, sequence);
    p.sentAt[(int) (sequence & 15)] = System.nanoTime();
    p.inFlight++;
    inFlight++;
    sent++;
    p.line.sendPrepared(frame);
  }

  @Override
  public void relay(Peer receiver, byte[] a, int offset, int length) {
    long now = System.nanoTime();
    Peer sender = receiver.partner;
    long sequence = Frames.number(a, offset, length, Payloads.SEQUENCE);
    if (sequence != receiver.expected || Frames.number(a, offset, length, Payloads.SENDER) != sender.index) {
      outOfOrder++;
    }
    receiver.expected = sequence + 1;
    if (recording) {
      latencyMicros.recordValue(Math.min(60_000_000L, (now - sender.sentAt[(int) (sequence & 15)]) / 1000));
    }
    received++;
    sender.inFlight--;
    inFlight--;
    if (sending) {
      send(sender);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
