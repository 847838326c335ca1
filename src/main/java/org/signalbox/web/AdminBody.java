package org.signalbox.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the body of an admin request within a bound: no more than {@code maxMessageBytes} is ever
 * held, since a message to the room can be no larger than a peer's own. A larger body is refused
 * with 413 {@code too-large} (as the HTTP binding refuses an oversize frame), once the rest of it,
 * up to {@link #SWALLOW_BYTES}, has been read and thrown away. Only {@code application/json} is
 * taken: a browser page cannot send that type to another origin without a preflight, so a
 * cookie-authenticated admin cannot be made to post by one.
 */
final class AdminBody {

  /**
   * How much of a body past the bound is read and thrown away before the 413 is answered: as much
   * as Tomcat swallows by default ({@code maxSwallowSize}), so that every server behaves alike. A
   * client that sends its whole body before it takes the answer waits for a server that stopped
   * reading: Java's HttpClient over HTTP/2, to which Payara Micro upgrades plain HTTP, did so
   * until its timeout (the 413 of AdminChecks on Payara). A body declared larger than this is
   * refused at once: nothing would let it through.
   */
  static final int SWALLOW_BYTES = 2 * 1024 * 1024;

  private AdminBody() {}

  /**
   * @param contentLength the declared length, or -1
   * @throws AdminFailure 400 {@code bad-request} for another content type or text that is not
   *     UTF-8; 413 {@code too-large} past {@code max} bytes
   */
  static String read(InputStream in, long contentLength, String contentType, int max)
      throws IOException, AdminFailure {
    if (!isJson(contentType)) {
      throw AdminFailure.of(HttpServletResponse.SC_BAD_REQUEST, "bad-request",
          "Content-Type must be application/json");
    }
    if (contentLength > max) {
      if (contentLength <= SWALLOW_BYTES) {
        swallow(in, contentLength);
      }
      throw tooLarge(max);
    }
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      swallow(in, SWALLOW_BYTES - bytes.length);
      throw tooLarge(max);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw AdminFailure.of(HttpServletResponse.SC_BAD_REQUEST, "bad-request",
          "the body is not UTF-8");
    }
  }

  /** Reads and drops at most {@code bytes}; a client that stops sending ends it early. */
  private static void swallow(InputStream in, long bytes) {
    byte[] sink = new byte[8192];
    long left = bytes;
    try {
      while (left > 0) {
        int n = in.read(sink, 0, (int) Math.min(sink.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException e) {
      // The client went away or the container gave up: the 413 is the answer all the same.
    }
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.toLowerCase(Locale.ROOT).equals("application/json");
  }

  private static AdminFailure tooLarge(int max) {
    return AdminFailure.of(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "too-large",
        "the body is larger than maxMessageBytes (" + max + " bytes)");
  }
}
