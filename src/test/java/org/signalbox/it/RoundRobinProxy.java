package org.signalbox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP balancer on loopback in front of several nodes: each new connection goes to the next
 * target in turn, as a round-robin load balancer without stickiness hands reconnecting clients to
 * whichever node is next. A target that refuses the connection is skipped for that connection;
 * {@link #drop} takes a target out of the rotation, as a balancer does after failed health checks,
 * and resets the connections it carried to it.
 */
final class RoundRobinProxy implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MS = 2_000;

  private final ServerSocket listener;
  private final List<Integer> targets;
  /** Target port of every connection handed on, in order: where each client landed. */
  private final List<Integer> chosen = new CopyOnWriteArrayList<>();
  /** Open sockets (both sides of each connection) by target port. */
  private final Map<Socket, Integer> open = new ConcurrentHashMap<>();
  private int next;
  private volatile boolean closed;

  private RoundRobinProxy(ServerSocket listener, List<Integer> targets) {
    this.listener = listener;
    this.targets = targets;
  }

  static RoundRobinProxy start(List<Integer> targetPorts) throws IOException {
    RoundRobinProxy proxy = new RoundRobinProxy(SocketPipe.listen(1024), new ArrayList<>(targetPorts));
    SocketPipe.daemon("round-robin-proxy-accept", proxy::acceptLoop);
    return proxy;
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Target ports in the order connections were handed to them. */
  List<Integer> chosen() {
    return List.copyOf(chosen);
  }

  /** Takes {@code targetPort} out of the rotation and resets the connections it carried there. */
  void drop(int targetPort) {
    synchronized (this) {
      targets.remove(Integer.valueOf(targetPort));
    }
    open.forEach((socket, port) -> {
      if (port == targetPort) {
        SocketPipe.reset(socket);
        open.remove(socket);
      }
    });
  }

  /** The targets to try for one new connection: every target once, starting with the next. */
  private synchronized List<Integer> rotation() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      order.add(targets.get((next + i) % targets.size()));
    }
    next = targets.isEmpty() ? 0 : (next + 1) % targets.size();
    return order;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket server = null;
      int target = -1;
      for (int port : rotation()) {
        try {
          Socket s = new Socket();
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
          server = s;
          target = port;
          break;
        } catch (IOException refused) {
          // This target is down: the next one in turn.
        }
      }
      if (server == null) {
        SocketPipe.reset(client);
        continue;
      }
      chosen.add(target);
      open.put(client, target);
      open.put(server, target);
      SocketPipe.start(client, server, "round-robin-proxy-pump", open::remove);
      SocketPipe.start(server, client, "round-robin-proxy-pump", open::remove);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.keySet().forEach(SocketPipe::reset);
    open.clear();
  }
}
