package org.signalbox.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection of the load generator, driven by its {@link EventLoop}: one
 * request at a time, as a browser sends them (browsers do not pipeline). Written for the bench, as
 * {@link WsClient} is, so that thousands of requests per second cost the generator's one core
 * little: requests are written from the caller's bytes, answers handed over as slices of the read
 * buffer. Answers must carry {@code Content-Length} (Signalbox's do) unless they have no body.
 *
 * <p>When the server ends the connection between requests ({@code Connection: close}, as Tomcat
 * does after {@code maxKeepAliveRequests}, or an idle timeout), the next request opens a new one,
 * as a browser would; every connect is counted.
 */
final class HttpConnection implements EventLoop.Selectable {

  /** The one request under way: told its answer, or that there will be none. */
  interface Exchange {
    /** The answer; {@code buffer} is reused after the call. */
    void answered(int status, byte[] buffer, int offset, int length);

    void failed(String why);
  }

  private static final byte[] HEADER_END = Frames.ascii("\r\n\r\n");
  private static final byte[] LINE_END = Frames.ascii("\r\n");
  private static final byte[] STATUS_LINE = Frames.ascii("HTTP/1.1 ");
  private static final byte[] CONTENT_LENGTH = Frames.ascii("content-length:");
  private static final byte[] CONNECTION = Frames.ascii("connection:");
  private static final byte[] CLOSE = Frames.ascii("close");
  /** Answers are small (a batch of frames); one larger than this is a fault of the bench. */
  private static final int MAX_ANSWER_BYTES = 16 << 20;

  private final EventLoop loop;
  private final InetSocketAddress server;
  private final InetAddress local;
  private final long[] connects;
  private SocketChannel channel;
  private SelectionKey key;
  private ByteBuffer in = ByteBuffer.allocate(8192);
  private ByteBuffer out;
  private Exchange exchange;
  private boolean connected;

  /**
   * @param local the address to connect from, or null
   * @param connects where each new connection is counted (its element 0)
   */
  HttpConnection(EventLoop loop, InetSocketAddress server, InetAddress local, long[] connects) {
    this.loop = loop;
    this.server = server;
    this.local = local;
    this.connects = connects;
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
    out = ByteBuffer.wrap(request, 0, length);
    try {
      if (channel == null) {
        open();
      } else if (connected) {
        flush();
      }
    } catch (IOException e) {
      fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Closes the connection; a request under way hears nothing more. */
  void close() {
    exchange = null;
    disconnect();
  }

  private void open() throws IOException {
    channel = SocketChannel.open();
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    if (local != null) {
      channel.bind(new InetSocketAddress(local, 0));
    }
    connects[0]++;
    in.clear();
    key = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
    if (channel.connect(server)) {
      connected();
    }
  }

  private void connected() throws IOException {
    connected = true;
    key.interestOps(SelectionKey.OP_READ);
    flush();
  }

  @Override
  public void ready(SelectionKey selected) {
    if (!selected.isValid()) {
      // Closed earlier in this round of the loop: its session ended on its other connection.
      return;
    }
    try {
      if (selected.isConnectable()) {
        channel.finishConnect();
        connected();
      }
      if (selected.isValid() && selected.isWritable()) {
        flush();
      }
      if (selected.isValid() && selected.isReadable()) {
        read();
      }
    } catch (IOException e) {
      fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private void flush() throws IOException {
    if (out == null) {
      return;
    }
    channel.write(out);
    if (out.hasRemaining()) {
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    } else {
      out = null;
      key.interestOps(SelectionKey.OP_READ);
    }
  }

  private void read() throws IOException {
    if (channel.read(in) < 0) {
      if (exchange != null) {
        fail("connection closed by the server before its answer");
      } else {
        disconnect(); // an idle keep-alive connection ended: the next request opens another
      }
      return;
    }
    in.flip();
    byte[] a = in.array();
    int head = in.position();
    int end = WsClient.indexOf(a, head, in.limit(), HEADER_END);
    if (end < 0) {
      grow(0);
      return;
    }
    int status = status(a, head, end);
    long length = status == 204 || status == 304 || status < 200 ? 0
        : digits(a, headerValue(a, head, end, CONTENT_LENGTH), end);
    if (status < 0 || length < 0 || length > MAX_ANSWER_BYTES) {
      int line = WsClient.indexOf(a, head, end + 2, LINE_END);
      fail("an answer the bench cannot read: "
          + new String(a, head, line - head, StandardCharsets.ISO_8859_1));
      return;
    }
    int body = end + HEADER_END.length;
    if (in.limit() - body < length) {
      grow(body - head + (int) length);
      return;
    }
    if (exchange == null || in.limit() > body + length) {
      fail("an answer nobody asked for");
      return;
    }
    int connection = headerValue(a, head, end, CONNECTION);
    boolean lastOnConnection =
        connection >= 0 && startsWithIgnoringCase(a, connection, end, CLOSE);
    Exchange answered = exchange;
    exchange = null;
    if (lastOnConnection) {
      disconnect(); // the slice stays valid: a new connection reads into a cleared buffer later
    }
    answered.answered(status, a, body, (int) length);
    if (!lastOnConnection && channel != null) {
      in.clear();
    }
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

  /** Keeps what was read and makes room for {@code needed} bytes of one answer. */
  private void grow(int needed) {
    in.compact();
    if (needed > in.capacity() || !in.hasRemaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, in.capacity() * 2));
      in.flip();
      bigger.put(in);
      in = bigger;
    }
  }

  private void fail(String why) {
    Exchange failed = exchange;
    exchange = null;
    disconnect();
    if (failed != null) {
      failed.failed(why);
    }
  }

  private void disconnect() {
    out = null;
    connected = false;
    if (channel == null) {
      return;
    }
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing is all that is left to do with it.
    }
    channel = null;
  }
}
