package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The widget passes axe-core's WCAG 2.1 A and AA rules (axe enters the element's open shadow
 * root) on the join form, the pre-join step with its camera preview running, and a three-person
 * call, in English and German, light and dark; and it announces joins, leaves, chat and errors
 * in its polite live region. Three browsers serve every check of the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserAccessibilityIT {

  private static final System.Logger LOG = System.getLogger(BrowserAccessibilityIT.class.getName());

  @RegisterExtension
  static final RunningServer server = RunningServer.shared();

  /** The languages the element ships (the demo's {@code ?lang=de}; English without it). */
  private static final List<String> LANGUAGES = List.of("en", "de");

  private static final List<WidgetPage> pages = new ArrayList<>();

  @BeforeAll
  static void startBrowsers() {
    for (String name : List.of("Alice", "Bob", "Carol")) {
      pages.add(WidgetPage.start(name));
    }
  }

  @AfterAll
  static void closeBrowsers() {
    pages.forEach(WidgetPage::close);
  }

  private static WidgetPage alice() {
    return pages.get(0);
  }

  /** Every violation found, by where it was found, so that one run reports them all. */
  private final Map<String, List<String>> violations = new LinkedHashMap<>();

  private void check(WidgetPage page, String where) {
    List<String> found = page.axeViolations();
    LOG.log(System.Logger.Level.INFO, "axe on {0}: {1} violating nodes; for a person to review: {2}",
        where, found.size(), page.axeNeedsReview());
    if (!found.isEmpty()) {
      violations.put(where, found);
    }
  }

  private void assertNoViolations() {
    StringBuilder report = new StringBuilder();
    violations.forEach((where, lines) -> {
      report.append("\n").append(where).append(":");
      lines.forEach(line -> report.append("\n  ").append(line));
    });
    assertTrue(violations.isEmpty(), "axe-core WCAG 2.1 AA violations:" + report);
  }

  /**
   * The demo's join form (a direct-join link), then the element's pre-join step it opens with
   * "Check camera and microphone first" ({@code setup-devices}): before {@code check-devices}
   * nothing asked for a camera; after it the preview plays, the pickers list the fake devices and
   * the level meter runs. Each checked light and dark, in both languages.
   */
  @Test
  @Order(1)
  void joinFormAndPreJoinStepHaveNoViolations() {
    WidgetPage page = alice();
    for (String lang : LANGUAGES) {
      page.openLink(server.origin(), "a11y-prejoin", "Alice", "video", query(lang));
      for (boolean dark : List.of(false, true)) {
        page.useDarkTheme(dark);
        check(page, "join form, " + lang + (dark ? ", dark" : ""));
      }
      page.useDarkTheme(false);

      page.js("document.querySelector('[data-testid=\"setup-devices\"]').click(); return true;");
      page.awaitTrue("the pre-join step with its check-devices button",
          "return !!byId('prejoin') && !byId('prejoin').hidden && !!byId('check-devices');");
      assertEquals(0L, page.js("return window.getUserMediaCalls;"),
          "the pre-join step asked for a device before the click");
      check(page, "pre-join step, nothing started, " + lang);
      page.js("byId('check-devices').click(); return true;");
      page.awaitTrue("the preview plays, pickers list the devices, the meter runs",
          "const v = byId('preview-video'), cams = byId('camera-select'), mics = byId('microphone-select');"
              + "return !!v && v.videoWidth > 0 && !v.paused && !!cams && cams.options.length > 0"
              + " && !!mics && mics.options.length > 0 && byId('mic-level') instanceof HTMLMeterElement;",
          WidgetPage.JOIN_WAIT);
      assertEquals(Boolean.TRUE, page.js("return !widget.room;"), "checking devices joined the room");
      for (boolean dark : List.of(false, true)) {
        page.useDarkTheme(dark);
        check(page, "pre-join step, preview running, " + lang + (dark ? ", dark" : ""));
      }
      page.useDarkTheme(false);
    }
    assertNoViolations();
  }

  /** The demo's query for a language: English is the default, German asked for. */
  private static String query(String lang) {
    return "en".equals(lang) ? "" : "&lang=" + lang;
  }

  /**
   * Three people in a call with their cameras on, tiles shown; checked in Alice's browser (two
   * remote tiles and her own), light and dark, in English and German. German must really be
   * German: the Leave button's text differs from the English one.
   */
  @Test
  @Order(2)
  void threePersonCallHasNoViolationsInEnglishAndGerman() {
    Map<String, String> leaveText = new LinkedHashMap<>();
    for (String lang : LANGUAGES) {
      String room = "a11y-call-" + lang;
      for (WidgetPage page : pages) {
        page.openLink(server.origin(), room, page.label(), "video", query(lang));
        page.joinByClick(room);
      }
      for (WidgetPage page : pages) {
        page.awaitTilesPlaying(3);
      }
      WidgetPage page = alice();
      if ("en".equals(lang)) {
        assertAxeSeesInsideTheWidget(page);
      }
      assertEquals(lang, page.js("return shadow.querySelector('[lang]')?.getAttribute('lang') ?? 'en';"),
          "the widget's language");
      assertEquals(Map.of("local", List.of("Alice"), "remote", List.of("Bob", "Carol")), page.js(
          "const labels = (id) => [...shadow.querySelectorAll(`[data-testid=\"${id}\"]`)]"
              + ".map(v => v.getAttribute('aria-label')).sort();"
              + "return {local: labels('local-video'), remote: labels('remote-video')};"),
          "videos are labelled with the names");
      leaveText.put(lang, (String) page.js("return byId('leave').textContent.trim();"));
      for (boolean dark : List.of(false, true)) {
        page.useDarkTheme(dark);
        check(page, "three-person call, " + lang + (dark ? ", dark" : ""));
      }
      page.useDarkTheme(false);
    }
    assertNotEquals(leaveText.get("en"), leaveText.get("de"), "the German call shows English: " + leaveText);
    assertNoViolations();
  }

  /**
   * A check of the check: an unnamed button and faint grey-on-grey text put into the widget's
   * shadow root are found (button-name, color-contrast), so a clean report means axe looked there.
   */
  private static void assertAxeSeesInsideTheWidget(WidgetPage page) {
    page.js("const canary = document.createElement('div'); canary.id = 'axe-canary';"
        + "canary.innerHTML = '<button></button><p style=\"color:#777;background:#888\">faint</p>';"
        + "shadow.append(canary); return true;");
    List<String> found = page.axeViolations();
    page.js("shadow.getElementById('axe-canary').remove(); return true;");
    assertTrue(found.stream().anyMatch(v -> v.startsWith("button-name"))
        && found.stream().anyMatch(v -> v.startsWith("color-contrast")), "axe missed the canary: " + found);
  }

  /**
   * What a screen reader says without the user looking: Bob's join, his chat message, his leave,
   * and an error (a chat to Bob sent after he left: the server answers {@code unknown-peer})
   * each appear as text in Alice's polite live region, in words rather than a code; so does
   * what became of a click on "invite".
   */
  @Test
  @Order(3)
  void joinsChatLeavesAndErrorsAreAnnouncedPolitely() {
    WidgetPage alice = alice();
    WidgetPage bob = pages.get(1);
    String room = "a11y-live";
    alice.openLink(server.origin(), room, "Alice", "none", "");
    alice.joinByClick(room);
    alice.recordAnnouncements();

    int before = alice.announced().size();
    bob.openLink(server.origin(), room, "Bob", "none", "");
    bob.joinByClick(room);
    String bobId = bob.peerId();
    String joined = alice.awaitAnnouncement("Bob's join", before, List.of("Bob"));

    before = alice.announced().size();
    bob.awaitTrue("Bob's chat box is enabled", "return !byId('chat-input').disabled;");
    bob.js("byId('chat-input').value = 'hello from Bob'; byId('chat-send').click(); return true;");
    String chat = alice.awaitAnnouncement("Bob's chat", before, List.of("hello from Bob"));

    before = alice.announced().size();
    bob.js("byId('leave').click(); return true;");
    String left = alice.awaitAnnouncement("Bob's leave", before, List.of("Bob"));
    assertNotEquals(joined, left, "the leave was announced as the join was");

    before = alice.announced().size();
    alice.js("room.sendChat('still there?', {to: " + CallPage.quote(bobId) + "}); return true;");
    String error = alice.awaitAnnouncement("the unknown-peer error", before, List.of());
    assertTrue(!error.strip().equals("unknown-peer") && error.strip().contains(" "),
        "the error was not put in words: " + error);

    before = alice.announced().size();
    alice.js("byId('invite').click(); return true;");
    alice.awaitAnnouncement("the invite link's copy", before, List.of());
    LOG.log(System.Logger.Level.INFO, "announced: {0}", alice.announced());
  }
}
