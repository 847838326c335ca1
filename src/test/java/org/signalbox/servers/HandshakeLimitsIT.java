package org.signalbox.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.signalbox.testing.DeployedChecks;

/**
 * serverNames, trustedProxies and maxConnectionsPerAddress in each server, in a deployment of
 * the built WAR of its own (the suite's main deployment keeps the defaults, which its fifty
 * concurrent clients from one address need). The client address travels from the handshake to
 * the session in the handshake's user properties; the burst of concurrent handshakes from
 * different addresses fails where a server shares that map between handshakes.
 */
@ExtendWith(ArquillianExtension.class)
class HandshakeLimitsIT {

  private static final String SERVED_NAME = "signalbox.test";
  private static final int LIMIT = 3;

  @Deployment(testable = false)
  static WebArchive war() {
    WebArchive war = BuiltWar.as("limits.war");
    String webXml;
    try (var in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
      webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String params = param("serverNames", SERVED_NAME) + param("trustedProxies", "127.0.0.1")
        + param("maxConnectionsPerAddress", Integer.toString(LIMIT));
    war.delete("WEB-INF/web.xml");
    return war.setWebXML(new StringAsset(webXml.replace("</web-app>", params + "</web-app>")));
  }

  private static String param(String name, String value) {
    return "<context-param><param-name>signalbox." + name + "</param-name><param-value>" + value
        + "</param-value></context-param>";
  }

  @ArquillianResource private URL base;

  private URI socket() {
    return URI.create(base.toString().replaceFirst("^http", "ws")).resolve("signal");
  }

  @Test
  void serverNamesAndTheForwardedSchemeDecide() {
    DeployedChecks.serverNamesAndTheForwardedSchemeDecide(socket(), SERVED_NAME);
  }

  /**
   * Every container here runs the WAR's socket filter before its upgrade (mapped ahead of the
   * container's own filters), so the filter answers 429, as the run command's Jetty does
   * (RunCommandSettingsIT).
   */
  @Test
  void connectionsPerAddressAreLimited() {
    DeployedChecks.connectionsPerAddressAreLimited(socket(), SERVED_NAME, LIMIT, 429);
  }
}
