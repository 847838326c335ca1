package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.AdminChecks;

/**
 * The demo says clearly what went wrong when the camera is refused or the server is gone, and
 * what happened when the portal removed its user or ended the call (the admin API is on, with a
 * token, for that; it changes nothing else).
 */
class BrowserErrorsIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-errors", Map.of(
      "SIGNALBOX_ADMIN_AUTH", "token", "SIGNALBOX_ADMIN_SECRET", Tokens.ADMIN_SECRET));

  private static AdminChecks.Answer admin(String method, String path) {
    return AdminChecks.call(URI.create(server.origin() + "/"), method, path, null,
        "Bearer " + Tokens.admin("it-browser"));
  }

  /** The peer ids the server lists in {@code room}. */
  private static List<String> listed(String room) {
    AdminChecks.Answer answer = admin("GET", "admin/rooms/" + room);
    if (answer.status() == 404) {
      return List.of();
    }
    return answer.json().getJsonArray("peers").stream()
        .map(p -> p.asJsonObject().getString("peerId")).toList();
  }

  @Test
  void aRemovedUserIsToldSoAndDoesNotRejoinAndTheOthersAreToldTheCallEnded() {
    try (CallPage alice = CallPage.join(server.origin(), "governed", "Alice", "none");
        CallPage bob = CallPage.join(server.origin(), "governed", "Bob", "none")) {
      CallPage.awaitPair(alice, bob);
      String bobId = bob.peerId();
      bob.js("window.endedBy = null; widget.addEventListener('left',"
          + " (e) => { window.endedBy = e.detail && e.detail.reason; }); return true;");

      assertEquals(204, admin("DELETE", "admin/rooms/governed/peers/" + bobId).status());
      bob.awaitTrue("Bob's page says he was removed",
          "return byId('status').textContent === 'You were removed from the call.';");
      assertEquals("removed", bob.js("return window.endedBy;"));
      assertEquals(true, bob.js("return widget.room === null && !byId('join').hidden"
          + " && byId('peer-list').children.length === 0"
          + " && !!document.querySelector('webrtc-room');"),
          "the call is cleared, the widget stays to say why, and only a click joins again");
      alice.awaitTrue("Alice's page lists nobody",
          "return room.peers.size === 0 && byId('peer-list').children.length === 0;");
      // Nothing rejoins by itself: the room keeps Alice alone, however long one waits for a
      // reconnect that would take a few seconds at most (first retry within 1 s).
      long until = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until) {
        assertEquals(List.of(alice.peerId()), listed("governed"), "Bob did not rejoin");
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // a negative has no event
      }

      assertEquals(204, admin("DELETE", "admin/rooms/governed").status());
      alice.awaitTrue("Alice's page says the call was ended",
          "return byId('status').textContent === 'The call was ended.';");
      assertEquals(List.of(), listed("governed"));
    }
  }

  @Test
  void aRefusedCameraIsExplained() {
    try (CallPage page = CallPage.openForm(server.origin())) {
      // What a person clicking "Block" in the permission prompt causes.
      page.js("navigator.mediaDevices.getUserMedia ="
          + " () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));"
          + "const form = document.getElementById('join-form'); form.room.value = 'denied';"
          + "form.media.value = 'video'; document.querySelector('[data-testid=\"join\"]').click();"
          + "return true;");
      page.awaitTrue("an error in the status line", "return byId('status').dataset.kind === 'error';");
      assertEquals("Camera or microphone access was denied.", page.js("return byId('status').textContent;"));
      assertEquals(true, page.js("return room === null || room === undefined;"));
    }
  }

  @Test
  void anUnreachableServerIsExplained() throws Exception {
    try (CutProxy proxy = CutProxy.start(server.port());
        CallPage page = CallPage.openForm("http://127.0.0.1:" + proxy.port())) {
      proxy.cut();
      page.js("const form = document.getElementById('join-form'); form.room.value = 'nowhere';"
          + "form.media.value = 'none'; document.querySelector('[data-testid=\"join\"]').click();"
          + "return true;");
      page.awaitTrue("an error in the status line", "return byId('status').dataset.kind === 'error';");
      String status = (String) page.js("return byId('status').textContent;");
      assertTrue(status.contains("signaling server is unreachable"), status);
    }
  }
}
