package org.signalbox.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {

  @Test
  void countsEncodedBytes() {
    for (String s : new String[] {"", "abc", "é", "€", "😀", "aé€😀z"}) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Utf8.length(s), s);
    }
  }

  @Test
  void shortStringsSurelyFit() {
    assertTrue(Utf8.surelyWithin("abc", 9));
    assertFalse(Utf8.surelyWithin("abcd", 9));
  }
}
