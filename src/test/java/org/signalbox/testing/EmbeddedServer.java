package org.signalbox.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.glassfish.tyrus.server.Server;
import org.signalbox.Signalbox;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;
import org.signalbox.room.Membership;

/**
 * The endpoint in embedded Tyrus (Grizzly) on a free loopback port, with the node started from
 * the given settings exactly as the lifecycle listener would. Settings use CONFIG.md's short
 * names; {@code allowedOrigins} defaults to {@code *} here because test clients send no Origin
 * unless a test says so.
 */
public final class EmbeddedServer implements AutoCloseable {

  private final Server server;
  private final Signalbox node;
  private final int port;
  /** The HTTP binding's container, started by the first {@link #uri(Binding)} that needs it. */
  private EmbeddedHttp http;

  private EmbeddedServer(Server server, Signalbox node, int port) {
    this.server = server;
    this.node = node;
    this.port = port;
  }

  public static EmbeddedServer start() {
    return start(Map.of());
  }

  public static EmbeddedServer start(Map<String, String> settings) {
    return start(settings, Signalbox::inMemory);
  }

  /** With the given rooms in place of the in-memory default. */
  public static EmbeddedServer start(
      Map<String, String> settings, Function<Signalbox, Membership> rooms) {
    Map<String, String> merged = new HashMap<>();
    merged.put("allowedOrigins", "*");
    merged.putAll(settings);
    // A test that shortens the heartbeat to see a silent client lost sees an HTTP client that
    // stopped polling lost as soon (2 x pollMs there, 2 x heartbeatMs on a socket).
    // Otherwise a second: a dropped HTTP client is found lost in about two seconds, not fifty.
    merged.putIfAbsent("pollMs", settings.getOrDefault("heartbeatMs", "1000"));
    Signalbox node = Signalbox.start(SettingsLoader.load(SettingSource.of(merged)), rooms);
    int port = freePort();
    Server server = new Server("127.0.0.1", port, "/", Map.of(), EmbeddedApplication.class);
    synchronized (EmbeddedServer.class) {
      EmbeddedApplication.starting = node;
      try {
        server.start();
      } catch (Exception e) {
        node.stop();
        throw new IllegalStateException("Tyrus did not start", e);
      } finally {
        EmbeddedApplication.starting = null;
      }
    }
    return new EmbeddedServer(server, node, port);
  }

  /** A loopback port nobody listens on now (Tyrus reads port 0 as its default, 8025). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code ws://127.0.0.1:<port>/signal}. */
  public URI uri() {
    return URI.create("ws://127.0.0.1:" + port + "/signal");
  }

  /** Where a client of {@code binding} connects: {@link #uri()}, or the HTTP binding's base. */
  public synchronized URI uri(Binding binding) {
    if (binding == Binding.WEBSOCKET) {
      return uri();
    }
    if (http == null) {
      http = EmbeddedHttp.start(node);
    }
    return http.uri();
  }

  /**
   * The web application's root over HTTP ({@code http://127.0.0.1:<port>/}), where the admin API
   * answers at {@code admin/}: the embedded Tomcat that also serves the HTTP binding.
   */
  public URI httpRoot() {
    uri(Binding.HTTP);
    synchronized (this) {
      return http.root();
    }
  }

  public Signalbox node() {
    return node;
  }

  /** Stops the node (closing every socket with 1001) and then the server. */
  @Override
  public void close() {
    try {
      node.stop();
    } finally {
      server.stop();
      synchronized (this) {
        if (http != null) {
          http.close();
        }
      }
    }
  }
}
