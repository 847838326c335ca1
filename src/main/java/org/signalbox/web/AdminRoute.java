package org.signalbox.web;

import jakarta.servlet.http.HttpServletResponse;
import org.signalbox.protocol.InboundCodec;

/**
 * What an admin request asks for (PORTAL.md, Admin API), read from its method and its path below
 * {@code /admin}. Only the shape of the path and the room-name rule are checked here; whether the
 * room or the peer exists is the {@link AdminApi}'s question.
 */
sealed interface AdminRoute {

  /**
   * Runs the request on {@code api}. Each route calls its own operation: Java 17 has no pattern
   * switch, and an abstract method makes the compiler name every route a new operation misses.
   */
  AdminAnswer answerWith(AdminApi api, String body) throws AdminFailure;

  /** What the request does, in the words of PORTAL.md's table, for the log. */
  String describe();

  /** {@code GET /admin/rooms}. */
  record ListRooms() implements AdminRoute {
    @Override
    public AdminAnswer answerWith(AdminApi api, String body) {
      return api.list();
    }

    @Override
    public String describe() {
      return "list rooms";
    }
  }

  /** {@code GET /admin/rooms/{room}}. */
  record ShowRoom(String room) implements AdminRoute {
    @Override
    public AdminAnswer answerWith(AdminApi api, String body) throws AdminFailure {
      return api.show(room);
    }

    @Override
    public String describe() {
      return "inspect room " + room;
    }
  }

  /** {@code DELETE /admin/rooms/{room}}. */
  record CloseRoom(String room) implements AdminRoute {
    @Override
    public AdminAnswer answerWith(AdminApi api, String body) throws AdminFailure {
      return api.close(room);
    }

    @Override
    public String describe() {
      return "close room " + room;
    }
  }

  /** {@code DELETE /admin/rooms/{room}/peers/{peerId}}. */
  record RemovePeer(String room, String peerId) implements AdminRoute {
    @Override
    public AdminAnswer answerWith(AdminApi api, String body) throws AdminFailure {
      return api.remove(room, peerId);
    }

    @Override
    public String describe() {
      return "remove peer " + peerId + " from room " + room;
    }
  }

  /** {@code POST /admin/rooms/{room}/messages}. */
  record SendMessage(String room) implements AdminRoute {
    @Override
    public AdminAnswer answerWith(AdminApi api, String body) throws AdminFailure {
      return api.message(room, body);
    }

    @Override
    public String describe() {
      return "message room " + room;
    }

    @Override
    public boolean hasBody() {
      return true;
    }
  }

  /** {@code GET /admin/openapi.json}. */
  record OpenApi() implements AdminRoute {
    @Override
    public AdminAnswer answerWith(AdminApi api, String body) {
      return api.openApi();
    }

    @Override
    public String describe() {
      return "read openapi.json";
    }
  }

  /** Whether the request carries a body to read. */
  default boolean hasBody() {
    return false;
  }

  /**
   * Reads a request.
   *
   * @param method the HTTP method
   * @param path the path below {@code /admin} as the container decoded it ({@code
   *     getPathInfo()}), such as {@code /rooms/standup}; null for {@code /admin} itself
   * @throws AdminFailure 404 {@code not-found} for a path the API does not have, 400 {@code
   *     bad-request} for a room name that breaks the protocol's rule, 405 {@code
   *     method-not-allowed} (with {@code Allow}) for a method the path does not take
   */
  static AdminRoute of(String method, String path) throws AdminFailure {
    String[] parts = path == null ? new String[0] : path.split("/", -1);
    // A path that starts with "/" splits into an empty first part.
    if (parts.length < 2 || !parts[0].isEmpty()) {
      throw notFound(path);
    }
    if (parts.length == 2 && parts[1].equals("openapi.json")) {
      return only(method, "GET", new OpenApi());
    }
    if (!parts[1].equals("rooms")) {
      throw notFound(path);
    }
    if (parts.length == 2) {
      return only(method, "GET", new ListRooms());
    }
    String room = parts[2];
    if (room.isEmpty()) {
      throw notFound(path);
    }
    if (parts.length == 3) {
      checkRoom(room);
      return switch (method) {
        case "GET" -> new ShowRoom(room);
        case "DELETE" -> new CloseRoom(room);
        default -> throw notAllowed(method, "GET, DELETE");
      };
    }
    if (parts.length == 4 && parts[3].equals("messages")) {
      checkRoom(room);
      return only(method, "POST", new SendMessage(room));
    }
    if (parts.length == 5 && parts[3].equals("peers") && !parts[4].isEmpty()) {
      checkRoom(room);
      return only(method, "DELETE", new RemovePeer(room, parts[4]));
    }
    throw notFound(path);
  }

  private static AdminRoute only(String method, String allowed, AdminRoute route)
      throws AdminFailure {
    if (!method.equals(allowed)) {
      throw notAllowed(method, allowed);
    }
    return route;
  }

  private static void checkRoom(String room) throws AdminFailure {
    if (!InboundCodec.isRoomName(room)) {
      throw AdminFailure.of(HttpServletResponse.SC_BAD_REQUEST, "bad-request",
          "a room name is 1-64 chars of A-Z a-z 0-9 . _ : -");
    }
  }

  private static AdminFailure notFound(String path) {
    return AdminFailure.of(HttpServletResponse.SC_NOT_FOUND, "not-found",
        "no such admin resource: /admin" + (path == null ? "" : path));
  }

  private static AdminFailure notAllowed(String method, String allowed) {
    return new AdminFailure(AdminAnswer.error(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
        "method-not-allowed", method + " is not allowed here; allowed: " + allowed)
        .withHeader("Allow", allowed));
  }
}
