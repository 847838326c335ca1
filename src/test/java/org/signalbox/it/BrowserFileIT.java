package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Files over their own DataChannel: byte for byte while chat keeps flowing, only with the
 * receiver's consent, never more than announced nor larger than allowed, and never as a type that
 * would render as a page of the portal's origin.
 */
class BrowserFileIT {

  private static final int SIZE = 5 * 1024 * 1024;
  private static final int CHATS = 20;

  /** Records the receiver's file events (offers, rejections, progress, files, errors) in window.seen. */
  private static final String RECORD_FILE_EVENTS =
      "window.seen = {offers: [], rejected: [], progress: [], files: [], errors: []};"
          + "room.addEventListener('file-offer', (e) => window.seen.offers.push("
          + "  {from: e.detail.from, name: e.detail.name, size: e.detail.size, mime: e.detail.mime}));"
          + "room.addEventListener('file-rejected', (e) => window.seen.rejected.push(e.detail));"
          + "room.addEventListener('file-progress', (e) => window.seen.progress.push("
          + "  {...e.detail, t: e.timeStamp}));"
          + "room.addEventListener('file', async (e) => window.seen.files.push({name: e.detail.name,"
          + "  size: e.detail.size, type: e.detail.blob.type, text: await e.detail.blob.text()}));"
          + "room.addEventListener('error', (e) => window.seen.errors.push(e.detail));"
          + "return true;";

  /** Accepts every offer through the module API, as a portal's own prompt would. */
  private static final String ACCEPT_EVERY_OFFER =
      "room.addEventListener('file-offer', (e) => e.detail.accept()); return true;";

  /**
   * A sender that follows its own rules, not the client's: a raw {@code file} channel on the
   * existing connection that sends {@code header}, then runs {@code afterHeader}, and
   * {@code onAccept} when the receiver accepts; what the receiver says is kept in window.raw.
   */
  private static String rawFileChannel(String header, String afterHeader, String onAccept) {
    return "const [link] = room.links.values();"
        + "const ch = link.pc.createDataChannel('file', {ordered: true});"
        + "ch.binaryType = 'arraybuffer';"
        + "window.raw = {messages: [], closed: false};"
        + "ch.addEventListener('message', (e) => {"
        + "  window.raw.messages.push(e.data);"
        + "  if (JSON.parse(e.data).type === 'file-accept') {" + onAccept + "}"
        + "});"
        + "ch.addEventListener('close', () => { window.raw.closed = true; });"
        + "ch.addEventListener('open', () => {"
        + "  ch.send(JSON.stringify(" + header + "));" + afterHeader
        + "});"
        + "return true;";
  }

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-file", Map.of());

  @Test
  void fiveMegabytesArriveByteIdenticalWithConsentAndProgressWhileChatFlows() {
    try (CallPage sender = CallPage.join(server.origin(), "files", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "files", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);

      receiver.js("window.received = null;"
          + "window.progress = [];"
          + "room.addEventListener('file-progress', (e) => window.progress.push({...e.detail, t: e.timeStamp}));"
          + "room.addEventListener('file', async (e) => {"
          + "  const bytes = await e.detail.blob.arrayBuffer();"
          + "  const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]"
          + "    .map(b => b.toString(16).padStart(2, '0')).join('');"
          + "  window.received = {name: e.detail.name, size: e.detail.size, hash, from: e.detail.from,"
          + "    type: e.detail.blob.type};"
          + "});"
          + "return true;");
      // Random bytes, so a lost, duplicated or reordered chunk changes the hash.
      String sentHash = (String) sender.js("const bytes = new Uint8Array(" + SIZE + ");"
          + "for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));"
          + "window.file = new File([bytes], 'random.bin', {type: 'application/octet-stream'});"
          + "window.progress = [];"
          + "room.addEventListener('file-progress', (e) => window.progress.push({...e.detail, t: e.timeStamp}));"
          + "window.outcome = 'pending';"
          + "window.sent = room.sendFile(window.file);"
          + "window.sent.then(() => { window.outcome = 'done'; }, (e) => { window.outcome = 'failed: ' + e; });"
          + "return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]"
          + "  .map(b => b.toString(16).padStart(2, '0')).join('');");

      // The element asks first; nothing moves until the click.
      receiver.awaitTrue("the consent prompt",
          "return !!shadow.querySelector('[data-testid=\"file-offer\"] [data-testid=\"file-accept\"]');");
      assertEquals("pending", sender.js("return window.outcome;"), "not sent before the receiver accepted");
      assertEquals(0L, receiver.js("return window.progress.length;"), "no byte before the receiver accepted");
      receiver.js("shadow.querySelector('[data-testid=\"file-accept\"]').click(); return true;");

      for (int i = 0; i < CHATS; i++) {
        sender.chatThroughTheUi("during the transfer " + i);
      }
      for (int i = 0; i < CHATS; i++) {
        receiver.awaitChat(sender.peerId(), "during the transfer " + i);
      }
      receiver.awaitTrue("the file arrived", "return window.received !== null;");
      sender.awaitTrue("sendFile resolved", "return window.outcome !== 'pending';");
      assertEquals("done", sender.js("return window.outcome;"));
      @SuppressWarnings("unchecked")
      Map<String, Object> received = (Map<String, Object>) receiver.js("return window.received;");
      assertEquals("random.bin", received.get("name"));
      assertEquals((long) SIZE, received.get("size"));
      assertEquals(sentHash, received.get("hash"));
      assertEquals(sender.peerId(), received.get("from"));
      assertEquals("application/octet-stream", received.get("type"));
      receiver.awaitTrue("a download link in the chat log",
          "return shadow.querySelector('[data-testid=\"file-link\"]')?.textContent === 'random.bin';");

      assertProgress(sender, "send", "sent", receiver.peerId());
      assertProgress(receiver, "receive", "received", sender.peerId());
    }
  }

  /** Progress came, counts up to the whole file, names the other peer, and never twice in 100 ms. */
  private static void assertProgress(CallPage page, String direction, String field, String peerId) {
    page.awaitTrue("the last " + direction + " progress is the whole file",
        "const last = window.progress[window.progress.length - 1];"
            + "return !!last && last." + field + " === " + SIZE + ";");
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) page.js(
        "const p = window.progress; let minGap = Infinity, rising = true;"
            + "for (let i = 1; i < p.length; i++) {"
            + "  minGap = Math.min(minGap, p[i].t - p[i - 1].t);"
            + "  rising = rising && p[i]." + field + " >= p[i - 1]." + field + ";"
            + "}"
            + "return {count: p.length, minGap: p.length > 1 ? minGap : 1000, rising,"
            + "  span: p.length > 1 ? p[p.length - 1].t - p[0].t : 0,"
            + "  directions: [...new Set(p.map(x => x.direction))], peers: [...new Set(p.map(x => x.peerId))],"
            + "  names: [...new Set(p.map(x => x.name))], sizes: [...new Set(p.map(x => x.size))]};");
    assertTrue(((Number) summary.get("count")).longValue() >= 2, "several progress events: " + summary);
    // Event.timeStamp, when each event was created, lags the throttle's own clock by whatever a
    // busy page's garbage collector takes (a few ms were seen): hence the slack on single gaps,
    // and the count over the whole span, which jitter cannot fake. Without the throttle, every
    // 16 KiB chunk would fire one: 320 events, fractions of a millisecond apart.
    long count = ((Number) summary.get("count")).longValue();
    double span = ((Number) summary.get("span")).doubleValue();
    assertTrue(((Number) summary.get("minGap")).doubleValue() >= 80, "about 100 ms apart: " + summary);
    assertTrue(count <= span / 100 + 2, "at most one per 100 ms over the transfer: " + summary);
    assertEquals(true, summary.get("rising"), "counts never go back: " + summary);
    assertEquals(List.of(direction), summary.get("directions"));
    assertEquals(List.of(peerId), summary.get("peers"));
    assertEquals(List.of("random.bin"), summary.get("names"));
    assertEquals(List.of((long) SIZE), summary.get("sizes"));
  }

  @Test
  void anHtmlFileArrivesAsOpaqueBytesWhileAnImageKeepsItsType() {
    try (CallPage sender = CallPage.join(server.origin(), "file-types", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "file-types", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);
      receiver.js(RECORD_FILE_EVENTS);
      receiver.js(ACCEPT_EVERY_OFFER);
      String html = "<script>parent.document.title = 'owned'</script>";
      assertEquals("sent", sender.js(
          "await room.sendFile(new File([" + CallPage.quote(html) + "], 'page.html', {type: 'text/html'}));"
              + "await room.sendFile(new File(['GIF89a'], 'a.gif', {type: 'image/gif'}));"
              + "await room.sendFile(new File(['hello'], 'b.txt', {type: 'text/plain;charset=utf-8'}));"
              + "return 'sent';"));
      receiver.awaitTrue("three files", "return window.seen.files.length === 3;");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> files = (List<Map<String, Object>>) receiver.js("return window.seen.files;");
      assertEquals("page.html", files.get(0).get("name"));
      assertEquals("application/octet-stream", files.get(0).get("type"), "HTML never keeps its type");
      assertEquals(html, files.get(0).get("text"), "the bytes themselves are untouched");
      assertEquals("image/gif", files.get(1).get("type"));
      assertEquals("text/plain", files.get(2).get("type"));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> offers = (List<Map<String, Object>>) receiver.js("return window.seen.offers;");
      assertEquals("text/html", offers.get(0).get("mime"), "the offer shows what was announced");
      assertEquals(sender.peerId(), offers.get(0).get("from"));
    }
  }

  @Test
  void aTerabyteOfferIsRefusedBeforeAByteIsKept() {
    try (CallPage sender = CallPage.join(server.origin(), "file-huge", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "file-huge", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);
      receiver.js(RECORD_FILE_EVENTS);
      receiver.js(ACCEPT_EVERY_OFFER);
      // The header announces 1 TB; a first chunk follows at once, unasked.
      sender.js(rawFileChannel(
          "{type: 'file', name: 'huge.bin', size: 1e12, mime: 'application/octet-stream'}",
          "ch.send(new Uint8Array(16384).buffer);", ""));

      sender.awaitTrue("the receiver closed the channel", "return window.raw.closed;");
      assertEquals(List.of("{\"type\":\"file-reject\",\"reason\":\"too-large\"}"),
          sender.js("return window.raw.messages;"), "the sender was told why");
      receiver.awaitTrue("the refusal reported", "return window.seen.rejected.length === 1;");
      @SuppressWarnings("unchecked")
      Map<String, Object> rejected = (Map<String, Object>) receiver.js("return window.seen.rejected[0];");
      assertEquals("too-large", rejected.get("reason"));
      assertEquals(1_000_000_000_000L, ((Number) rejected.get("size")).longValue());
      assertEquals(sender.peerId(), rejected.get("from"));
      assertEquals(Map.of("offers", 0L, "progress", 0L, "files", 0L, "errors", 0L), receiver.js(
          "const s = window.seen; return {offers: s.offers.length, progress: s.progress.length,"
              + " files: s.files.length, errors: s.errors.length};"),
          "refused before anyone was asked and before a byte was counted");
      receiver.awaitTrue("the element says so",
          "return [...byId('chat-log').querySelectorAll('.entry')].some(e => e.textContent.includes('huge.bin')"
              + " && e.textContent.includes('refused'));");
    }
  }

  @Test
  void aSenderThatStreamsWithoutWaitingForConsentStillDeliversOnceTheUserAccepts() {
    try (CallPage sender = CallPage.join(server.origin(), "file-v1", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "file-v1", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);
      receiver.js(RECORD_FILE_EVENTS);
      // CLIENT.md's wire format alone: the header, then every chunk at once, file-accept unread.
      sender.js(rawFileChannel("{type: 'file', name: 'v1.txt', size: 40000, mime: 'text/plain'}",
          "const bytes = new TextEncoder().encode('a'.repeat(40000));"
              + "for (let o = 0; o < bytes.length; o += 16384) ch.send(bytes.slice(o, o + 16384).buffer);",
          ""));
      receiver.awaitTrue("the consent prompt",
          "return !!shadow.querySelector('[data-testid=\"file-offer\"] [data-testid=\"file-accept\"]');");
      assertEquals(Map.of("offers", 1L, "progress", 0L, "files", 0L, "errors", 0L), receiver.js(
          "const s = window.seen; return {offers: s.offers.length, progress: s.progress.length,"
              + " files: s.files.length, errors: s.errors.length};"),
          "nothing handed over before the user answers");
      receiver.js("shadow.querySelector('[data-testid=\"file-accept\"]').click(); return true;");
      receiver.awaitTrue("the file", "return window.seen.files.length === 1;");
      assertEquals("a".repeat(40_000), receiver.js("return window.seen.files[0].text;"));
      sender.awaitTrue("the receiver confirmed and closed", "return window.raw.closed;");
      assertEquals(List.of("{\"type\":\"file-accept\"}", "{\"type\":\"file-done\"}"),
          sender.js("return window.raw.messages;"));
    }
  }

  @Test
  void aSenderThatSendsMoreThanItAnnouncedIsCutOff() {
    try (CallPage sender = CallPage.join(server.origin(), "file-overrun", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "file-overrun", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);
      receiver.js(RECORD_FILE_EVENTS);
      receiver.js(ACCEPT_EVERY_OFFER);
      // 20000 bytes announced; after the accept, 2 x 16 KiB come.
      sender.js(rawFileChannel("{type: 'file', name: 'more.bin', size: 20000, mime: 'text/plain'}", "",
          "ch.send(new Uint8Array(16384).buffer); ch.send(new Uint8Array(16384).buffer);"));

      receiver.awaitTrue("an overrun error", "return window.seen.errors.some(e => e.code === 'file-overrun');");
      sender.awaitTrue("the receiver closed the channel", "return window.raw.closed;");
      assertEquals(List.of("{\"type\":\"file-accept\"}"), sender.js("return window.raw.messages;"),
          "accepted, then closed without a file-done");
      assertEquals(0L, receiver.js("return window.seen.files.length;"), "nothing kept");
      assertEquals(sender.peerId(), receiver.js("return window.seen.errors[0].peerId;"));
    }
  }

  @Test
  void sendFileRejectsWhenTheReceiverDeclinesOrClosesEarly() {
    try (CallPage sender = CallPage.join(server.origin(), "file-decline", "Sender", "none");
        CallPage receiver = CallPage.join(server.origin(), "file-decline", "Receiver", "none")) {
      CallPage.awaitPair(sender, receiver);

      // Declined in the element's prompt.
      sender.js("window.first = room.sendFile(new File(['x'.repeat(100000)], 'declined.txt', {type: 'text/plain'}))"
          + "  .then(() => 'resolved', (e) => e.code);"
          + "return true;");
      receiver.awaitTrue("the consent prompt",
          "return !!shadow.querySelector('[data-testid=\"file-offer\"] [data-testid=\"file-decline\"]');");
      receiver.js("shadow.querySelector('[data-testid=\"file-decline\"]').click(); return true;");
      assertEquals("file-declined", sender.js("return await window.first;"));

      // Accepted, then the receiver closes the channel after the first bytes.
      receiver.js("const [link] = room.links.values();"
          + "link.pc.addEventListener('datachannel', (e) => { if (e.channel.label === 'file') window.fileChannel = e.channel; });"
          + "room.addEventListener('file-offer', (e) => { if (e.detail.name === 'cut.bin') e.detail.accept(); });"
          + "room.addEventListener('file-progress', (e) => { if (e.detail.name === 'cut.bin') window.fileChannel.close(); });"
          + "window.files = 0; room.addEventListener('file', () => { window.files++; });"
          + "return true;");
      sender.js("window.second = room.sendFile(new File([new Uint8Array(" + SIZE + ")], 'cut.bin'))"
          + "  .then(() => 'resolved', (e) => e.code);"
          + "return true;");
      assertEquals("file-aborted", sender.js("return await window.second;"));
      assertEquals(0L, receiver.js("return window.files;"));

      // And the sender may cancel: the receiver keeps nothing.
      sender.js("window.third = room.sendFile(new File([new Uint8Array(" + SIZE + ")], 'cancelled.bin'));"
          + "window.thirdOutcome = window.third.then(() => 'resolved', (e) => e.code);"
          + "return true;");
      receiver.awaitTrue("the offer of the third file",
          "return !!shadow.querySelector('[data-testid=\"file-offer\"][data-file-name=\"cancelled.bin\"]');");
      sender.js("window.third.cancel(); return true;");
      assertEquals("file-cancelled", sender.js("return await window.thirdOutcome;"));
      assertEquals(0L, receiver.js("return window.files;"));
    }
  }
}
