package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * One person uses the widget with the keyboard alone (Tab, Shift-Tab, Enter, Space, and typing in
 * text fields): checks devices, joins, mutes and unmutes, chats, sends a file and leaves, while
 * a second browser (Bob, chat only) answers. Along the way: the order in which Tab visits the
 * controls, the same order backwards with Shift-Tab, focus that is always visible, and no trap
 * (Tab and Shift-Tab both leave the widget).
 */
class BrowserKeyboardIT {

  private static final System.Logger LOG = System.getLogger(BrowserKeyboardIT.class.getName());

  @RegisterExtension
  static final RunningServer server = RunningServer.shared();

  /** At most this many key presses to go round the page once. */
  private static final int MAX_STEPS = 60;

  /**
   * The order Tab visits the pre-join step, once the preview runs: the bar's invite link, then
   * the step from top to bottom (name, check, pickers) and Join last.
   */
  private static final List<String> PREJOIN_ORDER =
      List.of("invite", "name-input", "check-devices", "camera-select", "microphone-select", "join");

  /**
   * The order Tab visits the call: the bar's invite link, the call controls under the tiles from
   * left to right with Leave last, then the side column from top to bottom (the chat history,
   * focusable so that a keyboard can scroll it, the chat box, Send, the file input).
   */
  private static final List<String> CALL_ORDER = List.of("invite", "mute-audio", "mute-video",
      "share-screen", "camera-select", "microphone-select", "leave", "chat-log", "chat-input",
      "chat-send", "send-file");

  @Test
  void joinMuteChatFileAndLeaveByKeyboardAlone() throws IOException {
    String room = "keyboard-room";
    Path file = Files.createTempFile(RunCommandServer.projectDir().resolve("target"), "keyboard-", ".bin");
    byte[] bytes = new byte[200 * 1024];
    new java.util.Random(19).nextBytes(bytes);
    Files.write(file, bytes);
    try (WidgetPage alice = WidgetPage.start("Alice");
        CallPage bob = CallPage.join(server.origin(), room, "Bob", "none")) {
      // A direct-join link: the demo puts focus on its Join button; Tab to "Check camera and
      // microphone first", Enter opens the element's pre-join step, nothing started.
      alice.openLink(server.origin(), room, "", "video", "");
      assertEquals("join", alice.focused(), "the link's page does not focus Join");
      tabTo(alice, "setup-devices");
      alice.press(Keys.ENTER);
      alice.awaitTrue("the pre-join step", "return !!byId('check-devices') && !byId('prejoin').hidden;");
      assertEquals(0L, alice.js("return window.getUserMediaCalls;"), "a device started before check-devices");

      // Pre-join: Tab to "check devices", Space starts the preview.
      tabTo(alice, "check-devices");
      alice.press(Keys.SPACE);
      alice.awaitTrue("the preview plays", "const v = byId('preview-video');"
          + " return !!v && v.videoWidth > 0 && !v.paused && byId('camera-select').options.length > 0;",
          WidgetPage.JOIN_WAIT);
      Cycle prejoin = cycle(alice);
      LOG.log(System.Logger.Level.INFO, "pre-join Tab order: {0}", prejoin.forward);
      assertEquals(PREJOIN_ORDER, prejoin.forward, "the pre-join step's Tab order");
      assertEquals(reversed(prejoin.forward), prejoin.backward, "Shift-Tab is not Tab backwards");
      assertFocusVisible(alice, prejoin);

      // The name (the link has none), typed; Enter on Join.
      tabTo(alice, "name-input");
      alice.press("Alice by keyboard");
      tabTo(alice, "join");
      alice.press(Keys.ENTER);
      alice.awaitJoined(room);
      assertEquals("Alice by keyboard", alice.js("return room.name;"), "join took another name");
      String aliceId = alice.peerId();
      bob.awaitConnectedTo(List.of(aliceId));
      alice.awaitTrue("Alice's chat channel to Bob is open",
          "return [...room.peers.values()].some(p => p.connectionState === 'connected' && p.channelOpen);");

      Cycle call = cycle(alice);
      LOG.log(System.Logger.Level.INFO, "call Tab order: {0}", call.forward);
      assertEquals(CALL_ORDER, call.forward, "the call's Tab order");
      assertEquals(reversed(call.forward), call.backward, "Shift-Tab is not Tab backwards");
      assertFocusVisible(alice, call);

      // Mute with Space, unmute with Enter.
      tabTo(alice, "mute-audio");
      alice.press(Keys.SPACE);
      alice.awaitTrue("muted", "return byId('mute-audio').getAttribute('aria-pressed') === 'true'"
          + " && room.localStream.getAudioTracks().every(t => !t.enabled);");
      alice.press(Keys.ENTER);
      alice.awaitTrue("unmuted", "return byId('mute-audio').getAttribute('aria-pressed') === 'false'"
          + " && room.localStream.getAudioTracks().every(t => t.enabled);");

      // Chat: typed into the focused box, sent with Enter.
      tabTo(alice, "chat-input");
      alice.press("typed without a mouse", Keys.ENTER);
      bob.awaitChat(aliceId, "typed without a mouse");

      // File: headless Chromium opens no file dialog, so the path is typed into the focused
      // file input (WebDriver's sendKeys on it), which is what choosing a file in the dialog does.
      tabTo(alice, "send-file");
      alice.focusedElement().sendKeys(file.toAbsolutePath().toString());
      bob.awaitTrue("Bob is offered the file", "return !!byId('file-accept');");
      bob.js("byId('file-accept').click(); return true;");
      bob.awaitTrue("Bob received the whole file",
          "const link = byId('file-link'); if (!link) return false;"
              + "const blob = await (await fetch(link.href)).blob(); return blob.size === " + bytes.length + ";");
      alice.awaitTrue("Alice's progress bar ends at the size",
          "const bar = byId('file-sending') && byId('file-sending').querySelector('[data-testid=\"file-progress\"]');"
              + "return !!bar && Number(bar.value) === " + bytes.length + ";");

      // Leave: back with Shift-Tab from the file input, Enter; the demo shows its form again.
      shiftTabTo(alice, "leave");
      alice.press(Keys.ENTER);
      alice.awaitTrue("Alice left, the form is back", "return !widget && !document.getElementById('join-form').hidden;");
      assertEquals("join", alice.focused(), "after Leave, focus is not on the form's Join");
      bob.awaitConnectedTo(List.of());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The widget's controls in the order Tab visits them, and in the order Shift-Tab does. */
  private record Cycle(List<String> forward, List<String> backward, Map<String, String> focusedLook) {}

  /**
   * Tabs until focus has gone into the widget and out of it again, recording the controls met
   * inside; then Shift-Tabs back through it the same way. Leaving both ways is the proof that no
   * control traps focus.
   */
  private static Cycle cycle(WidgetPage page) {
    Map<String, String> looks = new LinkedHashMap<>();
    List<String> forward = walk(page, false, looks);
    List<String> backward = walk(page, true, looks);
    return new Cycle(forward, backward, looks);
  }

  private static List<String> walk(WidgetPage page, boolean back, Map<String, String> looks) {
    List<String> inside = new ArrayList<>();
    List<String> trail = new ArrayList<>();
    boolean entered = page.focusInWidget();
    if (entered) {
      // Start from outside so that the whole widget is walked.
      for (int i = 0; i < MAX_STEPS && page.focusInWidget(); i++) {
        step(page, back);
      }
      entered = false;
    }
    for (int i = 0; i < MAX_STEPS; i++) {
      step(page, back);
      String now = page.focused();
      trail.add(now);
      if (page.focusInWidget()) {
        entered = true;
        inside.add(now);
        Map<String, Object> look = page.focusIndicator();
        assertTrue(Boolean.TRUE.equals(look.get("focusVisible")), now + " is focused but not :focus-visible");
        looks.put(now, (String) look.get("focused"));
      } else if (entered) {
        return inside;
      }
    }
    throw new AssertionError((back ? "Shift-Tab" : "Tab") + " did not " + (entered ? "leave" : "enter")
        + " the widget within " + MAX_STEPS + " presses: " + trail);
  }

  private static void step(WidgetPage page, boolean back) {
    if (back) {
      page.shiftTab();
    } else {
      page.press(Keys.TAB);
    }
  }

  /** Presses Tab until {@code id} has focus. */
  private static void tabTo(WidgetPage page, String id) {
    moveTo(page, id, false);
  }

  private static void shiftTabTo(WidgetPage page, String id) {
    moveTo(page, id, true);
  }

  private static void moveTo(WidgetPage page, String id, boolean back) {
    List<String> trail = new ArrayList<>();
    for (int i = 0; i < MAX_STEPS; i++) {
      if (id.equals(page.focused())) {
        return;
      }
      step(page, back);
      trail.add(page.focused());
    }
    throw new AssertionError((back ? "Shift-Tab" : "Tab") + " never reached " + id + ": " + trail);
  }

  /**
   * Each control shows that it has focus: an outline it has only when focused, or a box-shadow
   * that differs from its look without focus (a border colour alone does not count).
   */
  private static void assertFocusVisible(WidgetPage page, Cycle cycle) {
    List<String> invisible = new ArrayList<>();
    cycle.focusedLook.forEach((id, focused) -> {
      String unfocused = page.unfocusedLook(id);
      LOG.log(System.Logger.Level.INFO, "{0} focused: {1}; not focused: {2}", id, focused, unfocused);
      // A ring: an outline drawn only with focus, or a box-shadow that changes with it.
      boolean outline = !focused.startsWith("outline: none") && unfocused.startsWith("outline: none");
      boolean shadow = !shadowOf(focused).equals(shadowOf(unfocused));
      if (!outline && !shadow) {
        invisible.add(id + " (focused " + focused + "; not focused " + unfocused + ")");
      }
    });
    assertTrue(invisible.isEmpty(), "focus not visible on " + invisible);
  }

  private static String shadowOf(String look) {
    return look.substring(look.indexOf("box-shadow:"), look.indexOf("; border:"));
  }

  private static List<String> reversed(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }
}
