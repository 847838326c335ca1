package org.signalbox.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 proxy on loopback in front of the server, as a company proxy that refuses
 * WebSocket: a request carrying {@code Upgrade:} is answered 403 and its connection closed (or,
 * {@link #startHanging hanging}, never answered at all); any other request is passed through to
 * the server. Each connection carries one request: the
 * forwarded head says {@code Connection: close} (whatever the browser asked), so the server ends
 * the connection after its answer, and the proxy needs to parse no body and no answer. {@link
 * #cut} resets every connection as a network does, and refuses new ones until {@link #restore}.
 *
 * <p>Threads: one accepts; each connection has one that reads its head and then copies the
 * request on, and one that copies the answer back. {@link #close} resets every connection and
 * returns once each of these threads has ended.
 */
final class UpgradeRefusingProxy implements AutoCloseable {

  /** A request head longer than this is refused (431): no browser request comes near it. */
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MS = 2_000;
  /** How long close() waits for the threads, which end as soon as their sockets are reset. */
  private static final Duration THREADS_END_WAIT = Duration.ofSeconds(10);
  private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
  /** Headers about the browser's connection, which this proxy's own forwarding replaces. */
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "proxy-connection");

  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refusedUpgrades = new AtomicInteger();
  private final AtomicInteger passedRequests = new AtomicInteger();
  /** Upgrades get no answer at all instead of 403. */
  private final boolean hang;
  private volatile boolean cut;
  private volatile boolean closed;

  private UpgradeRefusingProxy(ServerSocket listener, int targetPort, boolean hang) {
    this.listener = listener;
    this.targetPort = targetPort;
    this.hang = hang;
  }

  /** A proxy that answers every upgrade with 403. */
  static UpgradeRefusingProxy start(int targetPort) throws IOException {
    return start(targetPort, false);
  }

  /**
   * A proxy that never answers an upgrade and keeps its connection open until {@link #cut} or
   * {@link #close}, as one that holds the handshake back: the browser sees neither an error nor
   * a socket that opens.
   */
  static UpgradeRefusingProxy startHanging(int targetPort) throws IOException {
    return start(targetPort, true);
  }

  private static UpgradeRefusingProxy start(int targetPort, boolean hang) throws IOException {
    UpgradeRefusingProxy proxy = new UpgradeRefusingProxy(SocketPipe.listen(100), targetPort, hang);
    proxy.spawn("upgrade-refusing-proxy-accept", proxy::acceptLoop);
    return proxy;
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Requests refused (403, or never answered) because they asked for an upgrade. */
  int refusedUpgrades() {
    return refusedUpgrades.get();
  }

  /** Requests handed on to the server. */
  int passedRequests() {
    return passedRequests.get();
  }

  /** Resets every open connection and refuses new ones. */
  void cut() {
    cut = true;
    open.forEach(SocketPipe::reset);
    open.clear();
  }

  void restore() {
    cut = false;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut || closed) {
        SocketPipe.reset(client);
        continue;
      }
      open.add(client);
      spawn("upgrade-refusing-proxy-request", () -> serve(client));
    }
  }

  /** One connection: its request head decides between a refusal and the server. */
  private void serve(Socket client) {
    Socket server = null;
    try {
      InputStream in = new BufferedInputStream(client.getInputStream());
      byte[] head = readHead(in);
      if (head == null) {
        end(client);
        return;
      }
      if (head.length > MAX_HEAD_BYTES) {
        answer(client, "431 Request Header Fields Too Large");
        return;
      }
      List<String> lines = List.of(new String(head, StandardCharsets.ISO_8859_1).split("\r\n"));
      if (lines.stream().skip(1).anyMatch(line -> headerName(line).equals("upgrade"))) {
        refusedUpgrades.incrementAndGet();
        if (hang) {
          // Whatever else the browser sends is dropped, until it gives up or a cut.
          in.transferTo(OutputStream.nullOutputStream());
          end(client);
        } else {
          answer(client, "403 Forbidden");
        }
        return;
      }
      server = new Socket();
      open.add(server);
      if (cut || closed) {
        SocketPipe.reset(server);
        SocketPipe.reset(client);
        return;
      }
      server.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), CONNECT_TIMEOUT_MS);
      OutputStream toServer = server.getOutputStream();
      toServer.write(forwardedHead(lines));
      toServer.flush();
      passedRequests.incrementAndGet();
      InputStream fromServer = server.getInputStream();
      Socket upstream = server;
      AtomicInteger directions = new AtomicInteger(2);
      spawn("upgrade-refusing-proxy-answer", () -> copy(fromServer, upstream, client, directions));
      copy(in, client, server, directions);
    } catch (IOException e) {
      // A cut, a close, the server not there, or a browser that went away: reset what is left.
      for (Socket socket : server == null ? List.of(client) : List.of(client, server)) {
        SocketPipe.reset(socket);
        open.remove(socket);
      }
    }
  }

  /**
   * The request head up to and including its empty line; null when the client closed first (a
   * browser's unused preconnection); longer than {@link #MAX_HEAD_BYTES} when it never ends.
   */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < HEAD_END.length && head.size() <= MAX_HEAD_BYTES) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == HEAD_END[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toByteArray();
  }

  private static String headerName(String line) {
    int colon = line.indexOf(':');
    return colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
  }

  /** The head as the server gets it: the browser's, asking for the connection to close. */
  private static byte[] forwardedHead(List<String> lines) {
    List<String> out = new ArrayList<>();
    out.add(lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      if (!line.isEmpty() && !HOP_BY_HOP.contains(headerName(line))) {
        out.add(line);
      }
    }
    out.add("Connection: close");
    return (String.join("\r\n", out) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Answers {@code status} with a short text and ends the connection in order. */
  private void answer(Socket client, String status) throws IOException {
    byte[] body = ("This proxy does not pass that request: " + status + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    String head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n";
    OutputStream out = client.getOutputStream();
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
    client.shutdownOutput();
    end(client);
  }

  /**
   * Copies one direction until its end, which is passed on as an orderly end (FIN): an answer is
   * delivered whole before its connection closes. The second direction to end closes both
   * sockets; an error (a cut, a reset from either side) resets both at once.
   */
  private void copy(InputStream from, Socket source, Socket target, AtomicInteger directions) {
    byte[] buffer = new byte[16 * 1024];
    try {
      OutputStream out = target.getOutputStream();
      int n;
      while ((n = from.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
      target.shutdownOutput();
    } catch (IOException e) {
      SocketPipe.reset(source);
      SocketPipe.reset(target);
    }
    if (directions.decrementAndGet() == 0) {
      end(source);
      end(target);
    }
  }

  private void end(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // closed already
    }
  }

  private void spawn(String name, Runnable work) {
    Thread thread = new Thread(() -> {
      try {
        work.run();
      } finally {
        threads.remove(Thread.currentThread());
      }
    }, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /** Resets every connection and returns once every thread of this proxy has ended. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cut();
    // A connection's thread may start its second one while this waits: look again until none
    // is left or the time is up.
    long deadline = System.nanoTime() + THREADS_END_WAIT.toNanos();
    while (!threads.isEmpty() && System.nanoTime() < deadline) {
      for (Thread thread : List.copyOf(threads)) {
        long left = Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
        try {
          thread.join(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    List<String> alive = threads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
    if (!alive.isEmpty()) {
      throw new IllegalStateException("proxy threads still running after close: " + alive);
    }
  }
}
