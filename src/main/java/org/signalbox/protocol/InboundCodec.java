package org.signalbox.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * Turns one client text frame into an {@link Envelope}, or a {@link ProtocolException} with code
 * {@code bad-message}. Checks shape and field types only; whether the message makes sense for the
 * connection's state is the router's job. Thread-safe: the parser factory is created once, because
 * the static {@code Json} factories look the provider up on every call.
 */
public final class InboundCodec {

  /** PROTOCOL.md: an {@code id} string has at most 64 chars. */
  static final int MAX_ID_LENGTH = 64;

  /** PROTOCOL.md: display names have 1 to 64 Unicode chars after trimming. */
  static final int MAX_NAME_CODE_POINTS = 64;

  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final JsonParserFactory parsers;

  public InboundCodec(JsonProvider provider) {
    this.parsers = provider.createParserFactory(Map.of());
  }

  /** Decodes and checks one frame. */
  public Envelope decode(String frame) throws ProtocolException {
    JsonObject object = parseObject(frame);
    JsonValue ref = ref(object);
    JsonValue type = object.get("type");
    if (!(type instanceof JsonString typeName)) {
      throw bad("'type' must be a string", ref);
    }
    Inbound message =
        switch (typeName.getString()) {
          case "join" -> join(object, ref);
          case "leave" -> new Inbound.Leave();
          case "signal" -> signal(object, ref);
          case "message" -> message(object, ref);
          case "ping" -> new Inbound.Ping();
          default -> throw bad("unknown type '" + typeName.getString() + "'", ref);
        };
    return new Envelope(message, ref);
  }

  /**
   * The frame's {@code id} if it has a valid one, without any other check: used to answer a frame
   * that is refused before decoding (rate limit). Never throws.
   */
  public JsonValue refOf(String frame) {
    try {
      return ref(parseObject(frame));
    } catch (ProtocolException e) {
      return null;
    }
  }

  private JsonObject parseObject(String frame) throws ProtocolException {
    JsonValue value;
    // A parser rather than a reader: the reader stops after the first value and would accept
    // trailing text, and one frame is exactly one JSON object.
    try (JsonParser parser = parsers.createParser(new StringReader(frame))) {
      if (!parser.hasNext()) {
        throw bad("an empty frame is not JSON", null);
      }
      parser.next();
      value = parser.getValue();
      if (parser.hasNext()) {
        throw bad("text after the JSON object", null);
      }
    } catch (JsonException | IllegalStateException | NoSuchElementException e) {
      throw bad("not valid JSON", null);
    }
    if (!(value instanceof JsonObject object)) {
      throw bad("a frame must be a JSON object", null);
    }
    return object;
  }

  private static JsonValue ref(JsonObject object) throws ProtocolException {
    JsonValue id = object.get("id");
    if (id == null) {
      return null;
    }
    if (id instanceof JsonString s && s.getString().length() <= MAX_ID_LENGTH) {
      return id;
    }
    if (id instanceof JsonNumber n && n.isIntegral()) {
      return id;
    }
    throw bad("'id' must be a string of at most 64 chars or an integer", null);
  }

  private static Inbound.Join join(JsonObject object, JsonValue ref) throws ProtocolException {
    String room = requiredString(object, "room", ref);
    if (!ROOM.matcher(room).matches()) {
      throw bad("'room' must be 1-64 chars of A-Z a-z 0-9 . _ : -", ref);
    }
    String name = optionalString(object, "name", ref);
    if (name != null) {
      name = displayName(name, ref);
    }
    return new Inbound.Join(
        room, name, optionalString(object, "token", ref), optionalString(object, "resume", ref));
  }

  private static Inbound.Signal signal(JsonObject object, JsonValue ref) throws ProtocolException {
    String to = requiredString(object, "to", ref);
    if (!(object.get("data") instanceof JsonObject data)) {
      throw bad("'data' of a signal must be a JSON object", ref);
    }
    return new Inbound.Signal(to, data);
  }

  private static Inbound.Message message(JsonObject object, JsonValue ref)
      throws ProtocolException {
    String to = optionalString(object, "to", ref);
    JsonValue data = object.get("data");
    if (data == null) {
      throw bad("'data' is required (null is allowed)", ref);
    }
    return new Inbound.Message(to, data);
  }

  private static String displayName(String raw, JsonValue ref) throws ProtocolException {
    String name = displayNameOrNull(raw);
    if (name == null) {
      throw bad("'name' must have 1-64 chars after trimming and no control characters", ref);
    }
    return name;
  }

  /**
   * {@code raw} trimmed, when it is a valid display name (1-64 chars after trimming, no control
   * characters); else null. Names from tokens follow the same rule as names from {@code join}.
   */
  public static String displayNameOrNull(String raw) {
    String name = raw.strip();
    int length = name.codePointCount(0, name.length());
    if (length < 1 || length > MAX_NAME_CODE_POINTS
        || name.codePoints().anyMatch(Character::isISOControl)) {
      return null;
    }
    return name;
  }

  private static String requiredString(JsonObject object, String field, JsonValue ref)
      throws ProtocolException {
    String value = optionalString(object, field, ref);
    if (value == null) {
      throw bad("'" + field + "' is required", ref);
    }
    return value;
  }

  /** The string value of {@code field}; null when absent or JSON null; bad-message otherwise. */
  private static String optionalString(JsonObject object, String field, JsonValue ref)
      throws ProtocolException {
    JsonValue value = object.get(field);
    if (value == null || value == JsonValue.NULL) {
      return null;
    }
    if (value instanceof JsonString s) {
      return s.getString();
    }
    throw bad("'" + field + "' must be a string", ref);
  }

  private static ProtocolException bad(String message, JsonValue ref) {
    return new ProtocolException(ErrorCode.BAD_MESSAGE, message, ref);
  }
}
