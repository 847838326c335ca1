package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A file over its own DataChannel, byte for byte, while chat keeps flowing. */
class BrowserFileIT {

  private static final int SIZE = 5 * 1024 * 1024;
  private static final int CHATS = 20;

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-file", Map.of());

  @Test
  void fiveMegabytesArriveByteIdenticalWhileChatFlows() {
    try (CallPage sender = CallPage.join(server.origin(), "files", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "files", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);

      receiver.js("window.received = null;"
          + "room.addEventListener('file', async (e) => {"
          + "  const bytes = await e.detail.blob.arrayBuffer();"
          + "  const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]"
          + "    .map(b => b.toString(16).padStart(2, '0')).join('');"
          + "  window.received = {name: e.detail.name, size: e.detail.size, hash, from: e.detail.from};"
          + "});"
          + "return true;");
      // Random bytes, so a lost, duplicated or reordered chunk changes the hash.
      String sentHash = (String) sender.js("const bytes = new Uint8Array(" + SIZE + ");"
          + "for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));"
          + "window.file = new File([bytes], 'random.bin', {type: 'application/octet-stream'});"
          + "window.sent = room.sendFile(window.file).then(() => 'done', (e) => 'failed: ' + e);"
          + "return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]"
          + "  .map(b => b.toString(16).padStart(2, '0')).join('');");
      for (int i = 0; i < CHATS; i++) {
        sender.chatThroughTheUi("during the transfer " + i);
      }
      for (int i = 0; i < CHATS; i++) {
        receiver.awaitChat(sender.peerId(), "during the transfer " + i);
      }
      receiver.awaitTrue("the file arrived", "return window.received !== null;");
      assertEquals("done", sender.js("return await window.sent;"));
      @SuppressWarnings("unchecked")
      Map<String, Object> received = (Map<String, Object>) receiver.js("return window.received;");
      assertEquals("random.bin", received.get("name"));
      assertEquals((long) SIZE, received.get("size"));
      assertEquals(sentHash, received.get("hash"));
      assertEquals(sender.peerId(), received.get("from"));
    }
  }
}
