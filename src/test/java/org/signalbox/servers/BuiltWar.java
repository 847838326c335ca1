package org.signalbox.servers;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
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
}
