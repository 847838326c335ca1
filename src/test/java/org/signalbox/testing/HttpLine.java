package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One session of the HTTP binding, as a browser's client would hold it: frames are posted as
 * arrays, and one poll at a time fetches what the server has, acknowledging what came before. A
 * poll that fails on the network is asked again with the same {@code ack}, as the binding intends.
 * Every request is bounded in time; the poll loop ends at {@link #abort}, at the {@code closed}
 * frame, or at a 404.
 */
public final class HttpLine {

  /** The open was refused with an HTTP status. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String body) {
      super("open refused: " + status + " " + body);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(TestClient.WAIT).build();

  /** Network failures of polls in a row before the line counts as broken. */
  private static final int POLL_FAILURES = 50;

  /** A client that does not read still polls, this often, as a page too busy would. */
  private static final long UNREAD_POLL_PACE_MS = 100;

  private final URI base;
  private final String origin;
  private final Map<String, String> headers;
  private final String session;
  private final long pollMs;
  private final Consumer<JsonObject> frames;
  private final IntConsumer closed;
  private final Thread poller;
  private volatile boolean stopped;
  private volatile boolean reading = true;
  private volatile long seq;
  private volatile CompletableFuture<HttpResponse<String>> inFlight;

  private HttpLine(URI base, String origin, Map<String, String> headers, JsonObject opened,
      Consumer<JsonObject> frames, IntConsumer closed) {
    this.base = base;
    this.origin = origin;
    this.headers = headers;
    this.session = opened.getString("session");
    this.pollMs = opened.getJsonNumber("pollMs").longValue();
    this.frames = frames;
    this.closed = closed;
    this.seq = 0;
    this.poller = new Thread(this::pollLoop, "http-line-" + session.substring(0, 6));
    this.poller.setDaemon(true);
  }

  /**
   * Opens a session at {@code base} ({@code …/signal/http}) and hands its first frames to {@code
   * frames}; then polls on a thread of its own until the session ends, telling {@code closed} the
   * code of a {@code closed} frame, or 1006 when the session is gone without one.
   */
  public static HttpLine open(URI base, String origin, Map<String, String> headers,
      Consumer<JsonObject> frames, IntConsumer closed) {
    HttpRequest.Builder open = request(base, origin, headers)
        .POST(HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> answer = send(open.build());
    if (answer.statusCode() != 200) {
      throw new Refused(answer.statusCode(), answer.body());
    }
    JsonObject opened = parse(answer.body());
    HttpLine line = new HttpLine(base, origin, headers, opened, frames, closed);
    if (line.take(opened.getJsonArray("frames").getValuesAs(JsonObject.class), 0)) {
      line.poller.start();
    }
    return line;
  }

  /** How long the server holds a poll, as the open answer said. */
  public long pollMs() {
    return pollMs;
  }

  /** The session id. */
  public String session() {
    return session;
  }

  /** The last sequence number received (and acknowledged by the next poll). */
  public long seq() {
    return seq;
  }

  /**
   * Posts one frame (any text: it becomes the only element of the body) and expects 204, or 413
   * for a frame over maxMessageBytes (the session then ends with {@code closed} 1009).
   */
  public void send(String frame) {
    int status = post("[" + frame + "]");
    if (status != 204 && status != 413) {
      throw new AssertionError("POST of a frame of " + frame.length() + " chars: " + status);
    }
  }

  /** Posts {@code body} as it is, as application/json, and returns the status. */
  public int post(String body) {
    return post(body, "application/json");
  }

  /** Posts {@code body} with {@code contentType} (null for none) and returns the status. */
  public int post(String body, String contentType) {
    HttpRequest.Builder post = request(sessionUri(""), origin, headers)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      post.header("Content-Type", contentType);
    }
    return send(post.build()).statusCode();
  }

  /** A poll of its own with {@code ack}, outside the line's loop: the status and body. */
  public HttpResponse<String> pollOnce(long ack) {
    return send(request(sessionUri("?ack=" + ack), origin, headers)
        .timeout(Duration.ofMillis(pollMs + TestClient.WAIT.toMillis())).GET().build());
  }

  /** The client's close: DELETE, expecting 204. */
  public void delete() {
    stopped = true;
    HttpResponse<String> answer =
        send(request(sessionUri(""), origin, headers).DELETE().build());
    assertEquals(204, answer.statusCode(), () -> "DELETE: " + answer.body());
    closed.accept(1000);
    poller.interrupt();
  }

  /** No more requests, and the poll in flight is cancelled: the server finds the session lost. */
  public void abort() {
    stopped = true;
    CompletableFuture<HttpResponse<String>> poll = inFlight;
    if (poll != null) {
      poll.cancel(true);
    }
    poller.interrupt();
  }

  /** Polls go on with the last ack: nothing new is taken or acknowledged. */
  public void stopReading() {
    reading = false;
  }

  private URI sessionUri(String suffix) {
    return URI.create(base + "/" + session + suffix);
  }

  private void pollLoop() {
    int failures = 0;
    while (!stopped) {
      long ack = seq;
      HttpRequest poll = request(sessionUri("?ack=" + ack), origin, headers)
          .timeout(Duration.ofMillis(pollMs + TestClient.WAIT.toMillis())).GET().build();
      HttpResponse<String> answer;
      try {
        CompletableFuture<HttpResponse<String>> sent =
            HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString());
        inFlight = sent;
        answer = sent.get(pollMs + 2 * TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
        if (stopped || ++failures > POLL_FAILURES) {
          if (!stopped) {
            closed.accept(1006);
          }
          return;
        }
        continue; // the answer was lost: ask again with the same ack
      }
      failures = 0;
      if (answer.statusCode() == 404) {
        closed.accept(1006);
        return;
      }
      assertEquals(200, answer.statusCode(), answer::body);
      JsonObject body = parse(answer.body());
      if (!reading) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(UNREAD_POLL_PACE_MS));
        continue;
      }
      if (!take(body.getJsonArray("frames").getValuesAs(JsonObject.class),
          body.getJsonNumber("seq").longValue())) {
        return;
      }
    }
  }

  /** Hands over {@code received}; false when the {@code closed} frame ended the session. */
  private boolean take(Iterable<JsonObject> received, long lastSeq) {
    long n = seq;
    for (JsonObject frame : received) {
      n++;
      if (frame.getString("type").equals("closed")) {
        seq = n;
        stopped = true;
        closed.accept(frame.getInt("code"));
        return false;
      }
      frames.accept(frame);
    }
    seq = Math.max(n, lastSeq);
    return true;
  }

  /**
   * A request of the binding with {@code headers} and {@code Origin: origin} (none when null),
   * bounded by {@link TestClient#WAIT} unless the caller sets another timeout: for a test's own
   * requests beside a line.
   */
  public static HttpRequest.Builder request(URI uri, String origin, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TestClient.WAIT);
    headers.forEach(request::header);
    if (origin != null) {
      request.header("Origin", origin);
    }
    return request;
  }

  /** Sends {@code request} and returns the answer, whatever its status; a network error fails. */
  public static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("HTTP " + request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code text} as a JSON object. */
  public static JsonObject parse(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      JsonValue value = reader.readValue();
      return value.asJsonObject();
    }
  }
}
