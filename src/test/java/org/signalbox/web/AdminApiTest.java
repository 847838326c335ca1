package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.room.RoomAdmin;

/** The admin API's answers over a fake {@link RoomAdmin}: shapes, codes, the message frame. */
class AdminApiTest {

  /** Two rooms, held in insertion order (not by name), recording what the API asked. */
  private static final class FakeRooms implements RoomAdmin {
    final Map<String, Detail> rooms = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();

    FakeRooms() {
      rooms.put("zulu", new Detail("zulu", 2000, List.of(
          new PeerState("p-old", "Old", 2100, false, "websocket"),
          new PeerState("p-new", "New \"quoted\"", 2200, true, "http"))));
      rooms.put("alpha", new Detail("alpha", 1000, List.of(
          new PeerState("p-a", "A", 1100, false, "websocket"))));
    }

    @Override
    public List<Summary> rooms() {
      return rooms.values().stream()
          .map(d -> new Summary(d.room(), d.peers().size(), d.createdAt())).toList();
    }

    @Override
    public Optional<Detail> room(String name) {
      return Optional.ofNullable(rooms.get(name));
    }

    @Override
    public boolean remove(String room, String peerId) {
      calls.add("remove " + room + " " + peerId);
      return rooms.containsKey(room)
          && rooms.get(room).peers().stream().anyMatch(p -> p.peerId().equals(peerId));
    }

    @Override
    public boolean close(String room) {
      calls.add("close " + room);
      return rooms.containsKey(room);
    }

    @Override
    public boolean message(String room, String to, String frame) {
      calls.add("message " + room + " " + to + " " + frame);
      return rooms.containsKey(room) && (to == null
          || rooms.get(room).peers().stream().anyMatch(p -> p.peerId().equals(to)));
    }
  }

  private final FakeRooms rooms = new FakeRooms();
  private final JsonProvider json = JsonProvider.provider();
  private final AdminApi api = new AdminApi(rooms, new OutboundCodec(json), json, "{\"openapi\":\"3.1.0\"}");

  private AdminAnswer answer(String method, String path, String body) throws AdminFailure {
    return api.answer(AdminRoute.of(method, path), body);
  }

  private AdminAnswer refused(String method, String path, String body) {
    return assertThrows(AdminFailure.class, () -> answer(method, path, body)).answer();
  }

  private static JsonObject parse(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }

  @Test
  void listingGivesEveryRoomByNameWithItsPeerCount() throws Exception {
    AdminAnswer answer = answer("GET", "/rooms", null);
    assertEquals(200, answer.status());
    assertEquals(parse("{\"rooms\":[{\"room\":\"alpha\",\"peers\":1,\"createdAt\":1000},"
        + "{\"room\":\"zulu\",\"peers\":2,\"createdAt\":2000}]}"), parse(answer.body()));
  }

  @Test
  void aRoomShowsItsPeersOldestFirstWithStateAndTransport() throws Exception {
    JsonObject room = parse(answer("GET", "/rooms/zulu", null).body());
    assertEquals(parse("{\"room\":\"zulu\",\"createdAt\":2000,\"peers\":["
        + "{\"peerId\":\"p-old\",\"name\":\"Old\",\"joinedAt\":2100,\"state\":\"connected\",\"transport\":\"websocket\"},"
        + "{\"peerId\":\"p-new\",\"name\":\"New \\\"quoted\\\"\",\"joinedAt\":2200,\"state\":\"grace\",\"transport\":\"http\"}]}"),
        room);
    AdminAnswer missing = refused("GET", "/rooms/empty", null);
    assertEquals(404, missing.status());
    assertEquals("not-found", parse(missing.body()).getString("error"));
  }

  @Test
  void removeAndCloseAre204Or404() throws Exception {
    assertEquals(204, answer("DELETE", "/rooms/zulu/peers/p-old", null).status());
    assertNull(answer("DELETE", "/rooms/zulu", null).body());
    assertEquals(404, refused("DELETE", "/rooms/zulu/peers/nobody", null).status());
    assertEquals(404, refused("DELETE", "/rooms/empty", null).status());
    assertEquals(List.of("remove zulu p-old", "close zulu", "remove zulu nobody", "close empty"),
        rooms.calls);
  }

  @Test
  void aMessageIsFromTheServerWithToOnlyWhenSentToOne() throws Exception {
    assertEquals(202, answer("POST", "/rooms/zulu/messages",
        "{\"to\":\"p-new\",\"data\":{\"text\":\"h\u00e9llo\",\"n\":[1,2.50]}}").status());
    assertEquals(202, answer("POST", "/rooms/zulu/messages", "{\"data\":null}").status());
    assertEquals(202, answer("POST", "/rooms/zulu/messages", "{\"to\":null,\"data\":\"all\"}").status());
    String one = rooms.calls.get(0);
    assertTrue(one.startsWith("message zulu p-new "), one);
    JsonObject frame = parse(one.substring("message zulu p-new ".length()));
    assertEquals("message", frame.getString("type"));
    assertEquals("@server", frame.getString("from"));
    assertEquals("p-new", frame.getString("to"));
    assertEquals(parse("{\"text\":\"h\u00e9llo\",\"n\":[1,2.50]}"), frame.getJsonObject("data"));
    JsonObject all = parse(rooms.calls.get(1).substring("message zulu null ".length()));
    assertEquals("@server", all.getString("from"));
    assertTrue(all.isNull("data"));
    assertTrue(!all.containsKey("to"), "no to when sent to every peer: " + all);
    assertEquals("all", parse(rooms.calls.get(2).substring("message zulu null ".length())).getString("data"));
  }

  @Test
  void aMessageToAnEmptyRoomOrAnAbsentPeerIs404() {
    assertEquals(404, refused("POST", "/rooms/empty/messages", "{\"data\":1}").status());
    assertEquals(404, refused("POST", "/rooms/zulu/messages", "{\"to\":\"nobody\",\"data\":1}").status());
  }

  @Test
  void aBadBodyIs400() {
    for (String body : new String[] {null, "", "not json", "[1]", "\"data\"", "{}",
        "{\"to\":5,\"data\":1}", "{\"data\":1} trailing", "{\"data\":"}) {
      AdminAnswer answer = refused("POST", "/rooms/zulu/messages", body);
      assertEquals(400, answer.status(), body);
      assertEquals("bad-request", parse(answer.body()).getString("error"), body);
    }
    assertTrue(rooms.calls.isEmpty(), "nothing sent: " + rooms.calls);
  }

  @Test
  void theOpenApiDocumentIsServedAsGiven() throws Exception {
    assertEquals("{\"openapi\":\"3.1.0\"}", answer("GET", "/openapi.json", null).body());
  }
}
