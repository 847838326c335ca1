package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One plain HTTP/1.1 connection that sends request after request on the same socket, as a
 * keep-alive client does, and can hold a request's body back until the server has answered or a
 * moment has passed: the body of a request a server refuses early then arrives after its answer,
 * which is when a server that did not read it may drop the connection. Every read is bounded by
 * {@link TestClient#WAIT}.
 */
public final class KeepAliveConnection implements AutoCloseable {

  /** An answer: its status, headers (names in lower case) and body. */
  public record Answer(int status, Map<String, String> headers, String body) {
    /** The server said it will close the connection after this answer. */
    public boolean closes() {
      return headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT).contains("close");
    }
  }

  private final URI base;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /** @param base an {@code http} URI; requests name paths below it */
  public KeepAliveConnection(URI base) {
    this.base = base;
    open();
  }

  private void open() {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()),
          (int) TestClient.WAIT.toMillis());
      socket.setSoTimeout((int) TestClient.WAIT.toMillis());
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends a request, its body held back until the server answers or {@code hold} passes, and
   * reads the answer. A server that answers before the body may keep the connection only if it
   * then reads the body; one that closes it must say so with {@code Connection: close}, and the
   * next request then goes on a new connection. Closing without saying so fails here.
   *
   * @param headers request headers besides {@code Host} and {@code Content-Length}
   */
  public Answer exchange(String method, String path, Map<String, String> headers, String body,
      Duration hold) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method).append(' ')
        .append(base.resolve(path).getRawPath()).append(" HTTP/1.1\r\n")
        .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    head.append("\r\n");
    try {
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Answer early = null;
      if (body != null && !hold.isZero() && readableWithin(hold)) {
        early = read();
        assertTrue(early.closes() || !readableWithin(hold) || peekIsData(),
            () -> method + " " + path + ": the server answered before the body and closed the"
                + " connection without saying so");
      }
      if (body != null && (early == null || !early.closes())) {
        out.write(bytes);
        out.flush();
      }
      Answer answer = early != null ? early : read();
      if (answer.closes()) {
        assertEquals(-1, in.read(), "the server said it would close the connection");
        socket.close();
        open();
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " on a kept-alive connection", e);
    }
  }

  /** The next byte can be read (or the end of the stream is there) within {@code wait}. */
  private boolean readableWithin(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    in.mark(1);
    try {
      in.read();
      in.reset();
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } finally {
      socket.setSoTimeout((int) TestClient.WAIT.toMillis());
    }
  }

  /** What can be read next is data, not the end of the stream. */
  private boolean peekIsData() throws IOException {
    in.mark(1);
    int b = in.read();
    in.reset();
    return b >= 0;
  }

  private Answer read() throws IOException {
    String status = line();
    assertTrue(status.startsWith("HTTP/1.1 "), "a status line, not: " + status);
    Map<String, String> headers = new TreeMap<>();
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers.merge(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
    }
    byte[] body;
    String coding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
    if (coding.contains("chunked")) {
      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      for (int size = chunkSize(); size > 0; size = chunkSize()) {
        chunks.write(in.readNBytes(size));
        line();
      }
      for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
        // Trailers are not used by any answer checked here.
      }
      body = chunks.toByteArray();
    } else {
      body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    }
    return new Answer(Integer.parseInt(status.substring(9, 12)), headers,
        new String(body, StandardCharsets.UTF_8));
  }

  private int chunkSize() throws IOException {
    String line = line();
    int semicolon = line.indexOf(';');
    return Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).strip(), 16);
  }

  /** A line without its CRLF; the end of the stream before it is an error. */
  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the server closed the connection without answering in full"
            + (line.size() == 0 ? "" : " after: " + line.toString(StandardCharsets.ISO_8859_1)));
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a test's socket: nothing to report.
    }
  }
}
