package org.signalbox.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.function.Consumer;

/** The byte pump of the test proxies: one direction of one proxied TCP connection. */
final class SocketPipe {

  private SocketPipe() {}

  /**
   * Copies {@code from} to {@code to} on a daemon thread. When either side ends, both are reset
   * (the other proxy side sees a reset, as from a network) and each is handed to {@code ended}.
   */
  static void start(Socket from, Socket to, String name, Consumer<Socket> ended) {
    daemon(name, () -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // The other side, a cut, a drop or a close ended it; both sockets are reset below.
      }
      reset(from);
      reset(to);
      ended.accept(from);
      ended.accept(to);
    });
  }

  /** A listener on a free loopback port, with an accept queue of {@code backlog}. */
  static ServerSocket listen(int backlog) throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
    return listener;
  }

  /** Runs {@code work} on a daemon thread named {@code name}, so a test never waits on it. */
  static void daemon(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Closes with SO_LINGER 0: the peer sees a reset, not an orderly end. */
  static void reset(Socket socket) {
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
}
