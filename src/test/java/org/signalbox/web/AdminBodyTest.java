package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The admin API reads at most maxMessageBytes of a JSON body. */
class AdminBodyTest {

  private static final int MAX = 32;

  private static InputStream bytes(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private static AdminAnswer refused(InputStream in, long length, String type) {
    return assertThrows(AdminFailure.class, () -> AdminBody.read(in, length, type, MAX)).answer();
  }

  @Test
  void aJsonBodyUpToTheBoundIsRead() throws Exception {
    String body = "{\"data\":\"" + "\u00e9".repeat(10) + "x\"}"; // 32 bytes of UTF-8
    assertEquals(MAX, body.getBytes(StandardCharsets.UTF_8).length);
    assertEquals(body, AdminBody.read(bytes(body), -1, "application/json", MAX));
    assertEquals(body, AdminBody.read(bytes(body), MAX, "Application/JSON; charset=utf-8", MAX));
  }

  @Test
  void oneByteMoreIs413WithoutReadingTheRest() {
    assertEquals(413, refused(bytes("x"), MAX + 1, "application/json").status());
    AtomicLong read = new AtomicLong();
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        read.incrementAndGet();
        return ' ';
      }
    };
    AdminAnswer answer = refused(endless, -1, "application/json");
    assertEquals(413, answer.status());
    assertTrue(answer.body().contains("\"too-large\""), answer.body());
    assertTrue(read.get() <= MAX + 1, "read " + read.get() + " bytes");
  }

  @Test
  void anotherTypeOrBytesThatAreNotUtf8Are400() {
    assertEquals(400, refused(bytes("{}"), 2, "text/plain").status());
    assertEquals(400, refused(bytes("{}"), 2, null).status());
    assertEquals(400, refused(new ByteArrayInputStream(new byte[] {'"', (byte) 0xC3, '"'}), 3,
        "application/json").status());
  }
}
