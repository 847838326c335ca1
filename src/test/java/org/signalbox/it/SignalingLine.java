package org.signalbox.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A signaling connection (the JDK's WebSocket client) whose frames are kept as text, in order, for
 * someone else to read: here the peer of another WebRTC stack that {@link InteropPeer} pipes them
 * to. It can be opened until the server assigns a {@code peerId} the test wants, which is how a
 * test picks the politeness role (ids are random; the order of two ids decides who is polite).
 */
final class SignalingLine implements AutoCloseable {

  private static final Logger LOG = System.getLogger(SignalingLine.class.getName());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The end of the frames: the connection closed or broke. */
  static final String CLOSED = "";

  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final WebSocket socket;
  private final JsonObject welcome;

  private SignalingLine(URI uri, String origin) {
    this.socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT).header("Origin", origin)
        .buildAsync(uri, new Reader()).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    String first = take(WAIT);
    if (first == null || first.equals(CLOSED)) {
      socket.abort();
      throw new AssertionError("no welcome within " + WAIT);
    }
    this.welcome = parse(first);
    if (!"welcome".equals(welcome.getString("type"))) {
      socket.abort();
      throw new AssertionError("the first frame is not welcome: " + welcome);
    }
  }

  /**
   * Opens connections one after another until the server gives one a {@code peerId} that {@code
   * wanted} accepts, at most {@code tries}; the others are closed (1000, awaited) before the next
   * opens, so they never count against the server's per-address limit.
   */
  static SignalingLine open(URI uri, String origin, Predicate<String> wanted, int tries) {
    long start = System.nanoTime();
    for (int i = 0; i < tries; i++) {
      SignalingLine line = new SignalingLine(uri, origin);
      if (wanted.test(line.peerId())) {
        int opened = i + 1;
        LOG.log(Level.INFO, () -> "peerId " + line.peerId() + " after " + opened + " connections in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        return line;
      }
      line.closeAndAwait();
    }
    throw new AssertionError("no wanted peerId in " + tries + " connections");
  }

  JsonObject welcome() {
    return welcome;
  }

  String peerId() {
    return welcome.getString("peerId");
  }

  /** The next frame's text, {@link #CLOSED} once the connection ended, or null after {@code wait}. */
  String take(Duration wait) {
    try {
      return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CLOSED;
    }
  }

  /** Sends one frame and waits until it is written. Callers send from one thread at a time. */
  void send(String frame) {
    socket.sendText(frame, true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  private void closeAndAwait() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
      closed.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    } catch (RuntimeException e) {
      socket.abort();
    }
  }

  /** Closes with 1000, so the room hears at once that this peer left (no resume grace). */
  @Override
  public void close() {
    closeAndAwait();
    socket.abort();
  }

  private static JsonObject parse(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  private final class Reader implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      end();
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      end();
    }

    private void end() {
      frames.add(CLOSED);
      closed.complete(null);
    }
  }
}
