package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.signalbox.testing.Chromium;
import org.signalbox.testing.DeployedChecks;
import org.signalbox.testing.HandshakeProbe;
import org.signalbox.testing.TestClient;

/**
 * Signalbox as one jar in a portal's own WAR ({@link PortalWar}), on each server: under the
 * portal's context, login and origin, at {@code <portal>/signalbox/}, and nowhere else; the
 * portal's own servlet and socket untouched; a signed-in user joins under their own name; and
 * two users call each other from the portal's page through {@code <webrtc-room>} loaded from
 * {@code <portal>/signalbox/js/}.
 */
// DeploymentProcesses first: its afterAll runs after Arquillian's undeploy (Payara Micro).
@ExtendWith({DeploymentProcesses.class, ArquillianExtension.class})
class PortalWarIT {

  private static final System.Logger LOG = System.getLogger(PortalWarIT.class.getName());

  private static final String ALICE = "alice.doe";
  private static final String ALICE_PASSWORD = "alice-test-password";
  private static final String ADA = "ada.admin";
  private static final String ADA_PASSWORD = "ada-test-password";
  /** A browser's join opens the fake camera first; a loaded machine has taken over 30 s. */
  private static final Duration JOIN_WAIT = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Deployment(name = "portal", testable = false)
  static WebArchive deployment() {
    return PortalWar.build("portal.war");
  }

  /** A portal that has a /signalbox of its own moves Signalbox to /calls. */
  @Deployment(name = "moved", testable = false)
  static WebArchive moved() {
    return PortalWar.build("moved.war", PortalWar.movedTo("/calls"));
  }

  @ArquillianResource
  @OperateOnDeployment("portal")
  private URL base;

  @ArquillianResource
  @OperateOnDeployment("moved")
  private URL movedBase;

  private URI portal() {
    return URI.create(base.toString());
  }

  private URI socket(String path) {
    return URI.create(base.toString().replaceFirst("^http", "ws")).resolve(path);
  }

  private String origin() {
    return base.getProtocol() + "://" + base.getAuthority();
  }

  @Test
  void signalboxServesUnderItsOwnPathAndClaimsNothingElse() {
    PortalSession alice = PortalSession.signIn(portal(), ALICE, ALICE_PASSWORD);

    HttpResponse<String> health = alice.get("signalbox/health");
    assertEquals(200, health.statusCode(), health.body());
    assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
    HttpResponse<String> client = alice.get("signalbox/js/webrtc-room-element.js");
    assertEquals(200, client.statusCode());
    assertTrue(client.headers().firstValue("Content-Type").orElse("").contains("javascript"),
        "a module script needs a JavaScript type: " + client.headers().map());
    assertTrue(client.body().contains("customElements.define('webrtc-room'"), "the element's module");
    HttpResponse<String> demo = alice.get("signalbox/");
    assertEquals(200, demo.statusCode());
    assertTrue(demo.body().contains("<title>Signalbox</title>"), "the demo page: " + demo.body());
    HttpResponse<String> metrics = alice.get("signalbox/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("signalbox_"), "Signalbox's metrics");
    assertEquals(404, alice.get("signalbox/admin/rooms").statusCode(), "adminAuth is off");

    for (String path : List.of("signal", "health", "metrics", "admin/rooms", "js/signaling.js")) {
      assertEquals(404, alice.get(path).statusCode(), "the portal's own " + path + " is not claimed");
    }
    HttpResponse<String> greeting = alice.get("greeting");
    assertEquals("the portal greets " + ALICE, greeting.body(), "the portal's own servlet");
  }

  @Test
  void thePortalsOwnSocketIsStillDeployed() throws Exception {
    PortalSession alice = PortalSession.signIn(portal(), ALICE, ALICE_PASSWORD);
    CompletableFuture<String> answer = new CompletableFuture<>();
    WebSocket echo = HttpClient.newHttpClient().newWebSocketBuilder()
        .connectTimeout(TestClient.WAIT).header("Origin", origin())
        .header("Cookie", alice.cookieHeader())
        .buildAsync(socket("echo"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            answer.complete(data.toString());
            return null;
          }
        }).get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    try {
      echo.sendText("hello", true).get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals("the portal echoes hello",
          answer.get(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS));
    } finally {
      echo.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }

  /**
   * The portal's login is Signalbox's: its session cookie opens the socket, and in container mode
   * the name is the user's, whatever the client asks for. Without a session the container's
   * login answers the handshake (its form, or a redirect to it), never with an upgrade; Payara's
   * form login does not answer it at all (it reads the body of the request it will replay after
   * the login, and an upgrade request's body has no end), until the client gives up.
   */
  @Test
  void aSignedInUserJoinsUnderTheirOwnName() {
    int status = HandshakeProbe.statusOrSilence(socket("signalbox/signal"), origin(),
        Duration.ofSeconds(3));
    assertNotEquals(101, status, "no socket without signing in (-1: no answer within 3 s)");
    LOG.log(System.Logger.Level.INFO, "a handshake without a session got {0} (-1: no answer)", status);
    PortalSession aliceSession = PortalSession.signIn(portal(), ALICE, ALICE_PASSWORD);
    PortalSession adaSession = PortalSession.signIn(portal(), ADA, ADA_PASSWORD);
    try (TestClient alice = TestClient.connectWith(socket("signalbox/signal"), origin(),
            Map.of("Cookie", aliceSession.cookieHeader()));
        TestClient ada = TestClient.connectWith(socket("signalbox/signal"), origin(),
            Map.of("Cookie", adaSession.cookieHeader()))) {
      // Settings reach Signalbox in the portal as in the standalone WAR: this one is the server
      // JVM's system property (src/test/resources/arquillian.xml), auth the portal's context
      // parameter.
      assertEquals(12, alice.welcome().getJsonObject("limits").getInt("maxRoomSize"));
      alice.send("{\"type\":\"join\",\"room\":\"portal-names\",\"name\":\"Mallory\"}");
      JsonObject aliceJoined = alice.expect("joined");
      assertEquals(ALICE, aliceJoined.getString("name"), "the user's name, not join.name");
      JsonObject adaJoined = ada.join("portal-names", "Ada");
      assertEquals(ADA, adaJoined.getString("name"));
      assertEquals(ALICE, adaJoined.getJsonArray("peers").getJsonObject(0).getString("name"));
      assertEquals(ADA, alice.expect("peer-joined").getJsonObject("peer").getString("name"));

      ada.send("{\"type\":\"signal\",\"to\":\"" + aliceJoined.getString("peerId")
          + "\",\"data\":{\"sdp\":\"offer\"}}");
      JsonObject signal = alice.expect("signal");
      assertEquals(adaJoined.getString("peerId"), signal.getString("from"));
    }
  }

  /**
   * The HTTP binding in the portal, behind its form login: the session cookie opens it, and the
   * user joins under their own name. A poll, a POST or a DELETE of that session with another
   * user's cookie is the binding's 403; without a cookie the container's login answers (its form,
   * 200, on every server; Payara answers a DELETE with 403 instead), never the binding; neither
   * reaches the session.
   */
  @Test
  void theSessionCookieOpensTheHttpBindingForItsUserOnly() {
    URI binding = DeployedChecks.httpBinding(socket("signalbox/signal"));
    assertNotFromTheBinding(DeployedChecks.httpOpen(binding, origin(), Map.of()));
    PortalSession aliceSession = PortalSession.signIn(portal(), ALICE, ALICE_PASSWORD);
    PortalSession adaSession = PortalSession.signIn(portal(), ADA, ADA_PASSWORD);
    try (TestClient alice = TestClient.connectWith(binding, origin(),
        Map.of("Cookie", aliceSession.cookieHeader()))) {
      alice.send("{\"type\":\"join\",\"room\":\"portal-http\",\"name\":\"Mallory\"}");
      assertEquals(ALICE, alice.expect("joined").getString("name"), "the user's name");
      URI session = URI.create(binding + "/" + alice.http().session());
      for (HttpResponse<String> answer : DeployedChecks.httpRequestsFor(session, origin(),
          Map.of("Cookie", adaSession.cookieHeader()))) {
        assertEquals(403, answer.statusCode(), () -> answer.request().method() + ": " + answer.body());
      }
      for (HttpResponse<String> answer :
          DeployedChecks.httpRequestsFor(session, origin(), Map.of())) {
        assertNotFromTheBinding(answer);
      }
      // Alice's next frame answers her own ping: nothing of the refused requests was handled.
      alice.send("{\"type\":\"ping\",\"id\":\"alice\"}");
      assertEquals("alice", alice.expect("pong").getString("ref"), "the session lives on");
    }
  }

  /** The container's login answered: no JSON of the binding, no 204 of a handled request. */
  private static void assertNotFromTheBinding(HttpResponse<String> answer) {
    String what = answer.request().method() + " without a session: " + answer.statusCode();
    LOG.log(System.Logger.Level.INFO, "the portal answered an HTTP binding {0}", what);
    assertTrue(answer.statusCode() == 200 || answer.statusCode() == 403, what);
    assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
        () -> what + " " + answer.headers().map());
  }

  /**
   * signalbox.path in the portal's web.xml wins over the fragment's: the socket, health and the
   * admin API move under /calls, nothing stays under /signalbox but the client's files, which
   * the jar places there, and a page that gives the client the moved socket joins.
   */
  @Test
  void thePortalMovesSignalboxWithAContextParameter() {
    URI moved = URI.create(movedBase.toString());
    PortalSession alice = PortalSession.signIn(moved, ALICE, ALICE_PASSWORD);
    assertEquals(200, alice.get("calls/health").statusCode());
    assertEquals(404, alice.get("signalbox/health").statusCode(), "moved, not copied");
    assertEquals(200, alice.get("signalbox/js/webrtc-room-element.js").statusCode());
    URI socket = URI.create(movedBase.toString().replaceFirst("^http", "ws")).resolve("calls/signal");
    // Its own origin: Payara Micro serves each deployment from a server of its own.
    String origin = movedBase.getProtocol() + "://" + movedBase.getAuthority();
    try (TestClient client = TestClient.connectWith(socket, origin,
        Map.of("Cookie", alice.cookieHeader()))) {
      assertEquals(ALICE, client.join("moved", "Alice").getString("name"));
    }
  }

  /**
   * Two portal users, each signed in through the portal's form in a browser of their own, open
   * the portal's page, click Join in its {@code <webrtc-room>} (loaded from {@code
   * <portal>/signalbox/js/}), and see each other by name, connected, with live video.
   */
  @Test
  void twoPortalUsersCallEachOtherFromThePortalsPage() {
    try (Chromium alice = signedInBrowser(ALICE, ALICE_PASSWORD);
        Chromium ada = signedInBrowser(ADA, ADA_PASSWORD)) {
      for (Chromium browser : List.of(alice, ada)) {
        browser.eval("document.querySelector('webrtc-room').shadowRoot"
            + ".querySelector('[data-testid=\"join\"]').click(); return true;");
      }
      awaitInCallWith(alice, ADA);
      awaitInCallWith(ada, ALICE);
    }
  }

  private Chromium signedInBrowser(String user, String password) {
    Chromium browser = Chromium.start();
    try {
      browser.open(base + "index.html");
      browser.await("the portal's login form", WAIT, () -> Boolean.TRUE.equals(browser.eval(
          "return !!document.querySelector('[data-testid=\"sign-in\"]');")) ? Boolean.TRUE : null);
      // Submitted on the next turn: the script returns before the page navigates away.
      browser.eval("const form = document.querySelector('[data-testid=\"sign-in\"]');"
          + "form.j_username.value = " + quote(user) + "; form.j_password.value = " + quote(password)
          + "; setTimeout(() => form.submit(), 0); return true;");
      browser.await("the portal's page with the call element, signed in", WAIT,
          () -> Boolean.TRUE.equals(browser.eval(
              "return !!document.querySelector('[data-testid=\"portal-page\"]')"
                  + " && !!customElements.get('webrtc-room');")) ? Boolean.TRUE : null);
      return browser;
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  private static void awaitInCallWith(Chromium browser, String otherName) {
    String state = "const w = document.querySelector('webrtc-room'); const room = w.room;";
    browser.await("joined as a peer", JOIN_WAIT, () -> Boolean.TRUE.equals(browser.eval(
        state + "return !!room && !!room.peerId;")) ? Boolean.TRUE : null);
    browser.await("connected to " + otherName + " with live video", JOIN_WAIT,
        () -> Boolean.TRUE.equals(browser.eval(state
            + "const peers = [...room.peers.values()];"
            + "const videos = [...w.shadowRoot.querySelectorAll('[data-testid=\"remote-video\"]')];"
            + "return peers.length === 1 && peers[0].name === " + quote(otherName)
            + " && peers[0].connectionState === 'connected'"
            + " && videos.length === 1 && videos[0].videoWidth > 0;")) ? Boolean.TRUE : null);
  }

  private static String quote(String text) {
    return jakarta.json.Json.createValue(text).toString();
  }
}
