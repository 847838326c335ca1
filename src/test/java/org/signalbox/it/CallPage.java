package org.signalbox.it;

import jakarta.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.signalbox.testing.Chromium;

/**
 * The demo page in one headless Chromium, driven the way the tests need: through its
 * {@code data-testid} elements where a person would click, and through the {@code Room} the
 * {@code <webrtc-room>} element exposes where a test must look deeper (stats, tracks).
 */
final class CallPage implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * A join after the click opens the fake camera first, which a loaded machine can hold up for
   * a long time (seen: over 30 s for a fifth browser beside four in a video call).
   */
  static final Duration JOIN_WAIT = Duration.ofSeconds(90);

  /** Page-side helpers: the widget, its shadow root, and one element by test id. */
  private static final String PRELUDE =
      "const widget = document.querySelector('webrtc-room');"
          + "const shadow = widget && widget.shadowRoot;"
          + "const room = widget && widget.room;"
          + "const byId = (id) => shadow.querySelector(`[data-testid=\"${id}\"]`);";

  private final Chromium browser;

  private CallPage(Chromium browser) {
    this.browser = browser;
  }

  /** Opens {@code base}/index.html with a direct join by query, and waits until joined. */
  static CallPage join(String base, String room, String name, String media) {
    return join(base, room, name, media, "");
  }

  /**
   * As {@link #join(String, String, String, String)}, with more of the query ({@code &k=v}).
   * Like a person following a link: the page shows the join form and, before the click, has not
   * asked for camera or microphone nor joined (asserted here, so every browser test checks it);
   * then the Join click.
   */
  static CallPage join(String base, String room, String name, String media, String moreQuery) {
    return join(base, room, name, media, moreQuery, COUNT_GET_USER_MEDIA);
  }

  /**
   * As {@link #join(String, String, String, String)}, with the fake camera at {@link
   * #SMALL_VIDEO}: for calls of many browsers, where full-size video would keep two cores busy
   * encoding and decoding and the test would measure that instead of the call.
   */
  static CallPage joinWithSmallVideo(String base, String room, String name) {
    return join(base, room, name, "video", "", COUNT_GET_USER_MEDIA + SMALL_VIDEO);
  }

  private static CallPage join(
      String base, String room, String name, String media, String moreQuery, String prelude) {
    Chromium browser = Chromium.start();
    try {
      browser.beforeEveryPage(prelude);
      browser.open(base + "/?room=" + encode(room) + "&name=" + encode(name) + "&media=" + media
          + moreQuery);
      CallPage page = new CallPage(browser);
      page.assertNothingStartedBeforeTheClick();
      page.js("document.querySelector('[data-testid=\"join\"]').click(); return true;");
      try {
        page.awaitTrue("joined " + room, "return !!room && !!room.peerId;", JOIN_WAIT);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; the page says: " + page.js(
            "return {status: shadow && byId('status').textContent, getUserMediaCalls: window.getUserMediaCalls};"), e);
      }
      return page;
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  /**
   * Opens a direct-join link and, instead of the form's Join, its "Check camera and microphone
   * first" button ({@code setup-devices}): the element's pre-join step, with its name field,
   * pickers and {@code check-devices} button. Asserts that neither the link nor that click opened
   * a device or joined. {@code moreQuery} as in {@link #join(String, String, String, String,
   * String)} (e.g. {@code &lang=de}); {@code switches} go to Chromium (e.g. a second fake camera).
   */
  static CallPage openPrejoin(String base, String room, String name, String media, String moreQuery,
      List<String> switches) {
    Chromium browser = Chromium.start(switches);
    try {
      browser.beforeEveryPage(COUNT_GET_USER_MEDIA);
      browser.open(base + "/?room=" + encode(room) + "&name=" + encode(name) + "&media=" + media
          + moreQuery);
      CallPage page = new CallPage(browser);
      page.assertNothingStartedBeforeTheClick();
      page.js("document.querySelector('[data-testid=\"setup-devices\"]').click(); return true;");
      page.awaitTrue("the element's pre-join step", "return !!widget && !byId('prejoin').hidden"
          + " && !byId('join').hidden;");
      Object state = page.js("await new Promise(r => setTimeout(r, 0));"
          + "return {calls: window.getUserMediaCalls, room: !!widget.room};");
      if (!Map.of("calls", 0L, "room", false).equals(state)) {
        throw new AssertionError("the pre-join step started something before its own clicks: " + state);
      }
      return page;
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  /** In the pre-join step: clicks {@code check-devices} and waits until the preview plays. */
  void checkDevices() {
    js("byId('check-devices').click(); return true;");
    awaitTrue("the preview plays", "return byId('check-devices').getAttribute('aria-pressed') === 'true'"
        + " && (byId('prejoin').dataset.media === 'audio' || byId('preview-video').videoWidth > 0)"
        + " && byId('microphone-select').options.length > 1;", JOIN_WAIT);
  }

  /** In the pre-join step: clicks the element's {@code join} and waits until joined. */
  void joinFromPrejoin() {
    js("byId('join').click(); return true;");
    awaitTrue("joined from the pre-join step", "return !!widget.room && !!widget.room.peerId;", JOIN_WAIT);
  }

  /**
   * A tile's state: its {@code data-*} attributes ({@code speaking}, {@code audio}, {@code video},
   * {@code screen}) and its badge's {@code quality} and {@code title}; {@code peerId} null for the
   * local tile. Null when there is no such tile.
   */
  @SuppressWarnings("unchecked")
  Map<String, Object> tile(String peerId) {
    return (Map<String, Object>) js("const tile = " + (peerId == null
        ? "shadow.querySelector('[data-testid=\"tile\"][data-local]')"
        : "shadow.querySelector('[data-testid=\"tile\"][data-peer-id=\"' + " + quote(peerId) + " + '\"]')") + ";"
        + "if (!tile) return null; const badge = tile.querySelector('[data-testid=\"quality\"]');"
        + "return {speaking: tile.dataset.speaking, audio: tile.dataset.audio, video: tile.dataset.video,"
        + " screen: tile.dataset.screen, quality: badge.dataset.quality, title: badge.title};");
  }

  /** Waits until {@code peerId}'s tile (null: the local one) has {@code data-<attribute>} = value. */
  void awaitTile(String peerId, String attribute, String value) {
    awaitTrue("the tile of " + (peerId == null ? "this peer" : peerId) + " has " + attribute + "=" + value,
        "const tile = " + (peerId == null
            ? "shadow.querySelector('[data-testid=\"tile\"][data-local]')"
            : "shadow.querySelector('[data-testid=\"tile\"][data-peer-id=\"' + " + quote(peerId) + " + '\"]')")
            + "; return !!tile && tile.dataset[" + quote(attribute) + "] === " + quote(value) + ";");
  }

  /** The texts the polite live region holds now (the last few announcements). */
  @SuppressWarnings("unchecked")
  List<String> announcements() {
    return (List<String>) js("return [...byId('live').children].map(p => p.textContent);");
  }

  /** Counts getUserMedia calls in {@code window.getUserMediaCalls}, from before the page runs. */
  static final String COUNT_GET_USER_MEDIA =
      "window.getUserMediaCalls = 0;"
          + "if (navigator.mediaDevices) {"
          + "  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);"
          + "  navigator.mediaDevices.getUserMedia = (constraints) => {"
          + "    window.getUserMediaCalls++; return original(constraints); };"
          + "}";

  /**
   * Asks the fake camera for 320x180 at 15 frames/s, as a constrained device would deliver: a
   * page's own constraints are kept, only the video size and rate are set.
   */
  static final String SMALL_VIDEO =
      "if (navigator.mediaDevices) {"
          + "  const counted = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);"
          + "  navigator.mediaDevices.getUserMedia = (constraints) => counted(constraints && constraints.video"
          + "    ? {...constraints, video: {...(typeof constraints.video === 'object' ? constraints.video : {}),"
          + "        width: 320, height: 180, frameRate: 15}}"
          + "    : constraints);"
          + "}";

  /**
   * A direct-join link has loaded (its module scripts ran): the Join button is shown and nothing
   * asked for camera or microphone, no room element joined.
   */
  void assertNothingStartedBeforeTheClick() {
    awaitPageScripts();
    awaitTrue("the prefilled join form with its Join button",
        "const button = document.querySelector('[data-testid=\"join\"]');"
            + "return !!button && button.offsetParent !== null;");
    Object state = js("return {calls: window.getUserMediaCalls, widget: !!widget};");
    if (!java.util.Map.of("calls", 0L, "widget", false).equals(state)) {
      throw new AssertionError("a link alone started something before the Join click: " + state);
    }
  }

  /**
   * Opens the demo page and places a {@code <webrtc-room media="none">} in it the way a portal
   * would, with its {@code token} property set to {@code tokenExpression} (JavaScript: a string,
   * or a function returning a token or a promise of one); waits until joined.
   */
  static CallPage embed(String base, String room, String tokenExpression) {
    CallPage page = openForm(base);
    try {
      page.js("const w = document.createElement('webrtc-room');"
          + "w.token = " + tokenExpression + ";"
          + "w.setAttribute('room', " + quote(room) + "); w.setAttribute('media', 'none');"
          + "document.querySelector('main').append(w); return true;");
      try {
        // As long as a join through the form: the first browser of a class, beside a server that
        // has just started, once took over 30 s in CI.
        page.awaitTrue("joined " + room, "return !!room && !!room.peerId;", JOIN_WAIT);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; the page says: " + page.js(
            "return {status: shadow && byId('status').textContent, tokenCalls: window.tokenCalls};"),
            e);
      }
      return page;
    } catch (RuntimeException | Error e) {
      page.close();
      throw e;
    }
  }

  /** Opens the demo page without joining: the join form. getUserMedia calls are counted. */
  static CallPage openForm(String base) {
    Chromium browser = Chromium.start();
    try {
      browser.beforeEveryPage(COUNT_GET_USER_MEDIA);
      browser.open(base + "/");
      CallPage page = new CallPage(browser);
      page.awaitPageScripts();
      return page;
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  /**
   * Waits until the demo page's module script has run: its Join is then the page's own (before
   * that, a click is the form's plain GET, a navigation) and its element is defined. The inline
   * module runs in the same evaluation as the element's definition, so a defined element means
   * the handlers are in place. (CI once saw a Join click right after the page opened leave the
   * page without its element; a failed wait now names the page's address.)
   */
  void awaitPageScripts() {
    awaitTrue("the demo page's scripts have run",
        "await new Promise(r => setTimeout(r, 0));"
            + "return document.readyState === 'complete' && !!customElements.get('webrtc-room');");
  }

  Chromium browser() {
    return browser;
  }

  /** Runs {@code body} (an async function body) with the page helpers in scope. */
  Object js(String body) {
    return browser.eval(PRELUDE + body);
  }

  /** Waits until {@code body} returns true. */
  void awaitTrue(String what, String body) {
    awaitTrue(what, body, WAIT);
  }

  void awaitTrue(String what, String body, Duration wait) {
    browser.await(what, wait, () -> Boolean.TRUE.equals(js(body)) ? Boolean.TRUE : null);
  }

  String peerId() {
    return (String) js("return room.peerId;");
  }

  /** Every remote peer's connection state and channel, as the Room reports them. */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> peers() {
    return (List<Map<String, Object>>) js(
        "return [...room.peers.values()].map(p => ({peerId: p.peerId, name: p.name,"
            + " state: p.connectionState, channelOpen: p.channelOpen}));");
  }

  /** Waits until every peer in {@code peerIds}, and no other, is connected with its chat open. */
  void awaitConnectedTo(List<String> peerIds) {
    awaitConnectedTo(peerIds, WAIT);
  }

  /** As {@link #awaitConnectedTo(List)}, waiting at most {@code wait}. */
  void awaitConnectedTo(List<String> peerIds, Duration wait) {
    String ids = Json.createArrayBuilder(peerIds).build().toString();
    try {
      awaitConnectedTo(ids, wait);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + peerId() + " has " + peers(), e);
    }
  }

  private void awaitConnectedTo(String ids, Duration wait) {
    awaitTrue("connected with open channels to exactly " + ids,
        "const want = " + ids + ";"
            + "const have = [...room.peers.values()];"
            + "const list = [...byId('peer-list').querySelectorAll('li')];"
            + "return have.length === want.length && want.every(id => room.peers.has(id))"
            + " && have.every(p => p.connectionState === 'connected' && p.channelOpen)"
            + " && list.length === want.length"
            + " && list.every(li => want.includes(li.dataset.peerId) && li.dataset.state === 'connected');", wait);
  }

  /** Waits until {@code a} and {@code b} are connected to each other and to no one else. */
  static void awaitPair(CallPage a, CallPage b) {
    a.awaitConnectedTo(List.of(b.peerId()));
    b.awaitConnectedTo(List.of(a.peerId()));
  }

  /**
   * Counts the room's {@code reconnecting} events in {@code window.reconnecting} and keeps the
   * last {@code reconnected} detail in {@code window.reconnected}.
   */
  void recordReconnects() {
    js("window.reconnecting = 0; window.reconnected = null;"
        + "room.addEventListener('reconnecting', () => { window.reconnecting++; });"
        + "room.addEventListener('reconnected', (e) => { window.reconnected = e.detail; });"
        + "return true;");
  }

  /** Clicks the element's camera button: off (black frames, still sent) or back on. */
  void toggleCamera() {
    js("byId('mute-video').click(); return true;");
  }

  /** Types {@code text} in the chat box and clicks send. */
  void chatThroughTheUi(String text) {
    js("const input = byId('chat-input'); input.value = " + quote(text) + ";"
        + "byId('chat-send').click(); return true;");
  }

  /** Waits for a chat entry from {@code from} whose text is exactly {@code text}. */
  void awaitChat(String from, String text) {
    awaitTrue("chat from " + from + ": " + text,
        "return [...byId('chat-log').querySelectorAll('[data-from=\"' + " + quote(from) + " + '\"]')]"
            + ".some(e => e.querySelector('.text')?.textContent === " + quote(text) + ");");
  }

  /** Frames decoded so far from each remote peer's video, by peerId. */
  @SuppressWarnings("unchecked")
  Map<String, Long> framesDecoded() {
    return (Map<String, Long>) js(
        "const out = {};"
            + "for (const [id, link] of room.links) {"
            + "  const stats = await link.pc.getStats(); let frames = 0;"
            + "  stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });"
            + "  out[id] = frames;"
            + "}"
            + "return out;");
  }

  /** Waits until every remote video decodes frames, and keeps decoding. */
  void awaitLiveVideoFromEveryPeer() {
    awaitTrue("every remote video playing with a size",
        "const videos = [...shadow.querySelectorAll('[data-testid=\"remote-video\"]')];"
            + "return videos.length === room.peers.size"
            + " && videos.every(v => v.videoWidth > 0 && room.peers.has(v.dataset.peerId));");
    Map<String, Long> before = browser.await("frames decoded from every peer", WAIT, () -> {
      Map<String, Long> frames = framesDecoded();
      return frames.values().stream().allMatch(n -> n > 0) ? frames : null;
    });
    browser.await("frames keep coming from every peer", WAIT, () -> {
      Map<String, Long> now = framesDecoded();
      return before.keySet().stream().allMatch(id -> now.getOrDefault(id, 0L) > before.get(id))
          ? Boolean.TRUE : null;
    });
  }

  static String quote(String text) {
    return Json.createValue(text).toString();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    browser.close();
  }
}
