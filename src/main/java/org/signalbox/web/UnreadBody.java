package org.signalbox.web;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and drops the part of a request body an answer did not need, within a bound, so that the
 * connection can serve the client's next request. An answer written with its full length is
 * committed at once, and a server that then finds the body unread closes the connection without
 * a {@code Connection: close}: Jetty does, and a keep-alive client that had already sent its next
 * request on that connection got no answer at all.
 */
final class UnreadBody {

  /**
   * How much of a body is read and thrown away at most: as much as Tomcat swallows by default
   * ({@code maxSwallowSize}), so that every server behaves alike. A client that sends its whole
   * body before it takes the answer waits for a server that stopped reading: Java's HttpClient
   * over HTTP/2, to which Payara Micro upgrades plain HTTP, did so until its timeout. A body
   * declared larger than this is left unread, and the connection with it.
   */
  static final int SWALLOW_BYTES = 2 * 1024 * 1024;

  private UnreadBody() {}

  /**
   * Drops what is left of the body, unless it was declared past {@link #SWALLOW_BYTES}; a body
   * read to its end, or a request without one, returns at once.
   *
   * @param contentLength the declared length, or -1
   */
  static void discard(InputStream in, long contentLength) {
    if (contentLength <= SWALLOW_BYTES) {
      swallow(in, SWALLOW_BYTES);
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
      // The client went away or the container gave up: the answer is the same.
    }
  }
}
