package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PORTAL.md's table, read from method and path; every other request refused with its code. */
class AdminRouteTest {

  private static AdminAnswer refused(String method, String path) {
    return assertThrows(AdminFailure.class, () -> AdminRoute.of(method, path)).answer();
  }

  @Test
  void everyRowOfTheTableIsRouted() throws Exception {
    assertEquals(new AdminRoute.ListRooms(), AdminRoute.of("GET", "/rooms"));
    assertEquals(new AdminRoute.ShowRoom("stand.up:1_a-b"), AdminRoute.of("GET", "/rooms/stand.up:1_a-b"));
    assertEquals(new AdminRoute.CloseRoom("r"), AdminRoute.of("DELETE", "/rooms/r"));
    assertEquals(new AdminRoute.RemovePeer("r", "p_1"), AdminRoute.of("DELETE", "/rooms/r/peers/p_1"));
    assertEquals(new AdminRoute.SendMessage("r"), AdminRoute.of("POST", "/rooms/r/messages"));
    assertEquals(new AdminRoute.OpenApi(), AdminRoute.of("GET", "/openapi.json"));
  }

  @Test
  void unknownPathsAre404() {
    for (String path : new String[] {null, "", "/", "/rooms/", "/room", "/rooms/r/peers",
        "/rooms/r/peers/", "/rooms/r/peers/p/x", "/rooms/r/other", "/openapi.yaml", "rooms"}) {
      AdminAnswer answer = refused("GET", path);
      assertEquals(404, answer.status(), path);
      assertTrue(answer.body().startsWith("{\"error\":\"not-found\",\"message\":"), answer.body());
    }
  }

  @Test
  void aRoomNameThatBreaksTheProtocolsRuleIs400() {
    for (String path : new String[] {"/rooms/a b", "/rooms/" + "x".repeat(65),
        "/rooms/caf\u00e9/messages", "/rooms/a%2Fb/peers/p", "/rooms/<b>"}) {
      String method = path.endsWith("messages") ? "POST" : path.contains("peers") ? "DELETE" : "GET";
      AdminAnswer answer = refused(method, path);
      assertEquals(400, answer.status(), path);
      assertTrue(answer.body().contains("\"bad-request\""), answer.body());
    }
    assertEquals(new AdminRoute.ShowRoom("x".repeat(64)), assertDoesNotThrow("/rooms/" + "x".repeat(64)));
  }

  private static AdminRoute assertDoesNotThrow(String path) {
    try {
      return AdminRoute.of("GET", path);
    } catch (AdminFailure e) {
      throw new AssertionError(e.answer().body());
    }
  }

  @Test
  void anotherMethodIs405WithAllow() {
    AdminAnswer post = refused("POST", "/rooms");
    assertEquals(405, post.status());
    assertEquals("GET", post.headers().get("Allow"));
    assertEquals("GET, DELETE", refused("PUT", "/rooms/r").headers().get("Allow"));
    assertEquals("POST", refused("GET", "/rooms/r/messages").headers().get("Allow"));
    assertEquals("DELETE", refused("GET", "/rooms/r/peers/p").headers().get("Allow"));
    assertEquals("GET", refused("DELETE", "/openapi.json").headers().get("Allow"));
    assertTrue(post.body().contains("\"method-not-allowed\""));
  }

  @Test
  void onlyAMessageHasABody() throws Exception {
    assertTrue(AdminRoute.of("POST", "/rooms/r/messages").hasBody());
    assertEquals(false, AdminRoute.of("DELETE", "/rooms/r").hasBody());
  }
}
