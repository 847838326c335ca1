package org.signalbox.bench.server;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.lang.reflect.Modifier;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * The bench's Undertow: Undertow 2.3 (WildFly's web container) serving the Signalbox WAR at the
 * root context, with {@link BareForwardEndpoint} at {@code /bare}. Embedded Undertow has no WAR
 * deployer, so this one does what WildFly's does for this WAR: unpacks it, gives it its own class
 * loader, registers what its {@code web.xml} declares (listeners, filters, servlets, context
 * parameters) and the sockets under {@code WEB-INF/classes}: what its {@code
 * ServerApplicationConfig} classes choose from the {@code Endpoint} subclasses and {@code
 * @ServerEndpoint} classes found there, or every {@code @ServerEndpoint} class when it has none,
 * as the specification says. Listens on
 * 127.0.0.1 only; XNIO's default worker sizes, the run command's accept queue.
 *
 * <p>Usage: {@code UndertowBenchServer <war> <port> <work dir>}.
 */
public final class UndertowBenchServer {

  private UndertowBenchServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: UndertowBenchServer <war> <port> <work dir>");
    }
    Path exploded = unpack(Path.of(args[0]), Files.createDirectories(Path.of(args[2])).resolve("war"));
    XnioWorker worker = Xnio.getInstance().createWorker(OptionMap.create(Options.THREAD_DAEMON, true));

    ClassLoader war = warClassLoader(exploded);
    DeploymentInfo signalbox = webXml(exploded, war)
        .setContextPath("/").setDeploymentName("signalbox.war").setClassLoader(war)
        .setResourceManager(new PathResourceManager(exploded));
    WebSocketDeploymentInfo sockets = new WebSocketDeploymentInfo().setWorker(worker);
    deployEndpoints(exploded, war, sockets);
    signalbox.addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME, sockets);

    DeploymentInfo bare = Servlets.deployment()
        .setContextPath("/bare").setDeploymentName("bare")
        .setClassLoader(UndertowBenchServer.class.getClassLoader())
        .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME,
            new WebSocketDeploymentInfo().setWorker(worker).addEndpoint(BareForwardEndpoint.CONFIG));

    PathHandler paths = Handlers.path();
    for (DeploymentInfo deployment : List.of(signalbox, bare)) {
      DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
      manager.deploy();
      paths.addPrefixPath(deployment.getContextPath(), manager.start());
    }
    Undertow server = Undertow.builder()
        .addHttpListener(Integer.parseInt(args[1]), "127.0.0.1")
        // The accept queue of the run command's Jetty (jetty-graceful.xml); Undertow's is 1000.
        .setSocketOption(Options.BACKLOG, 1024)
        .setHandler(paths)
        .build();
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    Thread.currentThread().join();
  }

  private static Path unpack(Path war, Path into) throws Exception {
    try (InputStream in = Files.newInputStream(war); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IllegalArgumentException("entry outside the WAR: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return into;
  }

  private static ClassLoader warClassLoader(Path exploded) throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(exploded.resolve("WEB-INF/classes").toUri().toURL());
    try (Stream<Path> jars = Files.list(exploded.resolve("WEB-INF/lib"))) {
      for (Path jar : jars.sorted().toList()) {
        urls.add(jar.toUri().toURL());
      }
    }
    return new URLClassLoader("signalbox.war", urls.toArray(URL[]::new),
        UndertowBenchServer.class.getClassLoader());
  }

  /** What {@code WEB-INF/web.xml} declares, and the WAR's libraries' initializers. */
  @SuppressWarnings("unchecked")
  private static DeploymentInfo webXml(Path exploded, ClassLoader war) throws Exception {
    DeploymentInfo d = Servlets.deployment();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document xml = factory.newDocumentBuilder().parse(exploded.resolve("WEB-INF/web.xml").toFile());
    for (Element p : elements(xml, "context-param")) {
      d.addInitParameter(text(p, "param-name"), text(p, "param-value"));
    }
    for (Element l : elements(xml, "listener")) {
      d.addListener(Servlets.listener(
          (Class<? extends EventListener>) war.loadClass(text(l, "listener-class"))));
    }
    for (Element f : elements(xml, "filter")) {
      FilterInfo filter = Servlets.filter(text(f, "filter-name"),
          (Class<? extends Filter>) war.loadClass(text(f, "filter-class"))).setAsyncSupported(true);
      d.addFilter(filter);
    }
    for (Element m : elements(xml, "filter-mapping")) {
      d.addFilterUrlMapping(text(m, "filter-name"), text(m, "url-pattern"), DispatcherType.REQUEST);
    }
    for (Element s : elements(xml, "servlet")) {
      ServletInfo servlet = Servlets.servlet(text(s, "servlet-name"),
          (Class<? extends Servlet>) war.loadClass(text(s, "servlet-class"))).setAsyncSupported(true);
      for (Element m : elements(xml, "servlet-mapping")) {
        if (text(m, "servlet-name").equals(text(s, "servlet-name"))) {
          servlet.addMapping(text(m, "url-pattern"));
        }
      }
      d.addServlet(servlet);
    }
    for (ServletContainerInitializer sci : ServiceLoader.load(ServletContainerInitializer.class, war)) {
      if (sci.getClass().getClassLoader() == war) {
        d.addServletContainerInitializer(new ServletContainerInitializerInfo(
            sci.getClass(), new ImmediateInstanceFactory<>(sci), Set.of()));
      }
    }
    return d.addWelcomePage("index.html");
  }

  @SuppressWarnings("unchecked")
  private static void deployEndpoints(Path exploded, ClassLoader war, WebSocketDeploymentInfo sockets)
      throws Exception {
    Path classes = exploded.resolve("WEB-INF/classes");
    Set<Class<? extends Endpoint>> programmatic = new HashSet<>();
    Set<Class<?>> annotated = new HashSet<>();
    List<ServerApplicationConfig> applications = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> type = Class.forName(name, false, war);
        if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
          continue;
        }
        if (type.isAnnotationPresent(ServerEndpoint.class)) {
          annotated.add(type);
        } else if (Endpoint.class.isAssignableFrom(type)) {
          programmatic.add((Class<? extends Endpoint>) type);
        } else if (ServerApplicationConfig.class.isAssignableFrom(type)) {
          applications.add((ServerApplicationConfig) type.getConstructor().newInstance());
        }
      }
    }
    if (applications.isEmpty()) {
      for (Class<?> endpoint : annotated) {
        sockets.addEndpoint(endpoint);
      }
      return;
    }
    for (ServerApplicationConfig application : applications) {
      for (ServerEndpointConfig config : application.getEndpointConfigs(programmatic)) {
        sockets.addEndpoint(config);
      }
      for (Class<?> endpoint : application.getAnnotatedEndpointClasses(annotated)) {
        sockets.addEndpoint(endpoint);
      }
    }
  }

  private static List<Element> elements(Document xml, String name) {
    NodeList nodes = xml.getElementsByTagNameNS("*", name);
    List<Element> list = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add((Element) nodes.item(i));
    }
    return list;
  }

  private static String text(Element parent, String child) {
    return parent.getElementsByTagNameNS("*", child).item(0).getTextContent().trim();
  }
}
