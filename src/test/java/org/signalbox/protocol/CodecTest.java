package org.signalbox.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON codecs: what a client may send, and the exact shape of what the server writes. */
class CodecTest {

  private static final InboundCodec IN = new InboundCodec(JsonProvider.provider());
  private static final OutboundCodec OUT = new OutboundCodec(JsonProvider.provider());

  private static ProtocolException bad(String frame) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> IN.decode(frame));
    assertEquals(ErrorCode.BAD_MESSAGE, e.code(), frame);
    return e;
  }

  private static JsonObject parse(String json) {
    return Json.createReader(new StringReader(json)).readObject();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{", "{\"type\":\"ping\"} trailing", "[]", "\"ping\"",
      "42", "null", "{}", "{\"type\":7}", "{\"type\":null}"})
  void malformedFramesAreBadMessagesWithoutRef(String frame) {
    assertNull(bad(frame).ref());
  }

  @Test
  void unknownTypeIsABadMessageThatKeepsItsRef() {
    assertEquals("a", ((jakarta.json.JsonString) bad("{\"type\":\"dance\",\"id\":\"a\"}").ref()).getString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"type\":\"ping\",\"id\":1.5}", "{\"type\":\"ping\",\"id\":1e3}",
      "{\"type\":\"ping\",\"id\":true}", "{\"type\":\"ping\",\"id\":{}}",
      "{\"type\":\"ping\",\"id\":\"0123456789012345678901234567890123456789012345678901234567890123X\"}"})
  void anInvalidIdIsABadMessageWithoutRef(String frame) {
    assertNull(bad(frame).ref());
  }

  @Test
  void validIdsAreKeptExactly() throws Exception {
    assertEquals("x".repeat(64),
        ((jakarta.json.JsonString) IN.decode("{\"type\":\"ping\",\"id\":\"" + "x".repeat(64) + "\"}").ref()).getString());
    assertEquals("123456789012345678901234",
        IN.decode("{\"type\":\"ping\",\"id\":123456789012345678901234}").ref().toString());
    assertEquals("-3", IN.decode("{\"type\":\"ping\",\"id\":-3}").ref().toString());
  }

  @Test
  void unknownFieldsAreIgnored() throws Exception {
    Envelope e = IN.decode("{\"type\":\"signal\",\"to\":\"p\",\"data\":{},\"from\":\"forged\",\"x\":[1]}");
    Inbound.Signal s = assertInstanceOf(Inbound.Signal.class, e.message());
    assertEquals("p", s.to());
  }

  @Test
  void joinChecksRoomAndName() throws Exception {
    Inbound.Join j = assertInstanceOf(Inbound.Join.class,
        IN.decode("{\"type\":\"join\",\"room\":\"a.B_9:-\",\"name\":\"  Ada 😀  \"}").message());
    assertEquals("a.B_9:-", j.room());
    assertEquals("Ada 😀", j.name());
    assertNull(assertInstanceOf(Inbound.Join.class,
        IN.decode("{\"type\":\"join\",\"room\":\"r\",\"name\":null}").message()).name());
    IN.decode("{\"type\":\"join\",\"room\":\"" + "r".repeat(64) + "\",\"name\":\"" + "😀".repeat(64) + "\"}");
    for (String room : List.of("\"\"", "\"" + "r".repeat(65) + "\"", "\"a b\"", "\"a/b\"", "\"é\"", "7")) {
      bad("{\"type\":\"join\",\"room\":" + room + "}");
    }
    bad("{\"type\":\"join\"}");
    for (String name : List.of("\"\"", "\"   \"", "\"" + "n".repeat(65) + "\"", "\"a\\u0007b\"", "3")) {
      bad("{\"type\":\"join\",\"room\":\"r\",\"name\":" + name + "}");
    }
    bad("{\"type\":\"join\",\"room\":\"r\",\"token\":5}");
    bad("{\"type\":\"join\",\"room\":\"r\",\"resume\":[]}");
  }

  @Test
  void signalAndMessageCheckTheirFields() throws Exception {
    bad("{\"type\":\"signal\",\"data\":{}}");
    bad("{\"type\":\"signal\",\"to\":1,\"data\":{}}");
    for (String data : List.of("[]", "\"sdp\"", "null", "3")) {
      bad("{\"type\":\"signal\",\"to\":\"p\",\"data\":" + data + "}");
    }
    bad("{\"type\":\"signal\",\"to\":\"p\"}");
    bad("{\"type\":\"message\",\"to\":\"p\"}");
    bad("{\"type\":\"message\",\"to\":5,\"data\":1}");
    Inbound.Message m = assertInstanceOf(Inbound.Message.class,
        IN.decode("{\"type\":\"message\",\"data\":null}").message());
    assertEquals(JsonText.NULL, m.data());
    assertNull(m.to());
    IN.decode("{\"type\":\"message\",\"to\":\"p\",\"data\":[1,{\"a\":\"b\"}]}");
  }

  @Test
  void relayDataIsTheTextTheSenderSentAndStillChecked() throws Exception {
    String data = "{ \"n\" : 1.50e0, \"sdp\":\"v=0\\r\\né\", \"a\":[ {}, [ ] ,null] }";
    Inbound.Signal s = assertInstanceOf(Inbound.Signal.class,
        IN.decode("{\"type\":\"signal\", \"data\" :" + data + " ,\"to\":\"p\"}").message());
    assertEquals(data, s.data().json());
    Inbound.Message m = assertInstanceOf(Inbound.Message.class,
        IN.decode("{\"data\":[1,\"]\",{\"}\":2}],\"type\":\"message\"}").message());
    assertEquals("[1,\"]\",{\"}\":2}]", m.data().json());
    assertEquals("\"x\\\"y\"", assertInstanceOf(Inbound.Message.class,
        IN.decode("{\"type\":\"message\",\"data\":\"x\\\"y\"}").message()).data().json());
    assertEquals("2", assertInstanceOf(Inbound.Message.class,
        IN.decode("{\"type\":\"message\",\"data\":1,\"data\":2}").message()).data().json());
    // The walk through data checks its grammar, which skipping a value would not.
    for (String broken : List.of("{\"a\" 1}", "{\"a\":1,}", "[1 2]", "{\"a\":[}", "{,}")) {
      bad("{\"type\":\"signal\",\"to\":\"p\",\"data\":" + broken + "}");
    }
  }

  @Test
  void aProviderWhoseOffsetsAreOffStillRelaysTheExactData() throws Exception {
    // JSON-P leaves the precision of parser locations to the implementation: with offsets that
    // frame nothing, the codec reads the value again rather than cut the frame wrong.
    JsonParserFactory real = JsonProvider.provider().createParserFactory(Map.of());
    JsonParserFactory skewed = (JsonParserFactory) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {JsonParserFactory.class},
        (factory, method, args) -> {
          Object made = method.invoke(real, args);
          if (!(made instanceof JsonParser parser)) {
            return made;
          }
          return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {JsonParser.class},
              (p, m, a) -> m.getName().equals("getLocation")
                  ? new SkewedLocation(parser.getLocation()) : m.invoke(parser, a));
        });
    InboundCodec codec = new InboundCodec(skewed);
    Inbound.Signal s = assertInstanceOf(Inbound.Signal.class, codec.decode(
        "{\"type\":\"signal\",\"to\":\"p\",\"data\":{\"a\":[1,{\"b\":\"}\"}]}}").message());
    assertEquals(parse("{\"a\":[1,{\"b\":\"}\"}]}"), parse(s.data().json()));
  }

  private record SkewedLocation(JsonLocation real) implements JsonLocation {
    @Override
    public long getLineNumber() {
      return real.getLineNumber();
    }

    @Override
    public long getColumnNumber() {
      return real.getColumnNumber();
    }

    @Override
    public long getStreamOffset() {
      return real.getStreamOffset() + 3;
    }
  }

  @Test
  void refOfNeverThrows() {
    assertNull(IN.refOf("garbage"));
    assertNull(IN.refOf("{\"id\":1.5}"));
    assertEquals("9", IN.refOf("{\"id\":9,\"type\":\"nonsense\"}").toString());
  }

  @Test
  void outboundMessagesHaveTheFieldsOfTheProtocol() {
    JsonObject welcome = parse(OUT.encode(new Outbound.Welcome("p1",
        List.of(new Outbound.IceServer(List.of("stun:s"), null, null),
            new Outbound.IceServer(List.of("turn:t"), "1:p1", "c")),
        25000, new Outbound.Limits(65536, 16, 50, 500, 30000), 1)));
    assertEquals("welcome", welcome.getString("type"));
    assertEquals("p1", welcome.getString("peerId"));
    assertEquals(1, welcome.getInt("protocol"));
    assertEquals(25000, welcome.getInt("heartbeatMs"));
    assertEquals(500, welcome.getJsonObject("limits").getInt("burst"));
    assertEquals(30000, welcome.getJsonObject("limits").getInt("resumeGraceMs"));
    assertEquals(false, welcome.getJsonArray("iceServers").getJsonObject(0).containsKey("username"));
    assertEquals("c", welcome.getJsonArray("iceServers").getJsonObject(1).getString("credential"));

    JsonObject joined = parse(OUT.encode(new Outbound.Joined("r", "p1", "Ada",
        List.of(new PeerInfo("p0", "Old")), "tok", true, null, Json.createValue(4))));
    assertEquals("joined", joined.getString("type"));
    assertEquals("p0", joined.getJsonArray("peers").getJsonObject(0).getString("peerId"));
    assertEquals("tok", joined.getString("resumeToken"));
    assertEquals(true, joined.getBoolean("resumed"));
    assertEquals(4, joined.getInt("ref"));

    assertEquals("timeout", parse(OUT.encode(
        new Outbound.PeerLeft("r", "p0", LeaveReason.TIMEOUT))).getString("reason"));
    assertEquals("Old", parse(OUT.encode(new Outbound.PeerJoined("r", new PeerInfo("p0", "Old"))))
        .getJsonObject("peer").getString("name"));
    JsonObject data = parse("{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"},\"n\":1.50,\"u\":\"é\"}");
    assertEquals(data, parse(OUT.encode(new Outbound.SignalRelay("p0", new JsonText(data.toString())))).getJsonObject("data"));
    JsonObject direct = parse(OUT.encode(new Outbound.MessageRelay("p0", JsonText.NULL, "p1")));
    assertEquals("p1", direct.getString("to"));
    assertEquals(JsonValue.NULL, direct.get("data"));
    assertEquals(false, parse(OUT.encode(new Outbound.MessageRelay("p0", new JsonText("true"), null))).containsKey("to"));
    JsonObject odd = parse(OUT.encode(new Outbound.MessageRelay("p\"0\u0001", JsonText.NULL, "é \\")));
    assertEquals("p\"0\u0001", odd.getString("from"));
    assertEquals("é \\", odd.getString("to"));
    assertEquals(false, parse(OUT.encode(new Outbound.Pong(null))).containsKey("ref"));
    JsonObject error = parse(OUT.encode(new Outbound.Error(ErrorCode.UNKNOWN_PEER, "m", Json.createValue("x"))));
    assertEquals("unknown-peer", error.getString("code"));
    assertEquals("x", error.getString("ref"));
    assertEquals("left", parse(OUT.encode(new Outbound.Left("r", null))).getString("type"));
  }
}
