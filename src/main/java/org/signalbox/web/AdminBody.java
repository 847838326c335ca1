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
 * with 413 {@code too-large} (as the HTTP binding refuses an oversize frame) as soon as it is
 * known to be larger; the servlet then drops the rest ({@link UnreadBody}). Only {@code
 * application/json} is taken: a browser page cannot send that type to another origin without a
 * preflight, so a cookie-authenticated admin cannot be made to post by one.
 */
final class AdminBody {

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
      throw tooLarge(max);
    }
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
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
