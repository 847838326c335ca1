package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A session of the HTTP binding driven request by request, for tests that decide themselves
 * what is acknowledged and when polls stop (an {@link HttpLine} polls and acknowledges by
 * itself). Every request is bounded in time.
 */
public final class RawHttpSession {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(TestClient.WAIT).build();

  private final URI at;
  private final JsonObject opened;

  private RawHttpSession(URI at, JsonObject opened) {
    this.at = at;
    this.opened = opened;
  }

  /** Opens a session at {@code base} ({@code …/signal/http}). */
  public static RawHttpSession open(URI base) {
    HttpResponse<String> answer = send(HttpRequest.newBuilder(base)
        .POST(HttpRequest.BodyPublishers.noBody()), Duration.ZERO);
    assertEquals(200, answer.statusCode(), answer::body);
    JsonObject opened = HttpLine.parse(answer.body());
    return new RawHttpSession(URI.create(base + "/" + opened.getString("session")), opened);
  }

  /** The open answer: {@code session}, {@code frames} ([welcome]) and {@code pollMs}. */
  public JsonObject opened() {
    return opened;
  }

  /** The peer id of the session's {@code welcome}. */
  public String peerId() {
    return opened.getJsonArray("frames").getJsonObject(0).getString("peerId");
  }

  /** Posts {@code frames} (a JSON array's text) as application/json, expecting 204. */
  public void post(String frames) {
    HttpResponse<String> answer = send(HttpRequest.newBuilder(at)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(frames)), Duration.ZERO);
    assertEquals(204, answer.statusCode(), answer::body);
  }

  /** One poll with {@code ack}: its {@code {"frames","seq"}} answer (200 expected). */
  public JsonObject poll(long ack) {
    HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(at + "?ack=" + ack))
        .GET(), Duration.ofMillis(opened.getJsonNumber("pollMs").longValue()));
    assertEquals(200, answer.statusCode(), answer::body);
    return HttpLine.parse(answer.body());
  }

  /**
   * Polls with {@code ack} (so acknowledging nothing new) until {@code count} frames of {@code
   * type} wait unacknowledged, at most 20 polls.
   */
  public void awaitUnacknowledged(long ack, String type, int count) {
    List<String> got = List.of();
    for (int i = 0; i < 20 && got.stream().filter(type::equals).count() < count; i++) {
      got = types(poll(ack));
    }
    List<String> last = got;
    assertEquals(count, got.stream().filter(type::equals).count(), last::toString);
  }

  /** The types of an answer's frames, in order. */
  public static List<String> types(JsonObject answer) {
    return answer.getJsonArray("frames").getValuesAs(JsonObject.class).stream()
        .map(f -> f.getString("type")).toList();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, Duration held) {
    try {
      return HTTP.send(request.timeout(TestClient.WAIT.plus(held)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
