package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.signalbox.testing.TestClient;

/**
 * Undeploying the WAR closes its live sockets with 1001, so browsers reconnect elsewhere. The
 * deployment is driven by hand; its URL can only be injected once it is deployed, hence two
 * ordered steps.
 */
// DeploymentProcesses first: its afterAll runs last, after Arquillian has undeployed.
@ExtendWith({DeploymentProcesses.class, ArquillianExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UndeployIT {

  private static final String NAME = "undeployed";

  @Deployment(name = NAME, managed = false, testable = false)
  static WebArchive war() {
    return BuiltWar.as("signalbox.war");
  }

  @ArquillianResource private Deployer deployer;

  @Test
  @Order(1)
  void deploy() {
    deployer.deploy(NAME);
  }

  @Test
  @Order(2)
  void undeployClosesLiveSocketsWith1001(@ArquillianResource @OperateOnDeployment(NAME) URL base) {
    URI socket = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("signal");
    String origin = base.getProtocol() + "://" + base.getAuthority();
    try (TestClient joined = TestClient.connect(socket, origin);
        TestClient idle = TestClient.connect(socket, origin)) {
      joined.join("going-away", "Joined");
      idle.welcome();
      deployer.undeploy(NAME);
      assertEquals(1001, joined.awaitClose(Duration.ofSeconds(30)));
      assertEquals(1001, idle.awaitClose(Duration.ofSeconds(30)));
    }
    // Undeploy returns once the container has stopped the application, which is when Tomcat
    // reports threads the application left running.
    assertEquals(List.of(), ServerLog.problems(), "warnings about Signalbox in " + ServerLog.path());
  }
}
