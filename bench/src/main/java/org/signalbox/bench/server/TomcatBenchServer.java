package org.signalbox.bench.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * The bench's Tomcat: embedded Tomcat (the version the WAR is tested on) deploying the Signalbox
 * WAR at the root context as a standalone Tomcat would, with {@link BareForwardEndpoint} at
 * {@code /bare}. Default connector settings (NIO) but the accept queue, which is the run
 * command's; listening on 127.0.0.1 only. {@code -Dbench.tomcat.maxThreads=N} sets the
 * connector's thread pool (Tomcat's default is 200), for the A/B of a smaller one.
 *
 * <p>Usage: {@code TomcatBenchServer <war> <port> <work dir>}.
 */
public final class TomcatBenchServer {

  private TomcatBenchServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: TomcatBenchServer <war> <port> <work dir>");
    }
    Path work = Files.createDirectories(Path.of(args[2]));
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(work.toString());
    Files.createDirectories(work.resolve("webapps"));
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(Integer.parseInt(args[1]));
    connector.setProperty("address", "127.0.0.1");
    // The accept queue of the run command's Jetty (jetty-graceful.xml), not Tomcat's 100.
    connector.setProperty("acceptCount", "1024");
    String maxThreads = System.getProperty("bench.tomcat.maxThreads");
    if (maxThreads != null) {
      connector.setProperty("maxThreads", maxThreads);
    }
    tomcat.setConnector(connector);

    // Tomcat's default web.xml also maps JSPs, which this WAR has none of (and embedded Tomcat
    // has no Jasper): only its default servlet is added, for the demo's static files.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context signalbox = tomcat.addWebapp("", Path.of(args[0]).toAbsolutePath().toString());
    staticFiles(signalbox);
    // The WAR is scanned as Tomcat always does; the bench's own classpath is not part of it.
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false);
    signalbox.setJarScanner(scanner);

    Context bare = tomcat.addContext("/bare", null);
    bare.addServletContainerInitializer(new WsSci(), Set.of(BareForwardEndpoint.class, BareForwardEndpoint.Application.class));
    // A request no servlet maps is answered 404 before the upgrade filter sees it.
    staticFiles(bare);

    tomcat.getServer().setParentClassLoader(TomcatBenchServer.class.getClassLoader());
    tomcat.start();
    tomcat.getServer().await();
  }

  private static void staticFiles(Context context) {
    Tomcat.addServlet(context, "default", new DefaultServlet());
    context.addServletMappingDecoded("/", "default");
    context.addWelcomeFile("index.html");
    Tomcat.addDefaultMimeTypeMappings(context);
  }
}
