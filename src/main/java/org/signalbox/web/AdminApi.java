package org.signalbox.web;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.servlet.http.HttpServletResponse;
import java.io.StringReader;
import java.util.Comparator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.signalbox.protocol.JsonText;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.room.RoomAdmin;

/**
 * Answers admin requests that passed the gate (PORTAL.md, Admin API): reads and changes the rooms
 * through {@link RoomAdmin} and turns the result into an {@link AdminAnswer}. Knows nothing of
 * HTTP requests or authentication, so it is tested without a server. Thread-safe: the JSON-P
 * factories are created once and shared.
 */
final class AdminApi {

  /** The sender of every message the portal sends; no peer id can equal it (PROTOCOL.md). */
  static final String SERVER = "@server";

  private final RoomAdmin rooms;
  private final OutboundCodec outbound;
  private final JsonProvider json;
  private final JsonParserFactory parsers;
  private final String openApi;

  /**
   * @param openApi the OpenAPI document served at {@code /admin/openapi.json}
   */
  AdminApi(RoomAdmin rooms, OutboundCodec outbound, JsonProvider json, String openApi) {
    this.rooms = rooms;
    this.outbound = outbound;
    this.json = json;
    this.parsers = json.createParserFactory(Map.of());
    this.openApi = openApi;
  }

  /**
   * The answer to {@code route}.
   *
   * @param body the request's body, read within its bound (only a message has one)
   */
  AdminAnswer answer(AdminRoute route, String body) throws AdminFailure {
    return route.answerWith(this, body);
  }

  AdminAnswer openApi() {
    return AdminAnswer.json(HttpServletResponse.SC_OK, openApi);
  }

  AdminAnswer list() {
    JsonArrayBuilder out = json.createArrayBuilder();
    rooms.rooms().stream()
        .sorted(Comparator.comparing(RoomAdmin.Summary::room))
        .forEach(r -> out.add(json.createObjectBuilder()
            .add("room", r.room()).add("peers", r.peers()).add("createdAt", r.createdAt())));
    return ok(json.createObjectBuilder().add("rooms", out).build());
  }

  AdminAnswer show(String room) throws AdminFailure {
    Optional<RoomAdmin.Detail> found = rooms.room(room);
    if (found.isEmpty()) {
      throw noRoom(room);
    }
    RoomAdmin.Detail detail = found.get();
    JsonArrayBuilder peers = json.createArrayBuilder();
    for (RoomAdmin.PeerState p : detail.peers()) {
      peers.add(json.createObjectBuilder()
          .add("peerId", p.peerId()).add("name", p.name()).add("joinedAt", p.joinedAt())
          .add("state", p.grace() ? "grace" : "connected").add("transport", p.transport()));
    }
    return ok(json.createObjectBuilder().add("room", detail.room())
        .add("createdAt", detail.createdAt()).add("peers", peers).build());
  }

  AdminAnswer close(String room) throws AdminFailure {
    if (!rooms.close(room)) {
      throw noRoom(room);
    }
    return AdminAnswer.empty(HttpServletResponse.SC_NO_CONTENT);
  }

  AdminAnswer remove(String room, String peerId) throws AdminFailure {
    if (!rooms.remove(room, peerId)) {
      throw AdminFailure.of(HttpServletResponse.SC_NOT_FOUND, "not-found",
          "no peer " + peerId + " in room " + room);
    }
    return AdminAnswer.empty(HttpServletResponse.SC_NO_CONTENT);
  }

  AdminAnswer message(String room, String body) throws AdminFailure {
    JsonObject request = object(body);
    JsonValue to = request.get("to");
    if (to != null && to != JsonValue.NULL && !(to instanceof JsonString)) {
      throw badRequest("'to' must be a peer id (a string)");
    }
    JsonValue data = request.get("data");
    if (data == null) {
      throw badRequest("'data' is required (null is allowed)");
    }
    String recipient = to instanceof JsonString s ? s.getString() : null;
    String frame = outbound.encode(
        new Outbound.MessageRelay(SERVER, new JsonText(data.toString()), recipient));
    if (!rooms.message(room, recipient, frame)) {
      throw recipient == null ? noRoom(room) : AdminFailure.of(HttpServletResponse.SC_NOT_FOUND,
          "not-found", "no peer " + recipient + " in room " + room);
    }
    return AdminAnswer.empty(HttpServletResponse.SC_ACCEPTED);
  }

  /**
   * The body as one JSON object, and nothing after it. A parser rather than a reader, which
   * stops after the first value and would take trailing text (as {@code InboundCodec} notes).
   */
  private JsonObject object(String body) throws AdminFailure {
    if (body == null || body.isBlank()) {
      throw badRequest("the body must be a JSON object with 'data'");
    }
    try (JsonParser parser = parsers.createParser(new StringReader(body))) {
      if (parser.next() != JsonParser.Event.START_OBJECT) {
        throw badRequest("the body must be a JSON object with 'data'");
      }
      JsonObject object = parser.getObject();
      if (parser.hasNext()) {
        throw badRequest("text after the JSON object");
      }
      return object;
    } catch (JsonException | IllegalStateException | NoSuchElementException e) {
      throw badRequest("the body is not valid JSON");
    }
  }

  private AdminAnswer ok(JsonObject body) {
    return AdminAnswer.json(HttpServletResponse.SC_OK, body.toString());
  }

  private static AdminFailure noRoom(String room) {
    return AdminFailure.of(HttpServletResponse.SC_NOT_FOUND, "not-found",
        "room " + room + " has no peer");
  }

  private static AdminFailure badRequest(String message) {
    return AdminFailure.of(HttpServletResponse.SC_BAD_REQUEST, "bad-request", message);
  }
}
