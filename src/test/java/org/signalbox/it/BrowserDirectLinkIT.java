package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A link or an embed alone never turns a camera or microphone on: only a click does. */
class BrowserDirectLinkIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-link", Map.of());

  @Test
  void aDirectJoinLinkStartsTheCameraOnlyOnTheJoinClick() {
    // CallPage.join asserts the state before its click: the prefilled form shown, no
    // getUserMedia call, no room element.
    try (CallPage page = CallPage.join(server.origin(), "link", "Alice", "video")) {
      assertEquals(Map.of("calls", 1L, "room", "link", "name", "Alice", "video", "live", "audio", "live"),
          page.js("return {calls: window.getUserMediaCalls, room: room.room, name: room.name,"
              + " video: room.localStream.getVideoTracks()[0].readyState,"
              + " audio: room.localStream.getAudioTracks()[0].readyState};"));
      page.awaitTrue("the local preview plays", "return byId('local-video').videoWidth > 0;");
    }
  }

  @Test
  void anEmbeddedElementWithVideoWaitsForItsOwnJoinButton() {
    try (CallPage page = CallPage.openForm(server.origin())) {
      page.js("const w = document.createElement('webrtc-room');"
          + "w.setAttribute('room', 'embedded'); w.setAttribute('name', 'Bob'); w.setAttribute('media', 'video');"
          + "document.querySelector('main').append(w); return true;");
      page.awaitTrue("the element's Join button", "return !!byId('join') && !byId('join').hidden;");
      // Joining would have called getUserMedia synchronously on connection; give the page a turn.
      assertEquals(Map.of("calls", 0L, "room", false), page.js(
          "await new Promise(r => setTimeout(r, 0));"
              + "return {calls: window.getUserMediaCalls, room: !!widget.room};"));
      page.js("byId('join').click(); return true;");
      page.awaitTrue("joined after the click", "return !!room && !!room.peerId;");
      assertEquals(1L, page.js("return window.getUserMediaCalls;"));
      assertEquals(true, page.js("return byId('join').hidden;"));
    }
  }
}
