package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.signalbox.testing.RedisServer;
import org.signalbox.testing.TestClient;

/**
 * The cluster mode inside each server: two deployments of the built WAR in one server, each a
 * node (its own context, its own Redis client with its Netty threads), sharing one real Redis. A
 * room spans them, relays cross through Redis, a peer lost on one resumes on the other with
 * what was buffered, and undeploying both leaves no warning about Signalbox (Tomcat reports
 * threads an application left behind).
 */
// DeploymentProcesses first: its afterAll runs last, after Arquillian has undeployed.
@ExtendWith({DeploymentProcesses.class, ArquillianExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterOnServerIT {

  private static final System.Logger LOG = System.getLogger(ClusterOnServerIT.class.getName());
  private static final String A = "node-a";
  private static final String B = "node-b";
  private static final String ARCHIVE_A = "signalbox-a.war";
  private static final String ARCHIVE_B = "signalbox-b.war";
  private static final Duration WAIT = Duration.ofSeconds(20);
  /**
   * HTTP/1.1, as a load balancer's health check: the default HTTP/2 upgrade over plain HTTP met
   * GOAWAY from Payara Micro and failed the poll instead of reading the status.
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Started with the class: Arquillian builds the deployments, which name its URL, first. */
  private static final RedisServer redis = startRedis();

  @ArquillianResource private Deployer deployer;

  private static RedisServer startRedis() {
    try {
      return RedisServer.start("server-" + System.getProperty("arquillian.launch"), false);
    } catch (Exception e) {
      throw new IllegalStateException("redis-server did not start", e);
    }
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  /** The built WAR as {@code name}, its web.xml pointing it at the test's Redis. */
  private static WebArchive node(String name) {
    WebArchive war = BuiltWar.as(name);
    String webXml;
    try (var in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
      webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String param = "<context-param><param-name>signalbox.redisUrl</param-name>"
        + "<param-value>" + redis.url() + "</param-value></context-param>"
        + "<context-param><param-name>signalbox.resumeGraceMs</param-name>"
        + "<param-value>20000</param-value></context-param>";
    war.delete("WEB-INF/web.xml");
    return war.setWebXML(new StringAsset(webXml.replace("</web-app>", param + "</web-app>")));
  }

  @Deployment(name = A, managed = false, testable = false)
  static WebArchive nodeA() {
    return node(ARCHIVE_A);
  }

  @Deployment(name = B, managed = false, testable = false)
  static WebArchive nodeB() {
    return node(ARCHIVE_B);
  }

  @Test
  @Order(1)
  void deployTwoNodes() {
    deployer.deploy(A);
    deployer.deploy(B);
  }

  @Test
  @Order(2)
  void aRoomSpansTheTwoNodesAndAPeerResumesAcrossThem(
      @ArquillianResource @OperateOnDeployment(A) URL a,
      @ArquillianResource @OperateOnDeployment(B) URL b) throws Exception {
    awaitHealth(a, 200);
    awaitHealth(b, 200);
    try (TestClient alice = TestClient.connect(socket(a), origin(a));
        TestClient bob = TestClient.connect(socket(b), origin(b))) {
      String aliceId = alice.join("portable", "Alice").getString("peerId");
      JsonObject joined = bob.join("portable", "Bob");
      String bobId = joined.getString("peerId");
      assertEquals(aliceId, joined.getJsonArray("peers").getJsonObject(0).getString("peerId"));
      assertEquals(bobId, alice.expect("peer-joined").getJsonObject("peer").getString("peerId"));

      alice.send("{\"type\":\"signal\",\"to\":\"" + bobId + "\",\"data\":{\"sdp\":\"offer\"}}");
      assertEquals(aliceId, bob.expect("signal").getString("from"));
      bob.send("{\"type\":\"signal\",\"to\":\"" + aliceId + "\",\"data\":{\"sdp\":\"answer\"}}");
      assertEquals("answer", alice.expect("signal").getJsonObject("data").getString("sdp"));
      bob.send("{\"type\":\"message\",\"data\":\"to all\"}");
      assertEquals("to all", alice.expect("message").getString("data"));

      // Bob's network drops (no close frame); once his node noticed, Alice's chat is held.
      bob.abort();
      awaitConnections(b, 0);
      alice.send("{\"type\":\"message\",\"to\":\"" + bobId + "\",\"data\":\"while away\"}");
      try (TestClient back = TestClient.connect(socket(a), origin(a))) {
        back.send("{\"type\":\"join\",\"room\":\"portable\",\"resume\":\""
            + joined.getString("resumeToken") + "\"}");
        JsonObject resumed = back.expect("joined");
        assertTrue(resumed.getBoolean("resumed"), resumed.toString());
        assertEquals(bobId, resumed.getString("peerId"));
        assertEquals("while away", back.expect("message").getString("data"));
        back.send("{\"type\":\"signal\",\"to\":\"" + aliceId + "\",\"data\":{\"back\":true}}");
        assertTrue(alice.expect("signal").getJsonObject("data").getBoolean("back"));
        alice.expectNothing(Duration.ofMillis(300)); // no peer-left: Bob never left
      }
    }
  }

  @Test
  @Order(3)
  void undeployingBothLeavesNothingBehind() {
    deployer.undeploy(A);
    deployer.undeploy(B);
    // Payara Micro runs each node in a JVM of its own, and its adapter loses the first one (see
    // DeploymentProcesses): end it here, so that its undeploy is in the log checked below.
    List<String> ended = DeploymentProcesses.end(DeploymentProcesses.GRACE, ARCHIVE_A, ARCHIVE_B);
    LOG.log(System.Logger.Level.INFO, "still serving a node after undeploy, ended: {0}", ended);
    assertEquals(List.of(), DeploymentProcesses.running(ARCHIVE_A, ARCHIVE_B),
        "no process serves a node any more; ended after undeploy: " + ended);
    assertEquals(List.of(), ServerLog.problems(), "warnings about Signalbox in " + ServerLog.path());
  }

  private static URI socket(URL base) {
    return URI.create(base.toString().replaceFirst("^http", "ws")).resolve("signal");
  }

  private static String origin(URL base) {
    return base.getProtocol() + "://" + base.getAuthority();
  }

  private static HttpResponse<String> health(URL base) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve("health"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitHealth(URL base, int status) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = healthOrTimeout(base);
    while (!last.startsWith(status + " ") && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling the server: there is no event to await
      last = healthOrTimeout(base);
    }
    assertTrue(last.startsWith(status + " "), base + "health: " + last);
  }

  /**
   * The status and body of /health, or the timeout: a server that just started (Payara Micro
   * on a busy machine) may take longer than one request's timeout to answer its first ones.
   */
  private static String healthOrTimeout(URL base) throws Exception {
    try {
      HttpResponse<String> response = health(base);
      return response.statusCode() + " " + response.body();
    } catch (HttpTimeoutException e) {
      return "no answer within a request's timeout";
    }
  }

  private static void awaitConnections(URL base, int connections) throws Exception {
    String want = "\"connections\":" + connections + ",";
    long deadline = System.nanoTime() + WAIT.toNanos();
    String body = health(base).body();
    while (!body.contains(want) && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling the server: there is no event to await
      body = health(base).body();
    }
    assertTrue(body.contains(want), base + "health: " + body);
  }
}
