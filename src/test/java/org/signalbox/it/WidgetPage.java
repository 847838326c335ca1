package org.signalbox.it;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.signalbox.testing.Chromium;

/**
 * One headless Chromium that stays open while a test class loads the demo page again and again
 * (another room, another language, another theme), for the accessibility, keyboard and layout
 * checks: the page helpers of {@link CallPage}, plus real key presses, the focused element
 * inside the widget's shadow root, axe-core, the polite live region's announcements, and tile
 * geometry. The fake camera runs at {@link CallPage#SMALL_VIDEO}, getUserMedia calls counted.
 */
final class WidgetPage implements AutoCloseable {

  static final Duration WAIT = CallPage.WAIT;
  static final Duration JOIN_WAIT = CallPage.JOIN_WAIT;

  /** The WCAG 2.1 A and AA rules of axe-core: what issue 19 asks the widget to pass. */
  static final List<String> WCAG_AA = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa");

  /**
   * Page-side helpers: the widget, its shadow root and room, one element by test id, the element
   * that really has focus (through shadow roots), and a short name for an element.
   */
  private static final String PRELUDE =
      "const widget = document.querySelector('webrtc-room');"
          + "const shadow = widget && widget.shadowRoot;"
          + "const room = widget && widget.room;"
          + "const byId = (id) => shadow && shadow.querySelector(`[data-testid=\"${id}\"]`);"
          + "const deepActive = () => { let e = document.activeElement;"
          + "  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;"
          + "  return e; };"
          + "const nameOf = (e) => !e ? 'none' : e.dataset && e.dataset.testid ? e.dataset.testid"
          + "  : e === document.body ? 'body' : e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '')"
          + "    + (e.id ? '#' + e.id : '');"
          + "const inWidget = (e) => !!e && !!widget && e.getRootNode() === shadow;";

  private final Chromium browser;
  private final String label;

  private WidgetPage(Chromium browser, String label) {
    this.browser = browser;
    this.label = label;
  }

  /** A browser at the usual 1280x800 window. */
  static WidgetPage start(String label) {
    return start(label, List.of());
  }

  /** A browser with more Chromium switches, such as {@code --use-fake-device-for-media-stream=device-count=3}. */
  static WidgetPage start(String label, List<String> switches) {
    Chromium browser = Chromium.start(switches);
    try {
      browser.beforeEveryPage(CallPage.COUNT_GET_USER_MEDIA + CallPage.SMALL_VIDEO);
      return new WidgetPage(browser, label);
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  String label() {
    return label;
  }

  Chromium browser() {
    return browser;
  }

  /** Loads {@code url} afresh (a room this page was in is left by the unload). */
  void open(String url) {
    browser.open(url);
    awaitTrue("the demo page loaded", "await new Promise(r => setTimeout(r, 0));"
        + "return document.readyState === 'complete' && !!document.querySelector('[data-testid=\"join\"]');");
  }

  /**
   * Opens a direct-join link ({@code ?room=…&name=…&media=…} plus {@code moreQuery}) and waits
   * for its form; nothing has asked for a camera yet.
   */
  void openLink(String base, String room, String name, String media, String moreQuery) {
    open(base + "/?room=" + encode(room) + "&name=" + encode(name) + "&media=" + media + moreQuery);
    Object calls = js("return window.getUserMediaCalls;");
    if (!Long.valueOf(0).equals(calls)) {
      throw new AssertionError(label + ": the link alone called getUserMedia " + calls + " times");
    }
  }

  /** Clicks the demo form's Join (as CallPage does) and waits until the room has a peerId. */
  void joinByClick(String room) {
    js("document.querySelector('[data-testid=\"join\"]').click(); return true;");
    awaitJoined(room);
  }

  void awaitJoined(String room) {
    try {
      awaitTrue(label + " joined " + room, "return !!room && !!room.peerId;", JOIN_WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the page says: " + js(
          "return {status: shadow && byId('status') && byId('status').textContent,"
              + " getUserMediaCalls: window.getUserMediaCalls};"), e);
    }
  }

  /** Runs {@code body} (an async function body) with the page helpers in scope. */
  Object js(String body) {
    return browser.eval(PRELUDE + body);
  }

  void awaitTrue(String what, String body) {
    awaitTrue(what, body, WAIT);
  }

  void awaitTrue(String what, String body, Duration wait) {
    browser.await(label + ": " + what, wait, () -> Boolean.TRUE.equals(js(body)) ? Boolean.TRUE : null);
  }

  String peerId() {
    return (String) js("return room.peerId;");
  }

  /**
   * Waits until the widget shows {@code count} tiles (the local one included) whose videos all
   * play with a size: the call is up and every camera's frames arrive.
   */
  void awaitTilesPlaying(int count) {
    awaitTrue(count + " tiles, every video playing",
        "const tiles = [...shadow.querySelectorAll('[data-testid=\"tile\"]')];"
            + "return tiles.length === " + count + " && tiles.every(t => {"
            + "  const v = t.querySelector('video'); return !!v && v.videoWidth > 0 && !v.paused; });",
        JOIN_WAIT);
  }

  // ---- axe-core

  /**
   * Runs axe-core's WCAG 2.1 A/AA rules on the whole document (axe enters open shadow roots)
   * and returns one line per violating node: rule id, impact, target, help.
   */
  @SuppressWarnings("unchecked")
  List<String> axeViolations() {
    if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object';"))) {
      browser.eval(AxeSource.TEXT + "\n;return true;");
    }
    Map<String, Object> result = (Map<String, Object>) js(
        "const result = await axe.run(document, {runOnly: {type: 'tag', values: "
            + jsonArray(WCAG_AA) + "}, resultTypes: ['violations', 'incomplete']});"
            + "return {violations: result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            + "  nodes: v.nodes.map(n => JSON.stringify(n.target) + ' :: '"
            + "    + (n.failureSummary || '').replace(/\\s+/g, ' '))})),"
            + " incomplete: result.incomplete.map(v => v.id + ' x' + v.nodes.length)};");
    lastIncomplete = (List<String>) result.get("incomplete");
    List<Map<String, Object>> violations = (List<Map<String, Object>>) result.get("violations");
    List<String> lines = new ArrayList<>();
    for (Map<String, Object> v : violations) {
      for (Object node : (List<Object>) v.get("nodes")) {
        lines.add(v.get("id") + " (" + v.get("impact") + ") " + node + " — " + v.get("help"));
      }
    }
    return lines;
  }

  private List<String> lastIncomplete = List.of();

  /**
   * What the last {@link #axeViolations()} could not decide and leaves to a person (axe's
   * "incomplete": contrast over a video or an image, for one), by rule id and node count.
   */
  List<String> axeNeedsReview() {
    return lastIncomplete;
  }

  /** axe-core's browser build, read once from the test Node.js packages. */
  private static final class AxeSource {
    static final String TEXT = read();

    private static String read() {
      String nodePath = System.getenv("NODE_PATH");
      Path modules = nodePath != null && !nodePath.isBlank()
          ? Path.of(nodePath.split(java.io.File.pathSeparator)[0])
          : RunCommandServer.projectDir().resolve("src/test/node/node_modules");
      try {
        return Files.readString(modules.resolve("axe-core/axe.min.js"), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(
            "axe-core missing: run npm ci in src/test/node (" + modules + ")", e);
      }
    }
  }

  // ---- keyboard

  /** The ChromeDriver behind {@link Chromium}, for real key presses through WebDriver Actions. */
  ChromeDriver driver() {
    return browser.driver();
  }

  /** Presses keys as a person would (key down and up events from the browser's input layer). */
  void press(CharSequence... keys) {
    new Actions(driver()).sendKeys(keys).perform();
  }

  void shiftTab() {
    new Actions(driver()).keyDown(Keys.SHIFT).sendKeys(Keys.TAB).keyUp(Keys.SHIFT).perform();
  }

  /** The data-testid (else tag and name) of the element that has focus, inside shadow roots too. */
  String focused() {
    return (String) js("return nameOf(deepActive());");
  }

  /** Whether focus is on a control inside the widget's shadow root. */
  boolean focusInWidget() {
    return Boolean.TRUE.equals(js("return inWidget(deepActive());"));
  }

  /** The focused element itself, for sendKeys (a file path on a file input). */
  WebElement focusedElement() {
    return (WebElement) ((JavascriptExecutor) driver()).executeScript(
        "let e = document.activeElement;"
            + "while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;"
            + "return e;");
  }

  /**
   * The focused element's focus indicator next to what the same element shows without focus: its
   * outline and box-shadow now, and after {@code focus} moved away (blur). A person sees which
   * control has focus only when these differ.
   */
  @SuppressWarnings("unchecked")
  Map<String, Object> focusIndicator() {
    return (Map<String, Object>) js(
        "const e = deepActive();"
            + "const look = () => { const c = getComputedStyle(e);"
            + "  return `outline: ${c.outlineStyle} ${c.outlineWidth} ${c.outlineColor}"
            + " offset ${c.outlineOffset}; box-shadow: ${c.boxShadow}; border: ${c.borderColor}`; };"
            + "return {id: nameOf(e), focused: look(), focusVisible: e.matches(':focus-visible')};");
  }

  /** The look of the element named {@code id} (data-testid in the widget) without focus. */
  String unfocusedLook(String id) {
    return (String) js(
        "const e = byId(" + CallPage.quote(id) + ") || document.querySelector('[data-testid=\"" + id + "\"]');"
            + "if (!e) return 'missing';"
            + "const c = getComputedStyle(e);"
            + "return `outline: ${c.outlineStyle} ${c.outlineWidth} ${c.outlineColor}"
            + " offset ${c.outlineOffset}; box-shadow: ${c.boxShadow}; border: ${c.borderColor}`;");
  }

  // ---- the live region

  /**
   * Keeps every text the widget's polite live region ({@code live}) is given, in {@code
   * window.announced}, one entry per node added (or text changed): announcements may replace each
   * other quickly, so they are recorded as they come rather than read at the end. Asserts the
   * region is polite.
   */
  void recordAnnouncements() {
    awaitTrue("the polite live region", "return !!byId('live');");
    Object politeness = js("return byId('live').getAttribute('aria-live');");
    if (!"polite".equals(politeness)) {
      throw new AssertionError(label + ": the live region's aria-live is " + politeness);
    }
    js("window.announced = [];"
        + "const take = (node) => { const t = (node.textContent || '').trim(); if (t) window.announced.push(t); };"
        + "new MutationObserver((records) => { for (const r of records) {"
        + "  if (r.type === 'characterData') take(r.target); else r.addedNodes.forEach(take); } })"
        + ".observe(byId('live'), {childList: true, subtree: true, characterData: true});"
        + "return true;");
  }

  /**
   * Waits until an announcement made after the first {@code since} ones contains every one of
   * {@code parts}, and returns it.
   */
  String awaitAnnouncement(String what, int since, List<String> parts) {
    String test = "(t, i) => i >= " + since + (parts.isEmpty() ? "" : " && ") + String.join(" && ",
        parts.stream().map(p -> "t.includes(" + CallPage.quote(p) + ")").toList());
    try {
      awaitTrue("announced: " + what, "return window.announced.some(" + test + ");");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; announced so far: " + js("return window.announced;"), e);
    }
    return (String) js("return window.announced.find(" + test + ");");
  }

  @SuppressWarnings("unchecked")
  List<String> announced() {
    return (List<String>) js("return window.announced;");
  }

  // ---- layout

  /**
   * Makes the page's viewport exactly {@code width} x {@code height} CSS pixels (DevTools'
   * Emulation.setDeviceMetricsOverride, kept across loads). A window size alone does not: in this
   * headless Chromium {@code --window-size=1280,800} gives a 1280x657 viewport (the window counts
   * invisible browser UI), and a window is never narrower than 500 px.
   */
  void viewport(int width, int height, boolean mobile) {
    driver().executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
        "width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  /** Each tile's rectangle {x, y, w, h} in CSS pixels, the grid's, and the viewport's. */
  @SuppressWarnings("unchecked")
  Map<String, Object> geometry() {
    return (Map<String, Object>) js(
        "const box = (e) => { const r = e.getBoundingClientRect();"
            + "  return {x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width), h: Math.round(r.height)}; };"
            + "return {tiles: [...shadow.querySelectorAll('[data-testid=\"tile\"]')].map(box),"
            + "  grid: box(byId('video-grid')), viewport: {w: innerWidth, h: innerHeight}};");
  }

  /** Sets the demo's theme through its switch (a click only when it is not so already). */
  void useDarkTheme(boolean dark) {
    Object pressed = js("const t = document.querySelector('[data-testid=\"theme-toggle\"]');"
        + "return t ? t.getAttribute('aria-pressed') : 'missing';");
    if ("missing".equals(pressed)) {
      throw new AssertionError(label + ": no theme-toggle on the demo page");
    }
    if ("true".equals(pressed) != dark) {
      toggleTheme();
    }
  }

  /** Clicks the demo's dark theme switch, waits for aria-pressed to follow, returns its state. */
  boolean toggleTheme() {
    Object before = js("const t = document.querySelector('[data-testid=\"theme-toggle\"]');"
        + "if (!t) throw new Error('no theme-toggle on the demo page'); return t.getAttribute('aria-pressed');");
    js("document.querySelector('[data-testid=\"theme-toggle\"]').click(); return true;");
    String want = "true".equals(before) ? "false" : "true";
    awaitTrue("theme-toggle aria-pressed " + want,
        "return document.querySelector('[data-testid=\"theme-toggle\"]').getAttribute('aria-pressed') === '" + want + "';");
    return "true".equals(want);
  }

  void screenshot(Path file) {
    browser.screenshot(file);
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String jsonArray(List<String> values) {
    return jakarta.json.Json.createArrayBuilder(values).build().toString();
  }

  @Override
  public void close() {
    browser.close();
  }
}
