package org.signalbox.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.util.HashMap;
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
    this(provider.createParserFactory(Map.of()));
  }

  InboundCodec(JsonParserFactory parsers) {
    this.parsers = parsers;
  }

  /** Decodes and checks one frame. */
  public Envelope decode(String frame) throws ProtocolException {
    Fields fields = parse(frame);
    JsonValue ref = ref(fields.get("id"));
    JsonValue type = fields.get("type");
    if (!(type instanceof JsonString typeName)) {
      throw bad("'type' must be a string", ref);
    }
    Inbound message =
        switch (typeName.getString()) {
          case "join" -> join(fields, ref);
          case "leave" -> new Inbound.Leave();
          case "signal" -> signal(fields, ref);
          case "message" -> message(fields, ref);
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
      return ref(parse(frame).get("id"));
    } catch (ProtocolException e) {
      return null;
    }
  }

  /** The top-level fields of one frame: {@code data} as text, every other value as a tree. */
  private record Fields(Map<String, JsonValue> values, JsonText data) {
    JsonValue get(String name) {
      return values.get(name);
    }
  }

  private Fields parse(String frame) throws ProtocolException {
    // A parser rather than a reader: the reader stops after the first value and would accept
    // trailing text, and one frame is exactly one JSON object. The whole frame is read before any
    // field is checked, so invalid JSON is always reported as such.
    try (JsonParser parser = parsers.createParser(new StringReader(frame))) {
      if (!parser.hasNext()) {
        throw bad("an empty frame is not JSON", null);
      }
      if (parser.next() != Event.START_OBJECT) {
        parser.getValue();
        requireEnd(parser);
        throw bad("a frame must be a JSON object", null);
      }
      Map<String, JsonValue> values = new HashMap<>();
      JsonText data = null;
      boolean dataUnsliced = false;
      for (Event key = parser.next(); key != Event.END_OBJECT; key = parser.next()) {
        String name = parser.getString();
        Event value = parser.next();
        if (name.equals("data")) {
          data = dataText(frame, parser, value);
          dataUnsliced = data == null;
        } else {
          values.put(name, parser.getValue());
        }
      }
      requireEnd(parser);
      if (dataUnsliced) {
        data = new JsonText(readObject(frame).get("data").toString());
      }
      return new Fields(values, data);
    } catch (JsonException | IllegalStateException | NoSuchElementException e) {
      throw bad("not valid JSON", null);
    }
  }

  private static void requireEnd(JsonParser parser) throws ProtocolException {
    if (parser.hasNext()) {
      throw bad("text after the JSON object", null);
    }
  }

  /**
   * The value that starts with event {@code first}, as the text the client sent. An object or
   * array is walked event by event (so the parser checks its grammar, which {@code skipObject}
   * would not) and cut out of the frame between the parser's offsets. Returns null when those
   * offsets do not frame it exactly: JSON-P leaves their precision to the implementation, and a
   * provider that reports them differently gets the value re-read instead of a wrong cut.
   */
  private static JsonText dataText(String frame, JsonParser parser, Event first) {
    if (first != Event.START_OBJECT && first != Event.START_ARRAY) {
      return new JsonText(parser.getValue().toString());
    }
    long start = parser.getLocation().getStreamOffset() - 1;
    for (int depth = 1; depth > 0; ) {
      switch (parser.next()) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        default -> {
          // Keys and scalars: checked by the parser, not needed here.
        }
      }
    }
    long end = parser.getLocation().getStreamOffset();
    char open = first == Event.START_OBJECT ? '{' : '[';
    char close = first == Event.START_OBJECT ? '}' : ']';
    if (start < 0 || end > frame.length() || end - start < 2
        || frame.charAt((int) start) != open || frame.charAt((int) end - 1) != close) {
      return null;
    }
    return new JsonText(frame.substring((int) start, (int) end));
  }

  /** The frame as a tree; only for a provider whose parser offsets cannot be trusted. */
  private JsonObject readObject(String frame) {
    try (JsonParser parser = parsers.createParser(new StringReader(frame))) {
      parser.next();
      return parser.getObject();
    }
  }

  private static JsonValue ref(JsonValue id) throws ProtocolException {
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

  private static Inbound.Join join(Fields object, JsonValue ref) throws ProtocolException {
    String room = requiredString(object, "room", ref);
    if (!isRoomName(room)) {
      throw bad("'room' must be 1-64 chars of A-Z a-z 0-9 . _ : -", ref);
    }
    String name = optionalString(object, "name", ref);
    if (name != null) {
      name = displayName(name, ref);
    }
    return new Inbound.Join(
        room, name, optionalString(object, "token", ref), optionalString(object, "resume", ref));
  }

  private static Inbound.Signal signal(Fields fields, JsonValue ref) throws ProtocolException {
    String to = requiredString(fields, "to", ref);
    if (fields.data() == null || !fields.data().isObject()) {
      throw bad("'data' of a signal must be a JSON object", ref);
    }
    return new Inbound.Signal(to, fields.data());
  }

  private static Inbound.Message message(Fields fields, JsonValue ref) throws ProtocolException {
    String to = optionalString(fields, "to", ref);
    if (fields.data() == null) {
      throw bad("'data' is required (null is allowed)", ref);
    }
    return new Inbound.Message(to, fields.data());
  }

  private static String displayName(String raw, JsonValue ref) throws ProtocolException {
    String name = displayNameOrNull(raw);
    if (name == null) {
      throw bad("'name' must have 1-64 chars after trimming and no control characters", ref);
    }
    return name;
  }

  /**
   * Whether {@code room} is a valid room name (PROTOCOL.md, Identities: 1-64 chars of {@code
   * [A-Za-z0-9._:-]}): the one rule for {@code join} and for the admin API's paths.
   */
  public static boolean isRoomName(String room) {
    return room != null && ROOM.matcher(room).matches();
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

  private static String requiredString(Fields object, String field, JsonValue ref)
      throws ProtocolException {
    String value = optionalString(object, field, ref);
    if (value == null) {
      throw bad("'" + field + "' is required", ref);
    }
    return value;
  }

  /** The string value of {@code field}; null when absent or JSON null; bad-message otherwise. */
  private static String optionalString(Fields object, String field, JsonValue ref)
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
