package org.signalbox.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
}
