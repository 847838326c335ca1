package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.LogCapture;
import org.signalbox.testing.TestClient;

/**
 * PORTAL.md: admin calls are written to the log at INFO, saying who, what and which room. The
 * admin servlet in an embedded Tomcat beside the node, called over HTTP as a portal's back end
 * calls it; its log records caught as they are written.
 */
class AdminLogTest {

  private static final String LOGGER = AdminServlet.class.getName();
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(10);

  @Test
  void everyAdminCallIsLoggedWithWhoWhatAndWhichRoom() {
    try (LogCapture log = new LogCapture(Level.INFO);
        EmbeddedServer server = EmbeddedServer.start(
            Map.of("adminAuth", "token", "adminSecret", Tokens.ADMIN_SECRET));
        TestClient ann = TestClient.connect(server.uri());
        TestClient ben = TestClient.connect(server.uri())) {
      URI root = server.httpRoot();
      String admin = "Bearer " + Tokens.admin("ops-desk");
      ann.join("audited", "Ann");
      ben.join("audited", "Ben");

      assertEquals(200, AdminChecks.call(root, "GET", "admin/rooms", null, admin).status());
      assertEquals(200, AdminChecks.call(root, "GET", "admin/rooms/audited", null, admin).status());
      assertEquals(202, AdminChecks.call(root, "POST", "admin/rooms/audited/messages",
          "{\"data\":\"notice\"}", admin).status());
      assertEquals(204, AdminChecks.call(root, "DELETE",
          "admin/rooms/audited/peers/" + ben.welcomePeerId(), null, admin).status());
      assertEquals(204, AdminChecks.call(root, "DELETE", "admin/rooms/audited", null, admin)
          .status());
      assertEquals(404, AdminChecks.call(root, "DELETE", "admin/rooms/audited", null, admin)
          .status());
      assertEquals(401, AdminChecks.call(root, "DELETE", "admin/rooms/audited", null, null)
          .status());
      assertEquals(403, AdminChecks.call(root, "DELETE", "admin/rooms/audited", null,
          "Bearer " + Tokens.sign(Tokens.adminClaims("viewer").build(), Tokens.ADMIN_SECRET,
              com.nimbusds.jose.JWSAlgorithm.HS256)).status());

      String who = "INFO admin: token sub=ops-desk from 127.0.0.1: ";
      // Sorted: the servlet logs once its answer is written, so two calls' lines may swap.
      assertEquals(sorted(List.of(
          who + "list rooms -> 200",
          who + "inspect room audited -> 200",
          who + "message room audited -> 202",
          who + "remove peer " + ben.welcomePeerId() + " from room audited -> 204",
          who + "close room audited -> 204",
          who + "close room audited -> 404",
          "INFO admin: refused from 127.0.0.1: DELETE /admin/rooms/audited -> 401",
          "INFO admin: refused from 127.0.0.1: DELETE /admin/rooms/audited -> 403")),
          sorted(log.awaitMessages(LOGGER, 8, WAIT)), "one INFO line per call");
      assertEquals(List.of(), log.lines().stream().filter(l -> !l.startsWith("INFO")).toList(),
          "nothing logged at WARNING or worse");
    }
  }

  /**
   * The path is logged as the container decoded it, also before the caller is known: a line
   * break in it ({@code %0A}, {@code %0D}, U+2028) is written escaped, so that nobody who reaches
   * the API can add lines of their own to the log.
   */
  @Test
  void aPathCannotWriteLinesOfItsOwnIntoTheLog() {
    try (LogCapture log = new LogCapture(Level.INFO);
        EmbeddedServer server = EmbeddedServer.start(
            Map.of("adminAuth", "token", "adminSecret", Tokens.ADMIN_SECRET))) {
      URI root = server.httpRoot();
      String admin = "Bearer " + Tokens.admin("ops-desk");
      assertEquals(401, AdminChecks.call(root, "GET",
          "admin/rooms/x%0AINFO:%20admin:%20forged%0D%0A", null, null).status());
      assertEquals(400, AdminChecks.call(root, "GET", "admin/rooms/x%E2%80%A8forged", null, admin)
          .status());
      assertEquals(404, AdminChecks.call(root, "DELETE", "admin/rooms/r/peers/p%0Aforged", null,
          admin).status());
      assertEquals(sorted(List.of(
          "INFO admin: refused from 127.0.0.1: GET /admin/rooms/x\\u000aINFO: admin: forged"
              + "\\u000d\\u000a -> 401",
          "INFO admin: token sub=ops-desk from 127.0.0.1: GET /admin/rooms/x\\u2028forged -> 400",
          "INFO admin: token sub=ops-desk from 127.0.0.1: remove peer p\\u000aforged from room r"
              + " -> 404")),
          sorted(log.awaitMessages(LOGGER, 3, WAIT)));
      assertEquals(List.of(), log.lines().stream().filter(l -> !l.startsWith("INFO")).toList(),
          "nothing logged at WARNING or worse");
    }
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
