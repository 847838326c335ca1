package org.signalbox.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR the build produced, byte for byte: the server suites deploy what users deploy, not an
 * archive assembled from chosen classes.
 */
final class BuiltWar {

  private BuiltWar() {}

  /** The built WAR under {@code name}, which sets its context path on every server. */
  static WebArchive as(String name) {
    Path war = Path.of(System.getProperty("signalbox.it.war", "target/signalbox.war"));
    if (!Files.isRegularFile(war)) {
      throw new IllegalStateException(war + " is missing: run the server suites with mvn verify");
    }
    return ShrinkWrap.create(ZipImporter.class, name).importFrom(war.toFile()).as(WebArchive.class);
  }

  /**
   * The built WAR under {@code name} with {@code extra} added at the end of its web.xml, as an
   * integrator configures it (context parameters, a security constraint).
   */
  static WebArchive configured(String name, String extra) {
    WebArchive war = as(name);
    String webXml;
    try (var in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
      webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    war.delete("WEB-INF/web.xml");
    return war.setWebXML(new StringAsset(webXml.replace("</web-app>", extra + "</web-app>")));
  }

  /** A {@code signalbox.*} setting as a context parameter. */
  static String param(String name, String value) {
    return "<context-param><param-name>signalbox." + name + "</param-name><param-value>" + value
        + "</param-value></context-param>";
  }
}
