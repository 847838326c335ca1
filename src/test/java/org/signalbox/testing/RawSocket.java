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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare JDK WebSocket for what {@link TestClient} cannot do: stop reading and read again (a tab
 * whose main thread is busy), send pongs on its own (a hostile client that keeps its socket alive
 * without reading), send a message in fragments, and wait for "the next frame or the close",
 * whichever comes first. Events are JSON objects, then an Integer close code (1006 when the
 * connection broke).
 */
public final class RawSocket implements WebSocket.Listener, AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** More frames than any test's flood leaves in the network for a stalled reader. */
  private static final int MAX_HELD_FRAMES = 100_000;

  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean paused;
  private WebSocket socket;
  private String peerId;

  public static RawSocket open(URI uri) throws Exception {
    return open(uri, null);
  }

  /** Opens a socket that sends {@code origin} as its Origin header (none when null). */
  public static RawSocket open(URI uri, String origin) throws Exception {
    RawSocket reader = new RawSocket();
    WebSocket.Builder builder = HTTP.newWebSocketBuilder();
    if (origin != null) {
      builder.header("Origin", origin);
    }
    reader.socket = builder.buildAsync(uri, reader).get(10, TimeUnit.SECONDS);
    JsonObject welcome = reader.nextText();
    assertEquals("welcome", welcome.getString("type"));
    reader.peerId = welcome.getString("peerId");
    return reader;
  }

  public String peerId() {
    return peerId;
  }

  public void send(String frame) throws Exception {
    sendPart(frame, true);
  }

  public void sendPart(String part, boolean last) throws Exception {
    socket.sendText(part, last).get(10, TimeUnit.SECONDS);
  }

  /** Sends unless the output is closed already (the server's close may cross the frame). */
  public boolean trySend(String frame) throws Exception {
    return trySendPart(frame, true);
  }

  public boolean trySendPart(String part, boolean last) throws Exception {
    try {
      sendPart(part, last);
      return true;
    } catch (ExecutionException e) {
      return false;
    }
  }

  /** Joins {@code room} and reads {@code joined}. */
  public JsonObject join(String room) throws Exception {
    send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"stalled\"}");
    JsonObject joined = nextText();
    assertEquals("joined", joined.getString("type"));
    return joined;
  }

  /** An unsolicited pong (RFC 6455 allows it): traffic that proves nothing about reading. */
  public boolean pong() {
    try {
      socket.sendPong(ByteBuffer.allocate(0)).get(10, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Stops reading after the frame now asked for (one at most). */
  public void pause() {
    paused = true;
  }

  public void resume() {
    paused = false;
    socket.request(1);
  }

  /** The next frame or close code, within 10 s. */
  public Object next() throws InterruptedException {
    Object event = events.poll(10, TimeUnit.SECONDS);
    assertNotNull(event, "no frame and no close within 10 s");
    return event;
  }

  public JsonObject nextText() throws InterruptedException {
    Object event = next();
    if (event instanceof JsonObject frame) {
      return frame;
    }
    return fail("closed with " + event);
  }

  /** Skips the frames the network held up to the close and returns its code. */
  public int awaitClose() throws InterruptedException {
    for (int skipped = 0; skipped < MAX_HELD_FRAMES; skipped++) {
      if (next() instanceof Integer code) {
        return code;
      }
    }
    return fail("no close after " + MAX_HELD_FRAMES + " frames");
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try (JsonReader reader = Json.createReader(new StringReader(partial.toString()))) {
        events.add(reader.readObject());
      }
      partial.setLength(0);
    }
    if (!paused) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    if (!paused) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    events.add(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    events.add(1006);
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
  }
}
