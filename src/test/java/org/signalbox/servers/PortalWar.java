package org.signalbox.servers;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * A small portal of its own, as a team would build it: its page, its servlet and socket, its
 * web.xml with a security constraint over everything and a form login, and Signalbox as one jar
 * (the build's portal jar) in WEB-INF/lib beside the jars Maven brings with it (the same as the
 * standalone WAR's WEB-INF/lib). Nothing of Signalbox is declared in the portal's web.xml but
 * {@code signalbox.auth=container}; its users are the server suites' (src/test/servers).
 */
final class PortalWar {

  static final String ROOM = "portal-call";

  private static final String WEB_XML = """
      <?xml version="1.0" encoding="UTF-8"?>
      <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
               version="6.0">
        <display-name>A portal</display-name>
        %s
        <context-param>
          <param-name>signalbox.auth</param-name>
          <param-value>container</param-value>
        </context-param>
        <servlet>
          <servlet-name>greeting</servlet-name>
          <servlet-class>org.signalbox.servers.PortalGreetingServlet</servlet-class>
        </servlet>
        <servlet-mapping>
          <servlet-name>greeting</servlet-name>
          <url-pattern>/greeting</url-pattern>
        </servlet-mapping>
        <security-constraint>
          <web-resource-collection>
            <web-resource-name>the portal</web-resource-name>
            <url-pattern>/*</url-pattern>
          </web-resource-collection>
          <auth-constraint><role-name>signalbox</role-name></auth-constraint>
        </security-constraint>
        <login-config>
          <auth-method>FORM</auth-method>
          <realm-name>portal</realm-name>
          <form-login-config>
            <form-login-page>/login.html</form-login-page>
            <form-error-page>/login-failed.html</form-error-page>
          </form-login-config>
        </login-config>
        <security-role><role-name>signalbox</role-name></security-role>
        <welcome-file-list><welcome-file>index.html</welcome-file></welcome-file-list>
      </web-app>
      """;

  /** The context parameter a portal moves Signalbox with. */
  static String movedTo(String base) {
    return "<context-param><param-name>signalbox.path</param-name><param-value>" + base
        + "</param-value></context-param>";
  }

  /** The portal's page: the call element from the portal's own origin, under its own path. */
  private static final String INDEX = """
      <!doctype html>
      <html lang="en">
      <head>
        <meta charset="utf-8">
        <title>The portal</title>
        <script type="module" src="signalbox/js/webrtc-room-element.js"></script>
      </head>
      <body>
        <h1 data-testid="portal-page">The portal's home page</h1>
        <webrtc-room room="%s" media="video"></webrtc-room>
      </body>
      </html>
      """.formatted(ROOM);

  private static final String LOGIN = """
      <!doctype html>
      <html lang="en">
      <head><meta charset="utf-8"><title>Sign in to the portal</title></head>
      <body>
        <form method="post" action="j_security_check" data-testid="sign-in">
          <label>User <input name="j_username"></label>
          <label>Password <input type="password" name="j_password"></label>
          <button type="submit">Sign in</button>
        </form>
      </body>
      </html>
      """;

  private PortalWar() {}

  static WebArchive build(String name) {
    return build(name, "");
  }

  /** The portal with {@code extra} context parameters in its web.xml. */
  static WebArchive build(String name, String extra) {
    Path jar = Path.of(System.getProperty("signalbox.it.portalJar", "target/signalbox-portal.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the server suites with mvn verify");
    }
    WebArchive portal = ShrinkWrap.create(WebArchive.class, name)
        .addClasses(PortalGreetingServlet.class, PortalEchoEndpoint.class)
        .addAsLibrary(jar.toFile())
        .addAsWebResource(new StringAsset(INDEX), "index.html")
        .addAsWebResource(new StringAsset(LOGIN), "login.html")
        .addAsWebResource(new StringAsset("<!doctype html><title>Not signed in</title>"),
            "login-failed.html")
        .setWebXML(new StringAsset(WEB_XML.formatted(extra)));
    // What Maven brings with the jar into a portal's WAR: the standalone WAR's libraries.
    BuiltWar.as("libraries.war").getContent().forEach((path, node) -> {
      if (path.get().startsWith("/WEB-INF/lib/") && path.get().endsWith(".jar")) {
        portal.add(node.getAsset(), path);
      }
    });
    return portal;
  }
}
