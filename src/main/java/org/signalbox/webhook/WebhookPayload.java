package org.signalbox.webhook;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;
import jakarta.json.spi.JsonProvider;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.signalbox.spi.RoomEvent;
import org.signalbox.spi.RoomEvent.PeerJoined;
import org.signalbox.spi.RoomEvent.PeerLeft;
import org.signalbox.spi.RoomEvent.PeerLost;
import org.signalbox.spi.RoomEvent.PeerResumed;
import org.signalbox.spi.RoomEvent.RoomFinished;
import org.signalbox.spi.RoomEvent.RoomStarted;

/**
 * The JSON body of a webhook (PORTAL.md): {@code {"type", "timestamp", "data"}}. It depends only
 * on the event, so every attempt sends, and signs, the same bytes. Thread-safe: the JSON-P
 * factories are made once (STYLE.md) and are themselves thread-safe.
 */
public final class WebhookPayload {

  /**
   * Always with milliseconds and {@code Z}: {@link Instant#toString()} drops zero fractions, which
   * would give receivers two formats to parse.
   */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

  private final JsonProvider json;
  private final JsonWriterFactory writers;

  public WebhookPayload(JsonProvider json) {
    this.json = json;
    this.writers = json.createWriterFactory(Map.of());
  }

  /** The body for this event, compact, keys in the order of PORTAL.md. */
  public String body(RoomEvent event) {
    JsonObject body =
        json.createObjectBuilder()
            .add("type", event.type())
            .add("timestamp", TIMESTAMP.format(Instant.ofEpochMilli(event.at())))
            .add("data", data(event))
            .build();
    StringWriter out = new StringWriter();
    try (JsonWriter writer = writers.createWriter(out)) {
      writer.writeObject(body);
    }
    return out.toString();
  }

  /**
   * One branch per event type. Java 17 has no pattern switch; the final throw stands in for the
   * compiler's exhaustiveness check, and WebhookPayloadTest covers every permitted type.
   */
  private JsonObjectBuilder data(RoomEvent event) {
    JsonObjectBuilder data = json.createObjectBuilder().add("room", event.room());
    if (event instanceof RoomStarted) {
      return data;
    } else if (event instanceof PeerJoined e) {
      data.add("peerId", e.peerId());
      if (e.name() == null) {
        data.addNull("name");
      } else {
        data.add("name", e.name());
      }
      return e.identity() == null ? data : data.add("identity", e.identity());
    } else if (event instanceof PeerLost e) {
      return data.add("peerId", e.peerId());
    } else if (event instanceof PeerResumed e) {
      return data.add("peerId", e.peerId());
    } else if (event instanceof PeerLeft e) {
      return data.add("peerId", e.peerId()).add("reason", e.reason());
    } else if (event instanceof RoomFinished e) {
      return data.add("durationMs", e.durationMs());
    }
    throw new IllegalArgumentException("no webhook body for " + event.getClass().getName());
  }
}
