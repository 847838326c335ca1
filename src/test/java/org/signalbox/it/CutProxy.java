package org.signalbox.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback between browsers and the server, whose {@link #cut} breaks every
 * connection the way a network does: a reset, no WebSocket close frame, and new connections
 * refused until {@link #restore}.
 */
final class CutProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  private CutProxy(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
  }

  static CutProxy start(int targetPort) throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    CutProxy proxy = new CutProxy(listener, targetPort);
    Thread accept = new Thread(proxy::acceptLoop, "cut-proxy-accept");
    accept.setDaemon(true);
    accept.start();
    return proxy;
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Resets every open connection and refuses new ones. */
  void cut() {
    cut = true;
    open.forEach(CutProxy::reset);
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
      if (cut) {
        reset(client);
        continue;
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(server);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        reset(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // The other side or a cut ended it; the partner socket is reset below.
      }
      reset(from);
      reset(to);
      open.remove(from);
      open.remove(to);
    }, "cut-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /** Closes with SO_LINGER 0: the peer sees a reset, not an orderly end. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // already closed
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
