package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo says clearly what went wrong when the camera is refused or the server is gone. */
class BrowserErrorsIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-errors", Map.of());

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
