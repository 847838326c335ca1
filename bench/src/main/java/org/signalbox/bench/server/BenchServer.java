package org.signalbox.bench.server;

import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;

/**
 * The embedded server of the bench: Jetty 12 (the run command's version) configured by the run
 * command's own Jetty XML (its connector and stop timeout), serving the Signalbox WAR at the root
 * context, as {@code mvn jetty:run-war} does, and {@link BareForwardEndpoint} at {@code /bare}, so
 * the container's own forwarding ceiling is measured in the same process.
 *
 * <p>Usage: {@code BenchServer <war> <port> <jetty xml>}. Jetty starts its connector after the
 * web application, so an accepting port means the WAR is deployed.
 */
public final class BenchServer {

  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: BenchServer <war> <port> <jetty xml>");
    }
    Server server = new Server();
    XmlConfiguration xml =
        new XmlConfiguration(ResourceFactory.root().newResource(Path.of(args[2])));
    xml.getProperties().put("signalbox.port", args[1]);
    xml.configure(server);

    WebAppContext signalbox = new WebAppContext();
    signalbox.setContextPath("/");
    signalbox.setWar(args[0]);

    ServletContextHandler bare = new ServletContextHandler();
    bare.setContextPath("/bare");
    JakartaWebSocketServletContainerInitializer.configure(
        bare, (context, container) -> container.addEndpoint(BareForwardEndpoint.CONFIG));

    server.setHandler(new ContextHandlerCollection(signalbox, bare));
    server.setStopAtShutdown(true);
    server.start();
    server.join();
  }
}
