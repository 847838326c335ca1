package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.signalbox.testing.Chromium;
import org.signalbox.testing.TestClient;

/** Two people chat in real Chromium, through the demo page and the run command's server. */
class BrowserChatIT {

  private static final String MARKUP = "<img src=x onerror=alert(1)>";
  private static final String STUN = "stun:127.0.0.1:3478";

  // A STUN URL nobody answers on: the pages must still take it from welcome.
  @RegisterExtension
  static final RunningServer server =
      new RunningServer("browser-chat", Map.of("SIGNALBOX_STUN_URLS", STUN));

  /**
   * A peer without a DataChannel (here a bot on a plain WebSocket) still gets every chat: the
   * client falls back to the server relay, with the same JSON, and reads the bot's the same way.
   */
  @Test
  void chatGoesThroughTheServerRelayToAPeerWithoutAnOpenChannel() {
    try (CallPage alice = CallPage.join(server.origin(), "relay-room", "Alice", "none");
        TestClient bot = TestClient.connect(server.socket(), server.origin())) {
      bot.join("relay-room", "Bot");
      alice.awaitTrue("Alice sees the bot", "return room.peers.has(" + CallPage.quote(bot.welcomePeerId()) + ");");

      alice.chatThroughTheUi("hello bot");
      JsonObject relayed = bot.expect("message");
      assertEquals(alice.peerId(), relayed.getString("from"));
      assertEquals("chat", relayed.getJsonObject("data").getString("type"));
      assertEquals("hello bot", relayed.getJsonObject("data").getString("text"));

      bot.send("{\"type\":\"message\",\"data\":{\"type\":\"chat\",\"text\":\"hello human\",\"at\":1}}");
      alice.awaitChat(bot.welcomePeerId(), "hello human");
      assertEquals("Bot", alice.js("return byId('chat-log').querySelector("
          + "'[data-from=\"" + bot.welcomePeerId() + "\"] .who').textContent;"));
    }
  }

  @Test
  void chatBothWaysWithMarkupShownAsTextAndNothingRun() {
    String base = server.origin();
    try (CallPage alice = CallPage.openForm(base)) {
      // Any alert would be the markup running: count them instead of showing them.
      alice.js("window.alerts = 0; window.alert = () => { window.alerts++; }; return true;");
      alice.js("const form = document.getElementById('join-form');"
          + "form.room.value = 'chat-room'; form.name.value = " + CallPage.quote(MARKUP) + ";"
          + "form.media.value = 'none';"
          + "document.querySelector('[data-testid=\"join\"]').click(); return true;");
      alice.awaitTrue("Alice joined", "return !!room && !!room.peerId;");

      try (CallPage bob = CallPage.join(base, "chat-room", "Bob " + MARKUP, "none")) {
        bob.js("window.alerts = 0; window.alert = () => { window.alerts++; }; return true;");
        CallPage.awaitPair(alice, bob);

        assertEquals(true, bob.js("return [...room.links.values()][0].pc.getConfiguration().iceServers"
            + ".some(s => [].concat(s.urls).includes(" + CallPage.quote(STUN) + "));"),
            "the peer connection uses the iceServers from welcome");

        alice.chatThroughTheUi("hello " + MARKUP);
        bob.awaitChat(alice.peerId(), "hello " + MARKUP);
        bob.chatThroughTheUi("hi back");
        alice.awaitChat(bob.peerId(), "hi back");

        // Names and text are text: the entries show them verbatim and no element came of them.
        assertEquals(MARKUP, bob.js("return byId('peer-list').querySelector('li .name').textContent;"));
        assertEquals("Bob " + MARKUP,
            alice.js("return byId('peer-list').querySelector('li .name').textContent;"));
        for (CallPage page : List.of(alice, bob)) {
          assertEquals(0L, page.js("return shadow.querySelectorAll('img').length"
              + " + document.querySelectorAll('img').length;"));
          assertEquals(0L, page.js("return window.alerts;"));
        }
      }
    }
  }
}
