package org.signalbox.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One HTTP/1.1 keep-alive connection of the load generator, driven by its {@link EventLoop}: one
 * request at a time, as a browser sends them (browsers do not pipeline). Written for the bench, as
 * {@link WsClient} is, so that thousands of requests per second cost the generator's one core
 * little: requests are written from the caller's bytes, answers handed over as slices of the read
 * buffer. Answers must carry {@code Content-Length} (Signalbox's do) unless they have no body.
 *
 * <p>When the server ends the connection between requests ({@code Connection: close}, as Tomcat
 * does after {@code maxKeepAliveRequests}, or an idle timeout), the next request opens a new one,
 * as a browser would; every connect is counted. A request that gets no answer (the connection
 * refused, reset or closed first) is the connection's failure, told to its owner.
 */
final class HttpConnection extends LoopSocket {

  /** What is done with the answer to the one request under way. */
  interface Exchange {
    /** The answer; {@code buffer} is reused after the call. */
    void answered(int status, byte[] buffer, int offset, int length);
  }

  private static final byte[] HEADER_END = Frames.ascii("\r\n\r\n");
  private static final byte[] LINE_END = Frames.ascii("\r\n");
  private static final byte[] STATUS_LINE = Frames.ascii("HTTP/1.1 ");
  private static final byte[] CONTENT_LENGTH = Frames.ascii("content-length:");
  private static final byte[] CONNECTION = Frames.ascii("connection:");
  private static final byte[] CLOSE = Frames.ascii("close");
  /** Answers are small (a batch of frames); one larger than this is a fault of the bench. */
  private static final int MAX_ANSWER_BYTES = 16 << 20;

  private final InetSocketAddress server;
  private final InetAddress local;
  private final long[] connects;
  private final Consumer<String> failed;
  private Exchange exchange;
  /** The request under way: its bytes are the owner's, untouched until the answer. */
  private ByteBuffer request;

  /**
   * @param local the address to connect from, or null
   * @param connects where each new connection is counted (its element 0)
   * @param failed told why a request got no answer; the connection is closed by then
   */
  HttpConnection(EventLoop loop, InetSocketAddress server, InetAddress local, long[] connects,
      Consumer<String> failed) {
    super(loop, 8192);
    this.server = server;
    this.local = local;
    this.connects = connects;
    this.failed = failed;
  }

  /** Whether a request is under way. */
  boolean busy() {
    return exchange != null;
  }

  /**
   * Sends {@code request} (a whole request, its bytes left untouched until the answer), on this
   * connection, or on a new one when there is none.
   */
  void send(byte[] request, int length, Exchange exchange) {
    if (this.exchange != null) {
      throw new IllegalStateException("one request at a time");
    }
    this.exchange = exchange;
    this.request = ByteBuffer.wrap(request, 0, length);
    try {
      if (!hasChannel()) {
        connects[0]++;
        connect(server, local); // the request goes out once connected
      } else {
        write(this.request);
      }
    } catch (IOException e) {
      broken(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Closes the connection; a request under way hears nothing more. */
  void close() {
    exchange = null;
    closeChannel();
  }

  @Override
  void connected() throws IOException {
    if (exchange != null) {
      write(request);
    }
  }

  @Override
  void broken(String why) {
    boolean waiting = exchange != null;
    exchange = null;
    closeChannel();
    if (waiting) {
      failed.accept(why);
    }
  }

  @Override
  void readable() throws IOException {
    if (!read()) {
      if (exchange != null) {
        broken("connection closed by the server before its answer");
      } else {
        closeChannel(); // an idle keep-alive connection ended: the next request opens another
      }
      return;
    }
    byte[] a = in.array();
    int head = in.position();
    int end = WsClient.indexOf(a, head, in.limit(), HEADER_END);
    if (end < 0) {
      compactOrGrow(0);
      return;
    }
    int status = status(a, head, end);
    long length = status == 204 || status == 304 || status < 200 ? 0
        : digits(a, headerValue(a, head, end, CONTENT_LENGTH), end);
    if (status < 0 || length < 0 || length > MAX_ANSWER_BYTES) {
      int line = WsClient.indexOf(a, head, end + 2, LINE_END);
      broken("an answer the bench cannot read: "
          + new String(a, head, line - head, StandardCharsets.ISO_8859_1));
      return;
    }
    int body = end + HEADER_END.length;
    if (in.limit() - body < length) {
      compactOrGrow(body - head + (int) length);
      return;
    }
    if (exchange == null || in.limit() > body + length) {
      broken("an answer nobody asked for");
      return;
    }
    int connection = headerValue(a, head, end, CONNECTION);
    boolean lastOnConnection =
        connection >= 0 && startsWithIgnoringCase(a, connection, end, CLOSE);
    Exchange answered = exchange;
    exchange = null;
    if (lastOnConnection) {
      closeChannel(); // the answer's bytes stay where they are: nothing is read until it is handled
    }
    answered.answered(status, a, body, (int) length);
    in.clear(); // one request at a time: nothing follows an answer until the next request
  }

  /** The status code of the head {@code a[from, end)}, or -1. */
  private static int status(byte[] a, int from, int end) {
    int at = from + STATUS_LINE.length;
    if (at + 3 > end || !startsWithIgnoringCase(a, from, end, STATUS_LINE)) {
      return -1;
    }
    long code = digits(a, at, at + 3);
    return code < 100 ? -1 : (int) code;
  }

  /**
   * Where the value of the header {@code name} (lower case, with its colon) starts in the head
   * {@code a[from, end)}, or -1 when there is no such header. Read in place: the generator reads
   * thousands of answers a second.
   */
  private static int headerValue(byte[] a, int from, int end, byte[] name) {
    for (int line = WsClient.indexOf(a, from, end, LINE_END); line >= 0;
        line = WsClient.indexOf(a, line + 2, end, LINE_END)) {
      if (startsWithIgnoringCase(a, line + 2, end, name)) {
        int value = line + 2 + name.length;
        while (value < end && (a[value] == ' ' || a[value] == '\t')) {
          value++;
        }
        return value;
      }
    }
    return -1;
  }

  /** The decimal number at {@code a[from]} (up to {@code end}), or -1 when none starts there. */
  private static long digits(byte[] a, int from, int end) {
    if (from < 0 || from >= end || a[from] < '0' || a[from] > '9') {
      return -1;
    }
    long value = 0;
    for (int i = from; i < end && a[i] >= '0' && a[i] <= '9' && value < Integer.MAX_VALUE; i++) {
      value = value * 10 + (a[i] - '0');
    }
    return value;
  }

  /** Whether {@code a[from, end)} starts with {@code lower} (ASCII lower case), in any case. */
  private static boolean startsWithIgnoringCase(byte[] a, int from, int end, byte[] lower) {
    if (from + lower.length > end) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      byte c = a[from + i];
      if (c != lower[i] && (c < 'A' || c > 'Z' || c + ('a' - 'A') != lower[i])) {
        return false;
      }
    }
    return true;
  }
}
