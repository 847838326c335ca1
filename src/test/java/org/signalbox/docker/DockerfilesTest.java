package org.signalbox.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The images in docker/ run the server versions the Arquillian suites test. There is no Docker
 * engine here to build them, so this is what keeps them honest: the versions come from the same
 * pom properties the server profiles use (passed in by Surefire), and a bump of one without the
 * other fails the build.
 */
class DockerfilesTest {

  private static final Path BASEDIR = Path.of(System.getProperty("signalbox.it.basedir", "."));
  private static final Pattern FROM = Pattern.compile("(?m)^FROM\\s+(\\S+):(\\S+)\\s*$");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "tomcat,  tomcat,                  signalbox.version.tomcat,  /usr/local/tomcat/webapps/signalbox.war",
    "wildfly, quay.io/wildfly/wildfly, signalbox.version.wildfly, /opt/jboss/wildfly/standalone/deployments/signalbox.war",
    "payara,  payara/micro,            signalbox.version.payara,  /opt/payara/deployments/signalbox.war",
  })
  void imageRunsTheTestedServerVersionWithTheBuiltWar(
      String server, String image, String versionProperty, String warPath) throws IOException {
    String version = System.getProperty(versionProperty);
    assertTrue(version != null && !version.isBlank(), versionProperty + " is passed by Surefire");
    String dockerfile = Files.readString(BASEDIR.resolve("docker/" + server + "/Dockerfile"));

    assertEquals(1, FROM.matcher(dockerfile).results().count(), "one FROM line");
    Matcher from = FROM.matcher(dockerfile);
    assertTrue(from.find());
    assertEquals(image, from.group(1), "base image");
    String tag = from.group(2);
    assertTrue(tag.equals(version) || tag.startsWith(version + "-"),
        "docker/" + server + "/Dockerfile runs " + tag + " but the " + server
            + " suite tests " + version + ": change both together");

    Matcher copy = Pattern.compile("(?m)^COPY\\s+(?:--chown=\\S+\\s+)?target/signalbox\\.war\\s+(\\S+)\\s*$")
        .matcher(dockerfile);
    assertTrue(copy.find(), "the image copies the WAR the build produced");
    assertEquals(warPath, copy.group(1), "where " + server + " deploys it");
  }

  @Test
  void composeRunsTheTomcatImageWithCoturnAndTurnCredentials() throws IOException {
    String compose = Files.readString(BASEDIR.resolve("docker/compose.yaml"));
    assertTrue(compose.contains("dockerfile: docker/tomcat/Dockerfile"), compose);
    assertTrue(compose.contains("image: coturn/coturn:"), compose);
    assertTrue(compose.contains("SIGNALBOX_TURN_SECRET:"), compose);
    assertTrue(compose.contains("--static-auth-secret=${TURN_SECRET}"),
        "coturn and Signalbox share one secret");
    assertTrue(compose.contains("./coturn/turnserver.conf:"),
        "coturn runs docker/coturn/turnserver.conf (use-auth-secret: TURN REST credentials)");
  }

  /**
   * The Tomcat image raises the accept queue with a sed over the stock server.xml. Applied here
   * to the server.xml of the very distribution the tomcat suite runs, it must change exactly the
   * one live HTTP connector (not one in a comment), and the image's own grep must then find it.
   */
  @Test
  void tomcatImageRaisesTheAcceptQueueOfItsHttpConnector() throws Exception {
    String dockerfile = Files.readString(BASEDIR.resolve("docker/tomcat/Dockerfile"));
    Matcher run = Pattern.compile(
        "(?m)^RUN sed -i 's\\|([^|]+)\\|&([^|]+)\\|' (\\S+) \\\\\\n && grep -q '([^']+)' \\3$")
        .matcher(dockerfile);
    assertTrue(run.find(), "docker/tomcat/Dockerfile edits server.xml with one sed and checks it with grep");
    assertEquals("/usr/local/tomcat/conf/server.xml", run.group(3));

    Path distribution = Path.of(System.getProperty("signalbox.tomcat.distribution", "none"));
    Assumptions.assumeTrue(Files.isRegularFile(distribution),
        "the tomcat suite's distribution is resolved (scripts/test.sh does so first): " + distribution);
    String stock;
    try (ZipFile zip = new ZipFile(distribution.toFile())) {
      String entry = "apache-tomcat-" + System.getProperty("signalbox.version.tomcat") + "/conf/server.xml";
      stock = new String(zip.getInputStream(zip.getEntry(entry)).readAllBytes(), StandardCharsets.UTF_8);
    }
    String match = run.group(1);
    assertEquals(1, stock.split(Pattern.quote(match), -1).length - 1, "the sed matches one line: " + match);
    String edited = stock.replace(match, match + run.group(2));
    assertTrue(edited.contains(run.group(4)), "the image's grep finds the edit");

    var connectors = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(edited.getBytes(StandardCharsets.UTF_8)))
        .getElementsByTagName("Connector");
    int http = 0;
    for (int i = 0; i < connectors.getLength(); i++) {
      var connector = (org.w3c.dom.Element) connectors.item(i);
      if (connector.getAttribute("protocol").equals("HTTP/1.1")) {
        http++;
        assertEquals("8080", connector.getAttribute("port"));
        assertEquals("1024", connector.getAttribute("acceptCount"));
      }
    }
    assertEquals(1, http, "the stock server.xml has one live HTTP connector");
  }
}
