package org.signalbox.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A set of simulated browsers on one server: connects them with a bounded number of handshakes in
 * flight, joins them, feeds their relayed frames to a scenario, and counts what went wrong. Each
 * peer connects over its own {@link Peer#binding}.
 */
final class Fleet implements Line.Listener {

  /** A scenario's view of its peers' events. */
  interface Handler {
    default void ready(Peer peer) {}

    void relay(Peer peer, byte[] a, int offset, int length);
  }

  private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);

  final List<Peer> peers;
  private final EventLoop loop;
  private final InetSocketAddress server;
  private final Dialect dialect;
  private final Handler handler;
  private final InetAddress[] sources;
  private final int perSource;
  private final ArrayDeque<Peer> waiting = new ArrayDeque<>();
  private int joining;
  private int started;

  /** What the peers on the HTTP binding asked for. */
  final HttpSessionClient.Counts http = new HttpSessionClient.Counts();
  int ready;
  int closed;
  int errors;
  /** Connections that ended although the generator did not close them. */
  int dropped;
  String firstProblem;
  private boolean closing;
  private boolean beating;

  Fleet(EventLoop loop, InetSocketAddress server, Dialect dialect, List<Peer> peers,
      Handler handler, InetAddress[] sources, int perSource) {
    this.loop = loop;
    this.server = server;
    this.dialect = dialect;
    this.peers = peers;
    this.handler = handler;
    this.sources = sources;
    this.perSource = perSource;
  }

  Fleet(EventLoop loop, InetSocketAddress server, Dialect dialect, List<Peer> peers, Handler handler) {
    this(loop, server, dialect, peers, handler, null, Integer.MAX_VALUE);
  }

  /** Starts every peer's connection, at most {@code window} handshakes and joins at a time. */
  void connect(int window) {
    waiting.addAll(peers);
    joining = 0;
    for (int i = 0; i < window && !waiting.isEmpty(); i++) {
      next();
    }
    if (!beating) {
      beating = true;
      loop.schedule(HEARTBEAT_NANOS, this::heartbeat);
    }
  }

  /** Connects and joins every peer; returns the nanoseconds it took, or fails. */
  long connectAndAwait(int window, long limitSeconds) {
    long start = System.nanoTime();
    connect(window);
    boolean all = loop.runUntil(() -> ready + closed == peers.size(), TimeUnit.SECONDS.toNanos(limitSeconds));
    long took = System.nanoTime() - start;
    if (!all || ready < peers.size()) {
      throw new IllegalStateException(dialect.name() + ": " + ready + " of " + peers.size()
          + " peers joined within " + limitSeconds + " s; first problem: " + firstProblem);
    }
    return took;
  }

  /**
   * Closes every line as a leaving client does (a close frame; over HTTP, DELETE) and waits for
   * the server to end each.
   */
  void closeAll() {
    closing = true;
    for (Peer p : peers) {
      if (p.line != null) {
        p.line.close();
      }
    }
    loop.runUntil(() -> closed == countStarted(), TimeUnit.SECONDS.toNanos(60));
    for (Peer p : peers) {
      if (p.line != null) {
        p.line.abort(1006, "not closed by the server in time");
      }
    }
  }

  /** Drops every connection without a closing handshake, as a lost network does. */
  void abortAll() {
    closing = true;
    for (Peer p : peers) {
      if (p.line != null) {
        p.line.abort(1006, "dropped by the bench");
      }
    }
  }

  private int countStarted() {
    return started;
  }

  private void next() {
    Peer peer = waiting.poll();
    Peer partner = peer.partner;
    InetAddress source = sources == null ? null : sources[started / perSource];
    started++;
    joining++;
    InetSocketAddress to = peer.server != null ? peer.server : server;
    String path = dialect.path(peer, partner);
    peer.line = switch (peer.binding) {
      case WEBSOCKET -> WsClient.connect(loop, to, source, path, this, peer);
      // PROTOCOL.md: the binding is at <socket path>/http.
      case HTTP -> HttpSessionClient.open(loop, to, source, path + "/http", this, peer, http);
    };
  }

  private void heartbeat() {
    if (closing) {
      return;
    }
    for (Peer p : peers) {
      if (p.ready && p.line.isOpen()) {
        dialect.heartbeat(p);
      }
    }
    loop.schedule(HEARTBEAT_NANOS, this::heartbeat);
  }

  @Override
  public void opened(Line line) {}

  @Override
  public void text(Line line, byte[] buffer, int offset, int length) {
    Peer peer = (Peer) line.attachment();
    switch (dialect.text(peer, buffer, offset, length)) {
      case RELAY -> handler.relay(peer, buffer, offset, length);
      case READY -> {
        peer.ready = true;
        ready++;
        joined();
        handler.ready(peer);
      }
      case ERROR -> {
        errors++;
        problem(peer, "error frame: " + Frames.text(buffer, offset, length));
      }
      case OTHER -> {}
    }
  }

  @Override
  public void closed(Line line, int code, String reason) {
    Peer peer = (Peer) line.attachment();
    closed++;
    if (!closing) {
      dropped++;
      problem(peer, "closed " + code + " " + reason);
    }
    if (!peer.ready) {
      joined();
    }
  }

  private void joined() {
    joining--;
    if (!waiting.isEmpty()) {
      next();
    }
  }

  private void problem(Peer peer, String what) {
    if (firstProblem == null) {
      firstProblem = "peer " + peer.index + ": " + what;
    }
  }
}
