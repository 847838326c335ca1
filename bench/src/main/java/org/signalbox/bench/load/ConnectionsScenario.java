package org.signalbox.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * connections: many clients connect and join rooms of four (a bounded number of handshakes in
 * flight, as a crowd arriving behind a load balancer), then sit idle while the server's memory is
 * read: resident set and live heap after a full collection, each against the idle server.
 */
final class ConnectionsScenario implements Fleet.Handler {

  record Result(String server, int clients, double perSecond, double rssPerClient,
      double heapPerClient, long rssIdle, long rssLoaded, long heapIdle, long heapLoaded, int dropped,
      double generatorCpu, double serverCpu, double closeSeconds) {

    Result named(String name) {
      return new Result(name, clients, perSecond, rssPerClient, heapPerClient, rssIdle, rssLoaded,
          heapIdle, heapLoaded, dropped, generatorCpu, serverCpu, closeSeconds);
    }

    Result closedIn(double seconds) {
      return new Result(server, clients, perSecond, rssPerClient, heapPerClient, rssIdle, rssLoaded,
          heapIdle, heapLoaded, dropped, generatorCpu, serverCpu, seconds);
    }
  }

  private final Dialect dialect;
  private final int clients;
  private final int window;
  private final String run;
  private final boolean abortAfter;

  /**
   * @param abortAfter drop the connections without closing handshakes at the end: for a server
   *     that is stopped next anyway
   */
  ConnectionsScenario(Dialect dialect, int clients, int window, String run, boolean abortAfter) {
    this.dialect = dialect;
    this.clients = clients;
    this.window = window;
    this.run = run;
    this.abortAfter = abortAfter;
  }

  ConnectionsScenario(Dialect dialect, int clients, int window, String run) {
    this(dialect, clients, window, run, false);
  }

  Result run(EventLoop loop, InetSocketAddress server, ServerProcess process)
      throws IOException, InterruptedException {
    long heapIdle = process.liveHeapBytes();
    long rssIdle = process.rssBytes();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      peers.add(new Peer(i, "conn-" + run + "-" + i / 4, "c" + run + "-" + i));
    }
    Fleet fleet = new Fleet(loop, server, dialect, peers, this);
    CpuClock cpu = CpuClock.start(process);
    long took = fleet.connectAndAwait(window, 300);
    CpuClock.Share share = cpu.stop();
    long heapLoaded = process.liveHeapBytes();
    long rssLoaded = process.rssBytes();
    int dropped = fleet.dropped;
    long closing = System.nanoTime();
    if (abortAfter) {
      fleet.abortAll();
    } else {
      fleet.closeAll();
    }
    double closeSeconds = (System.nanoTime() - closing) / 1e9;
    return new Result(dialect.name(), clients, clients / (took / 1e9),
        (rssLoaded - rssIdle) / (double) clients, (heapLoaded - heapIdle) / (double) clients,
        rssIdle, rssLoaded, heapIdle, heapLoaded, dropped, share.generator(), share.server(),
        closeSeconds);
  }

  @Override
  public void relay(Peer peer, byte[] a, int offset, int length) {}
}
