package org.signalbox.it;

import java.time.Duration;
import java.util.List;
import org.signalbox.testing.Chromium;

/**
 * One headless Chromium that uses the client module ({@code js/webrtc-room.js}) directly, the way
 * a portal's own page does: {@code joinRoom} is called in the page and the {@code Room} is kept in
 * {@code window.room}. Independent of the demo page's widget; Chromium may get more switches (a
 * second fake camera) and a script that runs before every page.
 */
final class ModulePage implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  /** In scope of every script: the room (once joined) and the module. */
  private static final String PRELUDE = "const room = window.room;";

  private final Chromium browser;

  private ModulePage(Chromium browser) {
    this.browser = browser;
  }

  /**
   * Starts Chromium with {@code switches}, runs {@code beforePage} (may be empty) in every page
   * before its own scripts, and opens {@code base}/ (the demo page, untouched: only its origin
   * is needed).
   */
  static ModulePage open(String base, List<String> switches, String beforePage) {
    Chromium browser = Chromium.start(switches);
    try {
      if (!beforePage.isEmpty()) {
        browser.beforeEveryPage(beforePage);
      }
      browser.open(base + "/");
      return new ModulePage(browser);
    } catch (RuntimeException | Error e) {
      browser.close();
      throw e;
    }
  }

  /**
   * Joins {@code room} as {@code name} with {@code mediaExpression} (JavaScript: the {@code
   * media} option, such as {@code {audio: true, video: true}} or {@code null}); waits until joined.
   */
  void join(String room, String name, String mediaExpression) {
    js("const { joinRoom } = await import(new URL('js/webrtc-room.js', location.href).href);"
        + "window.room = await joinRoom({room: " + CallPage.quote(room) + ", name: " + CallPage.quote(name)
        + ", media: " + mediaExpression + "});"
        + "return window.room.peerId;");
  }

  Chromium browser() {
    return browser;
  }

  /** Runs {@code body} (an async function body) with {@code room} in scope. */
  Object js(String body) {
    return browser.eval(PRELUDE + body);
  }

  void awaitTrue(String what, String body) {
    awaitTrue(what, body, WAIT);
  }

  void awaitTrue(String what, String body, Duration wait) {
    browser.await(what, wait, () -> Boolean.TRUE.equals(js(body)) ? Boolean.TRUE : null);
  }

  String peerId() {
    return (String) js("return room.peerId;");
  }

  /** Waits until the room's only peer is {@code peerId}, connected with its chat channel open. */
  void awaitConnectedTo(String peerId, Duration wait) {
    String id = CallPage.quote(peerId);
    try {
      awaitTrue("connected to " + peerId + " with the chat channel open",
          "const p = room.peers.get(" + id + ");"
              + "return room.peers.size === 1 && !!p && p.connectionState === 'connected' && p.channelOpen;", wait);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; peers: " + js(
          "return [...room.peers.values()].map(p => ({peerId: p.peerId, state: p.connectionState,"
              + " channelOpen: p.channelOpen}));"), e);
    }
  }

  /** Waits until {@code a} and {@code b} are connected to each other with their channels open. */
  static void awaitPair(ModulePage a, ModulePage b) {
    a.awaitConnectedTo(b.peerId(), WAIT);
    b.awaitConnectedTo(a.peerId(), WAIT);
  }

  @Override
  public void close() {
    try {
      js("window.room?.leave(); return true;");
    } catch (RuntimeException | AssertionError ignored) {
      // The browser goes either way.
    }
    browser.close();
  }
}
