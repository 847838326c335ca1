package org.signalbox.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.signalbox.Signalbox;
import org.signalbox.web.AdminServlet;
import org.signalbox.web.HttpBindingServlet;

/**
 * The HTTP binding's servlet in an embedded Tomcat on a free loopback port, serving the same node
 * as the test's Tyrus socket: WebSocket and HTTP clients meet in the same rooms, as they do in one
 * web application. The admin API's servlet is mapped beside it, at {@code /admin/*} as in web.xml
 * (answering 404 everywhere unless the node's settings turn it on).
 */
final class EmbeddedHttp implements AutoCloseable {

  private final Tomcat tomcat;
  private final Path baseDir;
  private final int port;

  private EmbeddedHttp(Tomcat tomcat, Path baseDir, int port) {
    this.tomcat = tomcat;
    this.baseDir = baseDir;
    this.port = port;
  }

  static EmbeddedHttp start(Signalbox node) {
    Path baseDir;
    try {
      baseDir = Files.createTempDirectory("signalbox-http");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int port = EmbeddedServer.freePort();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    // Where the web application's lifecycle listener leaves its node (web.Nodes).
    context.getServletContext().setAttribute(Signalbox.class.getName(), node);
    Wrapper servlet = Tomcat.addServlet(context, "signalbox-http", new HttpBindingServlet());
    servlet.setAsyncSupported(true);
    context.addServletMappingDecoded("/signal/http/*", "signalbox-http");
    Tomcat.addServlet(context, "signalbox-admin", new AdminServlet());
    context.addServletMappingDecoded("/admin/*", "signalbox-admin");
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException("embedded Tomcat did not start", e);
    }
    return new EmbeddedHttp(tomcat, baseDir, port);
  }

  /** {@code http://127.0.0.1:<port>/}: the web application's root. */
  URI root() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** {@code http://127.0.0.1:<port>/signal/http}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/signal/http");
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    } finally {
      try (var files = Files.walk(baseDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is not worth failing a test for
      }
    }
  }
}
