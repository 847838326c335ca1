package org.signalbox.it;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The run command's server for one test class: started before its first test, stopped after its
 * last. Register it as a static field with {@code @RegisterExtension}.
 */
final class RunningServer implements BeforeAllCallback, AfterAllCallback {

  private final String name;
  private final Map<String, String> environment;
  private RunCommandServer server;

  /**
   * @param name names the server's log under target/
   * @param environment extra environment, such as {@code SIGNALBOX_*} settings
   */
  RunningServer(String name, Map<String, String> environment) {
    this.name = name;
    this.environment = environment;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = RunCommandServer.start(name, environment);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
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
}
