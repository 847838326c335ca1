package org.signalbox.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * scale: a great many idle peers joined in rooms of four stay connected through several heartbeat
 * rounds (the server pings, the generator answers as a browser does), then two of them relay
 * offers back and forth to show the node still answers in milliseconds.
 */
final class ScaleScenario implements Fleet.Handler {

  record Result(int clients, double connectSeconds, long holdSeconds, int dropped,
      long serverConnections, long rss, long heap, double p50Millis, double p99Millis,
      double maxMillis, int roundTrips) {}

  private static final int PER_SOURCE = 10_000;

  private final int clients;
  private final long holdSeconds;
  private final int roundTrips;
  private final Histogram rttMicros = new Histogram(60_000_000L, 3);
  private final List<Peer> peers = new ArrayList<>();
  private byte[] toB;
  private byte[] toA;
  private int completed;
  private long sentAt;

  ScaleScenario(int clients, long holdSeconds, int roundTrips) {
    this.clients = clients;
    this.holdSeconds = holdSeconds;
    this.roundTrips = roundTrips;
  }

  Result run(EventLoop loop, InetSocketAddress server, ServerProcess process)
      throws IOException, InterruptedException {
    Dialect dialect = new Dialect.Signalbox();
    for (int i = 0; i < clients; i++) {
      peers.add(new Peer(i, "scale-" + i / 4, "x" + i));
    }
    // Loopback has the whole 127/8: a source address per ten thousand clients keeps each well
    // inside the ephemeral port range.
    InetAddress[] sources = new InetAddress[clients / PER_SOURCE + 1];
    for (int i = 0; i < sources.length; i++) {
      sources[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
    }
    Fleet fleet = new Fleet(loop, server, dialect, peers, this, sources, PER_SOURCE);
    long took = fleet.connectAndAwait(512, 600);
    loop.runUntil(() -> fleet.dropped > 0, TimeUnit.SECONDS.toNanos(holdSeconds));
    long serverConnections = process.healthConnections();

    Peer a = peers.get(0);
    Peer b = peers.get(1);
    toB = a.line.prepare(dialect.relay(b, 'o', Payloads.description(a.index, 0, 'o')));
    toA = b.line.prepare(dialect.relay(a, 'a', Payloads.description(b.index, 0, 'a')));
    sentAt = System.nanoTime();
    a.line.sendPrepared(toB);
    loop.runUntil(() -> completed == roundTrips || fleet.dropped > 0, TimeUnit.SECONDS.toNanos(60));

    long heap = process.liveHeapBytes();
    long rss = process.rssBytes();
    int dropped = fleet.dropped;
    fleet.closeAll();
    return new Result(clients, took / 1e9, holdSeconds, dropped, serverConnections, rss, heap,
        rttMicros.getValueAtPercentile(50) / 1000.0, rttMicros.getValueAtPercentile(99) / 1000.0,
        rttMicros.getMaxValue() / 1000.0, completed);
  }

  @Override
  public void relay(Peer receiver, byte[] a, int offset, int length) {
    if (receiver.index == 1) {
      receiver.line.sendPrepared(toA);
      return;
    }
    long now = System.nanoTime();
    rttMicros.recordValue(Math.min(60_000_000L, (now - sentAt) / 1000));
    if (++completed < roundTrips) {
      sentAt = System.nanoTime();
      receiver.line.sendPrepared(toB);
    }
  }

}
