package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket client (the JDK's, independent of the server's implementation) that queues
 * every JSON frame it receives. Every wait is bounded. Not for use by two threads at once, except
 * that reading happens on the client's own thread.
 */
public final class TestClient implements AutoCloseable {

  /** The default bound of every wait. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final AtomicInteger pings = new AtomicInteger();
  private volatile boolean reading = true;
  /** The WebSocket, or null over the HTTP binding. */
  private final WebSocket socket;
  /** The HTTP binding's session, or null over a WebSocket. */
  private final HttpLine http;
  private final JsonObject welcome;

  /**
   * Over a WebSocket for a {@code ws:} URI; over the HTTP binding of PROTOCOL.md for an {@code
   * http:} one (see {@link EmbeddedServer#uri(Binding)}), where every method means the same for
   * the server as far as the binding allows.
   */
  private TestClient(URI uri, String origin, Map<String, String> headers) {
    if (uri.getScheme().equals("http")) {
      this.socket = null;
      this.http = HttpLine.open(uri, origin, headers, inbox::add, closeCode::complete);
    } else {
      WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
      headers.forEach(builder::header);
      if (origin != null) {
        builder.header("Origin", origin);
      }
      this.http = null;
      this.socket = builder.buildAsync(uri, new Reader())
          .orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }
    this.welcome = next();
    assertEquals("welcome", welcome.getString("type"), "first frame");
  }

  /** Connects without an Origin header and reads {@code welcome}. */
  public static TestClient connect(URI uri) {
    return new TestClient(uri, null, Map.of());
  }

  /** Connects with {@code Origin: origin} and reads {@code welcome}. */
  public static TestClient connect(URI uri, String origin) {
    return new TestClient(uri, origin, Map.of());
  }

  /** Connects with {@code Origin} and an {@code Authorization} header, and reads {@code welcome}. */
  public static TestClient connect(URI uri, String origin, String authorization) {
    return new TestClient(uri, origin,
        authorization == null ? Map.of() : Map.of("Authorization", authorization));
  }

  /** Connects with {@code Origin} and {@code headers} (a session's Cookie, say), and reads {@code welcome}. */
  public static TestClient connectWith(URI uri, String origin, Map<String, String> headers) {
    return new TestClient(uri, origin, headers);
  }

  /** {@code size} clients joined to {@code room} in order, each having read its peer-joined events. */
  public static TestClient[] room(URI uri, String room, int size) {
    return room(uri, null, room, size);
  }

  /** As {@link #room(URI, String, int)}, each client connecting with {@code Origin: origin}. */
  public static TestClient[] room(URI uri, String origin, String room, int size) {
    TestClient[] clients = new TestClient[size];
    for (int i = 0; i < size; i++) {
      clients[i] = connect(uri, origin);
      clients[i].join(room, "P" + i);
      for (int j = 0; j < i; j++) {
        clients[j].expect("peer-joined");
      }
    }
    return clients;
  }

  /** Drops every given client; null entries (a room that failed half way) are skipped. */
  public static void closeAll(TestClient... clients) {
    for (TestClient c : clients) {
      if (c != null) {
        c.close();
      }
    }
  }

  public JsonObject welcome() {
    return welcome;
  }

  /** The peerId from welcome (not changed by a resume). */
  public String welcomePeerId() {
    return welcome.getString("peerId");
  }

  /** Sends raw text as one frame and waits until it is written. */
  public void send(String frame) {
    if (http != null) {
      http.send(frame);
      return;
    }
    socket.sendText(frame, true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** The binding this client uses. */
  public Binding binding() {
    return http != null ? Binding.HTTP : Binding.WEBSOCKET;
  }

  /** The HTTP binding's session, for tests of the binding itself; null over a WebSocket. */
  public HttpLine http() {
    return http;
  }

  /** Sends raw text as one message in {@code parts} fragments (cut between chars) and waits. */
  public void sendInParts(String frame, int parts) {
    if (http != null) {
      http.send(frame); // a body is never fragmented
      return;
    }
    int step = (frame.length() + parts - 1) / parts;
    for (int from = 0, to; from < frame.length(); from = to) {
      to = Math.min(frame.length(), from + step);
      if (to < frame.length() && Character.isHighSurrogate(frame.charAt(to - 1))) {
        to++; // a surrogate pair stays in one part: the client refuses half a character
      }
      socket.sendText(frame.substring(from, to), to == frame.length())
          .orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }
  }

  /** Sends a binary frame. */
  public void sendBinary(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** Sends {@code join} and returns {@code joined}. */
  public JsonObject join(String room, String name) {
    send(Json.createObjectBuilder().add("type", "join").add("room", room).add("name", name).build().toString());
    return expect("joined");
  }

  /** The next frame, waiting at most {@link #WAIT}. */
  public JsonObject next() {
    return next(WAIT);
  }

  public JsonObject next(Duration wait) {
    try {
      JsonObject frame = inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(frame, "no frame within " + wait);
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must have this type. */
  public JsonObject expect(String type) {
    JsonObject frame = next();
    assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame);
    return frame;
  }

  /** The next frame, which must be an error with this code. */
  public JsonObject expectError(String code) {
    JsonObject frame = expect("error");
    assertEquals(code, frame.getString("code"), () -> "unexpected error " + frame);
    return frame;
  }

  /** Fails if a frame arrives within {@code wait}. */
  public void expectNothing(Duration wait) {
    try {
      JsonObject frame = inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      if (frame != null) {
        fail("expected no frame, got " + frame);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The frame queued now, if any, without waiting. */
  public JsonObject poll() {
    return inbox.poll();
  }

  /** The next frame, or null when none came within {@code wait}: for a reader that also stops. */
  public JsonObject poll(Duration wait) {
    try {
      return inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Waits for the connection to close and returns the close code (1006 when it broke). */
  public int awaitClose() {
    return awaitClose(WAIT);
  }

  public int awaitClose(Duration wait) {
    // On a copy: a timed-out wait must not mark this client closed for later checks.
    try {
      return closeCode.copy().get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("not closed within " + wait);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public boolean isClosed() {
    return closeCode.isDone();
  }

  /** Sends a close frame with {@code code}. */
  public void closeWith(int code) {
    if (http != null) {
      http.delete(); // the binding's only client close
      return;
    }
    socket.sendClose(code, "").orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** Drops the TCP connection without a close frame, like a network drop or a killed process. */
  public void abort() {
    if (http != null) {
      http.abort(); // no more requests: the server finds the session lost
      return;
    }
    socket.abort();
  }

  /**
   * Stops reading: the server's writes back up as with a stalled browser (over HTTP, polls go on
   * without acknowledging anything new, as a page too busy to take its frames would).
   */
  public void stopReading() {
    reading = false;
    if (http != null) {
      http.stopReading();
    }
  }

  /** WebSocket pings received from the server. */
  public int pings() {
    return pings.get();
  }

  @Override
  public void close() {
    if (http != null) {
      http.abort();
      return;
    }
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
        inbox.add(parse(partial.toString()));
        partial.setLength(0);
      }
      more(webSocket);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      pings.incrementAndGet();
      more(webSocket);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.complete(1006);
    }

    private void more(WebSocket webSocket) {
      if (reading) {
        webSocket.request(1);
      }
    }
  }
}
