package org.signalbox.bench.server;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * The embedded server of the bench: Jetty 12 (the run command's version) serving the Signalbox
 * WAR at the root context, as {@code mvn jetty:run-war} does, and {@link BareForwardEndpoint} at
 * {@code /bare}, so the container's own forwarding ceiling is measured in the same process.
 *
 * <p>Usage: {@code BenchServer <war> <port>}; listens on 127.0.0.1 only. Jetty starts its
 * connector after the web application, so an accepting port means the WAR is deployed.
 */
public final class BenchServer {

  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: BenchServer <war> <port>");
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(Integer.parseInt(args[1]));
    server.addConnector(connector);

    WebAppContext signalbox = new WebAppContext();
    signalbox.setContextPath("/");
    signalbox.setWar(args[0]);

    ServletContextHandler bare = new ServletContextHandler();
    bare.setContextPath("/bare");
    JakartaWebSocketServletContainerInitializer.configure(
        bare, (context, container) -> container.addEndpoint(BareForwardEndpoint.class));

    server.setHandler(new ContextHandlerCollection(signalbox, bare));
    server.setStopTimeout(2000);
    server.setStopAtShutdown(true);
    server.start();
    server.join();
  }
}
