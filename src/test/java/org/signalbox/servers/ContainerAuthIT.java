package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.DeployedChecks;
import org.signalbox.testing.HandshakeProbe;
import org.signalbox.testing.TestClient;
import org.signalbox.testing.WebhookReceiver;

/**
 * auth=container on each server: the built WAR, configured the way a portal integrator would
 * (context parameter {@code signalbox.auth=container}, and in the secured deployment a security
 * constraint with BASIC login), with the same users, passwords and roles in each server's own
 * store, set up in the test server only (src/test/servers): Tomcat's user database
 * (tomcat/conf/tomcat-users.xml), WildFly's ApplicationRealm (wildfly/standalone/configuration,
 * used through the default security domain {@code other}), Payara Micro's file realm (users
 * created by payara/postboot.asadmin, groups mapped to the roles of their names). No
 * container-specific descriptor is added to the WAR.
 */
// DeploymentProcesses first: its afterAll runs last, after Arquillian has undeployed (Payara
// Micro's adapter starts a JVM per deployment and would leave the first of the two running).
@ExtendWith({DeploymentProcesses.class, ArquillianExtension.class})
class ContainerAuthIT {

  private static final String CONTAINER_AUTH =
      "<context-param><param-name>signalbox.auth</param-name>"
          + "<param-value>container</param-value></context-param>";

  /** TURN is configured: its credentials must reach only the admitted, in joined. */
  private static final String TURN =
      "<context-param><param-name>signalbox.turnUrls</param-name>"
          + "<param-value>turn:turn.example.org:3478</param-value></context-param>"
          + "<context-param><param-name>signalbox.turnSecret</param-name>"
          + "<param-value>coturn-static-auth-secret</param-value></context-param>";

  private static final String SECURITY =
      "<security-constraint><web-resource-collection><web-resource-name>signalbox</web-resource-name>"
          + "<url-pattern>/*</url-pattern></web-resource-collection>"
          + "<auth-constraint><role-name>signalbox</role-name></auth-constraint></security-constraint>"
          + "<login-config><auth-method>BASIC</auth-method><realm-name>portal</realm-name></login-config>"
          + "<security-role><role-name>signalbox</role-name></security-role>";

  private static WebArchive configured(String name, String extra) {
    return BuiltWar.configured(name, extra);
  }

  /** The admin API in container mode: the role signalbox-admin, checked by the servlet. */
  private static final String ADMIN_CONTAINER = BuiltWar.param("adminAuth", "container");

  private static final String WEBHOOK_SECRET = "a webhook secret of at least thirty-two bytes";

  /**
   * The portal's webhook receiver, in this JVM on a loopback port, known before the secured
   * deployment is built: it sees the events of the secured deployment, whose joins name the
   * principal as their identity.
   */
  private static final WebhookReceiver HOOKS = WebhookReceiver.start(WEBHOOK_SECRET);

  @Deployment(name = "secured", testable = false)
  static WebArchive secured() {
    return configured("secured.war", CONTAINER_AUTH + TURN + SECURITY + ADMIN_CONTAINER
        + BuiltWar.param("webhookUrls", HOOKS.url())
        + BuiltWar.param("webhookSecret", WEBHOOK_SECRET));
  }

  @AfterAll
  static void stopTheReceiver() {
    HOOKS.close();
  }

  @Deployment(name = "unsecured", testable = false)
  static WebArchive unsecured() {
    return configured("unsecured.war", CONTAINER_AUTH);
  }

  private static URI socket(URL base) {
    return URI.create(base.toString().replaceFirst("^http", "ws")).resolve("signal");
  }

  private static String origin(URL base) {
    return base.getProtocol() + "://" + base.getAuthority();
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The HTTP status a WebSocket handshake with these credentials gets (101 when it opens). */
  private static int handshake(URL base, String authorization) {
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10)).header("Origin", origin(base));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    try {
      WebSocket socket = builder.buildAsync(socket(base), new WebSocket.Listener() {})
          .orTimeout(10, TimeUnit.SECONDS).join();
      socket.abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  @Test
  void withoutCredentialsTheHandshakeIsRefused(@ArquillianResource @OperateOnDeployment("secured") URL base) {
    assertEquals(401, handshake(base, null), "the container asks for credentials");
    assertEquals(401, handshake(base, basic("alice.doe", "wrong-password")));
    assertEquals(403, handshake(base, basic("no.role", "no-role-test-password")),
        "authenticated but not in the role");
  }

  @Test
  void goodCredentialsJoinUnderThePrincipalsName(
      @ArquillianResource @OperateOnDeployment("secured") URL base) {
    try (TestClient alice = TestClient.connect(socket(base), origin(base),
        basic("alice.doe", "alice-test-password"))) {
      alice.send("{\"type\":\"join\",\"room\":\"sso\",\"name\":\"Mallory\"}");
      assertEquals(0, alice.welcome().getJsonArray("iceServers").size(),
          "no TURN credentials before admission");
      JsonObject joined = alice.expect("joined");
      assertEquals("alice.doe", joined.getString("name"), "the principal's name, not join.name");
      JsonObject turn = joined.getJsonArray("iceServers").getJsonObject(0);
      assertTrue(turn.getString("username").endsWith(":" + joined.getString("peerId")));
      assertFalse(turn.getString("credential").isEmpty());

      // PORTAL.md: peer.joined names the principal as the identity in container mode.
      Predicate<WebhookReceiver.Delivery> aliceJoined = d -> d.type().equals("peer.joined")
          && d.data().getString("peerId").equals(joined.getString("peerId"));
      WebhookReceiver.Delivery event = HOOKS.await(
          list -> list.stream().anyMatch(aliceJoined), Duration.ofSeconds(30))
          .stream().filter(aliceJoined).findFirst().orElseThrow();
      assertTrue(event.signed(), event.body());
      assertEquals("sso", event.data().getString("room"));
      assertEquals("alice.doe", event.data().getString("identity"), event.body());
      assertEquals("alice.doe", event.data().getString("name"));
    }
  }

  /**
   * adminAuth=container: the container authenticates (its own 401 without or with wrong
   * credentials), a user without signalbox-admin gets the API's 403, and an admin lists,
   * removes, closes and sends messages with the same Basic credentials, reads the OpenAPI
   * document, and gets the API's own 404, 400 and 413 for its mistakes.
   */
  @Test
  void theAdminApiNeedsTheContainerRole(@ArquillianResource @OperateOnDeployment("secured") URL base) {
    URI root = URI.create(base.toString());
    assertEquals(401, AdminChecks.call(root, "GET", "admin/rooms", null, null).status());
    assertEquals(401, AdminChecks.call(root, "GET", "admin/rooms", null,
        basic("ada.admin", "wrong-password")).status());
    AdminChecks.Answer notAdmin = AdminChecks.call(root, "GET", "admin/rooms", null,
        basic("alice.doe", "alice-test-password"));
    assertEquals(403, notAdmin.status(), notAdmin.body());
    assertEquals("forbidden", notAdmin.error());

    AdminChecks admin = new AdminChecks(root, socket(base), origin(base),
        basic("ada.admin", "ada-test-password"), basic("alice.doe", "alice-test-password"));
    admin.listInspectAndRemoveAPeer("admin-sso-remove");
    admin.closeARoom("admin-sso-close");
    admin.sendServerMessages("admin-sso-message");
    admin.refusalsOfAnAdmin("admin-sso-refusals", 65536);
    admin.openApiDocument();
  }

  /**
   * adminAuth off (the unsecured deployment leaves it unset): every admin path is 404, with or
   * without an admin's credentials, and nothing hints at an admin API.
   */
  @Test
  void withTheAdminApiOffEveryAdminPathIsNotFound(
      @ArquillianResource @OperateOnDeployment("unsecured") URL base) {
    AdminChecks.offIsNotFound(URI.create(base.toString()), basic("ada.admin", "ada-test-password"));
  }

  /**
   * The HTTP binding behind the same login. The container's constraint answers a request without
   * credentials (401) or without the role (403) before the binding sees it. Alice's credentials
   * open a session that joins under her name (BASIC gives no session cookie on any of these
   * servers: a browser sends the credentials with every request, and so does this client). A
   * poll, a POST or a DELETE of her session with Ada's credentials is the binding's 403, without
   * credentials the container's 401, and none of them reaches the session.
   */
  @Test
  void theHttpBindingServesOnlyTheUserWhoOpenedASession(
      @ArquillianResource @OperateOnDeployment("secured") URL base) {
    URI binding = DeployedChecks.httpBinding(socket(base));
    String origin = origin(base);
    assertEquals(401, DeployedChecks.httpOpen(binding, origin, Map.of()).statusCode(),
        "the container asks for credentials");
    assertEquals(403, DeployedChecks.httpOpen(binding, origin,
        Map.of("Authorization", basic("no.role", "no-role-test-password"))).statusCode(),
        "authenticated but not in the role");
    try (TestClient alice = TestClient.connectWith(binding, origin,
        Map.of("Authorization", basic("alice.doe", "alice-test-password")))) {
      alice.send("{\"type\":\"join\",\"room\":\"sso-http\",\"name\":\"Mallory\"}");
      assertEquals("alice.doe", alice.expect("joined").getString("name"), "the principal's name");
      URI session = URI.create(binding + "/" + alice.http().session());
      Map<String, Integer> refusals = Map.of(basic("ada.admin", "ada-test-password"), 403, "", 401);
      refusals.forEach((authorization, status) -> {
        Map<String, String> headers =
            authorization.isEmpty() ? Map.of() : Map.of("Authorization", authorization);
        for (HttpResponse<String> answer :
            DeployedChecks.httpRequestsFor(session, origin, headers)) {
          assertEquals(status, answer.statusCode(), () -> answer.request().method() + " "
              + (authorization.isEmpty() ? "without credentials" : "as Ada") + ": " + answer.body());
        }
      });
      // Alice's next frame answers her own ping: nothing of the refused requests was handled.
      alice.send("{\"type\":\"ping\",\"id\":\"alice\"}");
      assertEquals("alice", alice.expect("pong").getString("ref"), "the session lives on");
    }
  }

  /**
   * Without a security constraint the binding refuses an open without a user with its own 403,
   * and so with credentials: no server authenticates a request its constraints do not cover.
   */
  @Test
  void withoutASecurityConstraintAnHttpOpenWithoutAUserIsRefusedWith403(
      @ArquillianResource @OperateOnDeployment("unsecured") URL base) {
    URI binding = DeployedChecks.httpBinding(socket(base));
    for (Map<String, String> headers : List.of(Map.<String, String>of(),
        Map.of("Authorization", basic("alice.doe", "alice-test-password")))) {
      HttpResponse<String> refused = DeployedChecks.httpOpen(binding, origin(base), headers);
      assertEquals(403, refused.statusCode(), refused::body);
      assertTrue(refused.body().contains("authentication required"), refused::body);
    }
  }

  @Test
  void withoutASecurityConstraintAHandshakeWithoutAUserIsRefusedWith403(
      @ArquillianResource @OperateOnDeployment("unsecured") URL base) {
    assertEquals(403, HandshakeProbe.status(socket(base), origin(base)));
  }
}
