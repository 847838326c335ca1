package org.signalbox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback between browsers and the server, whose {@link #cut} breaks every
 * connection the way a network does: a reset, no WebSocket close frame, and new connections
 * refused until {@link #restore}.
 */
public final class CutProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  private CutProxy(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
  }

  public static CutProxy start(int targetPort) throws IOException {
    CutProxy proxy = new CutProxy(SocketPipe.listen(50), targetPort);
    SocketPipe.daemon("cut-proxy-accept", proxy::acceptLoop);
    return proxy;
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Resets every open connection and refuses new ones. */
  public void cut() {
    cut = true;
    open.forEach(SocketPipe::reset);
    open.clear();
  }

  public void restore() {
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
        SocketPipe.reset(client);
        continue;
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(server);
        if (cut) {
          // cut() came while this connection was being made, and may have reset the open ones
          // before it was among them.
          SocketPipe.reset(client);
          SocketPipe.reset(server);
          open.remove(client);
          open.remove(server);
          continue;
        }
        SocketPipe.start(client, server, "cut-proxy-pump", open::remove);
        SocketPipe.start(server, client, "cut-proxy-pump", open::remove);
      } catch (IOException e) {
        SocketPipe.reset(client);
      }
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
