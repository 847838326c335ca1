package org.signalbox.bench.load;

import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * open loop: pairs of peers relaying the relay scenario's 1.1 KiB offer at a fixed offered rate,
 * whatever the server does. Message {@code k} of the run is due at {@code start + k / rate}, sent
 * by peer {@code k mod peers} to its partner, so the load is spread evenly over peers and time;
 * its latency is counted from when it was due, not from when it left, so a server (or generator)
 * that falls behind is charged for the whole wait (no coordinated omission). Warm-up, then the
 * measured phase, then a bounded wait for what is still on its way.
 *
 * <p>The generator does not send from {@link EventLoop}'s timers: they wait in whole
 * milliseconds, and at tens of thousands of messages per second a message is due every few tens
 * of microseconds. Between due times it parks the thread (sub-millisecond, without spinning the
 * core), then reads what arrived; a receive is timestamped up to one park late (at most the gap
 * between two due times, plus the kernel's timer slack).
 */
final class OpenLoopScenario implements Fleet.Handler {

  /**
   * @param perSecond the offered rate, all peers together
   * @param drainSeconds the longest wait after the last send for messages still on their way
   */
  record Plan(int pairs, double perSecond, long warmSeconds, long measureSeconds, long drainSeconds) {}

  /**
   * @param offered the rate messages were due at
   * @param achieved messages received per second over the measured phase
   * @param measured messages due in the measured phase (their latencies are the percentiles)
   * @param backlog messages sent but not yet received when the last one was sent
   * @param lost messages sent and still not received after the drain wait
   * @param drainMillis how long the drain took (up to the plan's limit)
   * @param sendLagP99Millis how late the generator sent, p99: above a millisecond, it was the
   *     generator that fell behind
   */
  record Result(String server, double offered, double achieved, double p50Millis,
      double p99Millis, double p999Millis, double maxMillis, long measured, long sent,
      long received, long backlog, long lost, double drainMillis, long outOfOrder, int errors,
      int dropped, double sendLagP99Millis, double generatorCpu, double serverCpu,
      double otherCpu) {

    Result named(String name) {
      return new Result(name, offered, achieved, p50Millis, p99Millis, p999Millis, maxMillis,
          measured, sent, received, backlog, lost, drainMillis, outOfOrder, errors, dropped,
          sendLagP99Millis, generatorCpu, serverCpu, otherCpu);
    }
  }

  /** The longest the generator parks when a message is due later; timers are run this often. */
  private static final long TIMERS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_LATENCY_MICROS = 120_000_000L;

  private final Dialect dialect;
  private final Plan plan;
  private final Histogram latencyMicros = new Histogram(MAX_LATENCY_MICROS, 3);
  private final Histogram sendLagMicros = new Histogram(MAX_LATENCY_MICROS, 3);
  private final List<Peer> peers;
  /** Prepared once the lines are open. */
  private RelayFrames frames;
  private final double periodNanos;
  private final long firstMeasured;
  private final long end;
  private final Consumer<SelectionKey> ready = key -> ((LoopSocket) key.attachment()).ready(key);
  private long start;
  private long sent;
  private long received;
  private long outOfOrder;

  OpenLoopScenario(Dialect dialect, Plan plan, String run) {
    this.dialect = dialect;
    this.plan = plan;
    peers = Peer.pairs(plan.pairs(), "open-" + run, "o" + run);
    periodNanos = 1e9 / plan.perSecond();
    firstMeasured = (long) Math.ceil(plan.warmSeconds() * plan.perSecond());
    end = firstMeasured + (long) Math.ceil(plan.measureSeconds() * plan.perSecond());
  }

  Result run(EventLoop loop, InetSocketAddress server, ServerProcess process) {
    Fleet fleet = new Fleet(loop, server, dialect, peers, this);
    fleet.connectAndAwait(100, 60);
    frames = RelayFrames.prepare(dialect, peers);
    start = System.nanoTime();
    CpuClock cpu = null;
    long receivedBefore = 0;
    long nextTimers = start + TIMERS_EVERY_NANOS;
    long next = 0;
    while (next < end && fleet.dropped == 0) {
      long now = System.nanoTime();
      while (next < end && due(next) <= now) {
        if (next == firstMeasured) {
          cpu = CpuClock.start(process);
          receivedBefore = received;
        }
        send(next++, now);
      }
      // Read until nothing is ready or a message is due: one round reads at most a buffer's
      // worth per socket, so a generator that read once per round would fall behind the server
      // whenever it fell behind its schedule, and count its own backlog as the server's.
      while (select(loop) > 0 && (next >= end || due(next) > System.nanoTime())) {
        // next round
      }
      now = System.nanoTime();
      if (now >= nextTimers) {
        runTimers(loop);
        nextTimers = now + TIMERS_EVERY_NANOS;
      }
      if (next < end) {
        long wait = Math.min(due(next) - System.nanoTime(), TIMERS_EVERY_NANOS);
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    }
    // The measured phase ends when its last message is due; receives are counted up to then.
    long measuredEnd = due(end);
    while (System.nanoTime() < measuredEnd) {
      select(loop);
    }
    long inWindow = received - receivedBefore;
    CpuClock.Share share = cpu == null ? new CpuClock.Share(0, 0, 0) : cpu.stop();
    long backlog = sent - received;
    long drainStart = System.nanoTime();
    loop.runUntil(() -> received == sent || fleet.dropped > 0,
        TimeUnit.SECONDS.toNanos(plan.drainSeconds()));
    double drainMillis = (System.nanoTime() - drainStart) / 1e6;
    long lost = sent - received;
    fleet.closeAll();
    return new Result(dialect.name(), plan.perSecond(),
        inWindow / (plan.measureSeconds() == 0 ? 1.0 : (double) plan.measureSeconds()),
        millis(latencyMicros.getValueAtPercentile(50)), millis(latencyMicros.getValueAtPercentile(99)),
        millis(latencyMicros.getValueAtPercentile(99.9)), millis(latencyMicros.getMaxValue()),
        end - firstMeasured, sent, received, backlog, lost, drainMillis, outOfOrder, fleet.errors,
        fleet.dropped, millis(sendLagMicros.getValueAtPercentile(99)), share.generator(),
        share.server(), share.others());
  }

  /** When message {@code k} is due, in nanoseconds after the start. */
  private long due(long k) {
    return start + (long) (k * periodNanos);
  }

  private void send(long k, long now) {
    int senders = peers.size();
    Peer p = peers.get((int) (k % senders));
    long sequence = k / senders;
    byte[] frame = frames.numbered(p, sequence);
    p.sent++;
    sent++;
    if (k >= firstMeasured) {
      sendLagMicros.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, now - due(k)) / 1000));
    }
    p.line.sendPrepared(frame);
  }

  /** Serves the sockets that are ready now; returns how many were. */
  private int select(EventLoop loop) {
    try {
      return loop.selector().selectNow(ready);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs the loop's due timers (the fleet's heartbeats) without waiting for anything. */
  private static void runTimers(EventLoop loop) {
    BooleanSupplier secondCall = new BooleanSupplier() {
      private boolean asked;

      @Override
      public boolean getAsBoolean() {
        boolean done = asked;
        asked = true;
        return done;
      }
    };
    loop.runUntil(secondCall, TimeUnit.SECONDS.toNanos(1));
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
    long k = sequence * peers.size() + sender.index;
    if (k >= firstMeasured && k < end) {
      latencyMicros.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, now - due(k)) / 1000));
    }
    received++;
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }
}
