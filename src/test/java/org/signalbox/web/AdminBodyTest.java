package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

  /**
   * One byte more is 413, and no more than one byte past the bound is ever read: a body declared
   * past it is refused without reading any of it (what is left is the servlet's to drop, {@link
   * UnreadBody}).
   */
  @Test
  void oneByteMoreIs413ReadingNoFurther() {
    Counted endless = new Counted(Long.MAX_VALUE);
    AdminAnswer answer = refused(endless, -1, "application/json");
    assertEquals(413, answer.status());
    assertTrue(answer.body().contains("\"too-large\""), answer.body());
    assertEquals(MAX + 1, endless.read, "read one byte past the bound, no further");
    Counted declared = new Counted(MAX + 100);
    assertEquals(413, refused(declared, MAX + 100, "application/json").status());
    assertEquals(0, declared.read, "declared past the bound: refused unread");
  }

  /** {@code size} spaces, counting what is read. */
  private static final class Counted extends InputStream {
    private final long size;
    long read;

    Counted(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (read >= size) {
        return -1;
      }
      read++;
      return ' ';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = (int) Math.min(len, size - read);
      if (n <= 0) {
        return len == 0 ? 0 : -1;
      }
      java.util.Arrays.fill(b, off, off + n, (byte) ' ');
      read += n;
      return n;
    }
  }

  @Test
  void anotherTypeOrBytesThatAreNotUtf8Are400() {
    assertEquals(400, refused(bytes("{}"), 2, "text/plain").status());
    assertEquals(400, refused(bytes("{}"), 2, null).status());
    assertEquals(400, refused(new ByteArrayInputStream(new byte[] {'"', (byte) 0xC3, '"'}), 3,
        "application/json").status());
  }

  /**
   * What a refusal left unread is read and dropped within the swallow bound, so the connection can
   * serve the next request; a body declared past the bound is left unread.
   */
  @Test
  void whatARefusalLeftUnreadIsDrainedWithinItsBound() {
    Counted small = new Counted(10);
    UnreadBody.discard(small, 10);
    assertEquals(10, small.read);
    Counted endless = new Counted(Long.MAX_VALUE);
    UnreadBody.discard(endless, -1);
    assertEquals(UnreadBody.SWALLOW_BYTES, endless.read, "no further than the bound");
    Counted huge = new Counted(Long.MAX_VALUE);
    UnreadBody.discard(huge, UnreadBody.SWALLOW_BYTES + 1L);
    assertEquals(0, huge.read, "declared past the bound: left unread");
  }
}
