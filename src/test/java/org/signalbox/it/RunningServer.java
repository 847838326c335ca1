package org.signalbox.it;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Store.CloseableResource;

/**
 * The run command's server for one test class: started before its first test, stopped after its
 * last. Register it as a static field with {@code @RegisterExtension}.
 *
 * <p>{@link #shared()} is one server with the default settings for every class that registers it:
 * started by the first, stopped when the test run ends (also when a test failed), which saves a
 * server start per class. It unpacks its WAR into a directory of its own, since every other run
 * command server empties target/tmp when it stops. Classes that share it use room names of their
 * own and leave nothing in it that another class could meet.
 */
final class RunningServer implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace SHARED_SERVERS =
      ExtensionContext.Namespace.create(RunningServer.class);

  private static final RunningServer SHARED = new RunningServer("browser-shared", Map.of(), true);

  private final String name;
  private final Map<String, String> environment;
  private final boolean shared;
  private RunCommandServer server;

  /**
   * @param name names the server's log under target/
   * @param environment extra environment, such as {@code SIGNALBOX_*} settings
   */
  RunningServer(String name, Map<String, String> environment) {
    this(name, environment, false);
  }

  private RunningServer(String name, Map<String, String> environment, boolean shared) {
    this.name = name;
    this.environment = environment;
    this.shared = shared;
  }

  /** The server with default settings that the classes registering this share. */
  static RunningServer shared() {
    return SHARED;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (!shared) {
      server = RunCommandServer.start(name, environment);
      return;
    }
    // The root context's store closes its resources when the whole run ends.
    server = context.getRoot().getStore(SHARED_SERVERS)
        .getOrComputeIfAbsent(name, key -> Started.start(name, environment), Started.class)
        .server();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null && !shared) {
      server.close();
    }
  }

  int port() {
    return server.port();
  }

  String origin() {
    return server.origin();
  }

  URI socket() {
    return server.socket();
  }

  /** A shared server, closed with the run's root context. */
  private record Started(RunCommandServer server) implements CloseableResource {

    static Started start(String name, Map<String, String> environment) {
      try {
        Path unpacked = RunCommandServer.projectDir().resolve("target").resolve("tmp-" + name);
        return new Started(RunCommandServer.start(name, environment,
            List.of("-Dsignalbox.jetty.tmp=" + unpacked)));
      } catch (Exception e) {
        throw new IllegalStateException("the shared server did not start", e);
      }
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
