package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a body of the HTTP binding splits into frames: each element as the client wrote it. */
class HttpSessionFramesTest {

  @Test
  void eachObjectOfTheArrayIsOneFrameWithItsOwnText() {
    assertEquals(List.of("{\"type\":\"ping\"}", "{ \"a\" : [1, {\"b\":\"é😀}\"}] }"),
        HttpSession.frames(" [{\"type\":\"ping\"} , { \"a\" : [1, {\"b\":\"é😀}\"}] }]\n"));
    assertEquals(List.of(), HttpSession.frames("[]"));
  }

  @Test
  void anythingButAnArrayOfObjectsIsRefusedWhole() {
    for (String body : List.of("", "{}", "[1]", "[{}, 2]", "[{oops}]", "[{}", "[{}] [{}]",
        "[[{}]]", "null", "[{}],")) {
      assertNull(HttpSession.frames(body), body);
    }
  }
}
