package org.signalbox.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends one raw WebSocket upgrade request and reads the HTTP status of the answer. Raw on
 * purpose: a refusal's status line is what a browser sees, and some containers keep the refused
 * connection open without a body length, which makes WebSocket clients wait for a body. Raw also
 * lets a test send what the JDK's client will not: its own {@code Host}.
 */
public final class HandshakeProbe {

  private static final int TIMEOUT_MS = 10_000;

  private HandshakeProbe() {}

  /**
   * @param origin the {@code Origin} header, or null for none
   * @return the status code, for example 101 or 403
   */
  public static int status(URI socketUri, String origin) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (origin != null) {
      headers.put("Origin", origin);
    }
    return statusWith(socketUri, headers);
  }

  /** As {@link #status(URI, String)}, with these headers ({@code Host} replaces the URI's). */
  public static int statusWith(URI socketUri, Map<String, String> headers) {
    try (Handshake h = open(socketUri, headers)) {
      return h.status();
    }
  }

  /**
   * Sends the upgrade request and reads the answer's head; after a 101 the connection stays
   * open, and {@link Handshake#firstFrame()} reads what the server sends first.
   */
  public static Handshake open(URI socketUri, Map<String, String> headers) {
    return open(socketUri, headers, TIMEOUT_MS);
  }

  /**
   * The status of a handshake with {@code Origin: origin}, or -1 when no answer came within
   * {@code wait} (the connection is closed then).
   */
  public static int statusOrSilence(URI socketUri, String origin, Duration wait) {
    try (Handshake h = open(socketUri, Map.of("Origin", origin), (int) wait.toMillis())) {
      return h.status();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof SocketTimeoutException) {
        return -1;
      }
      throw e;
    }
  }

  private static Handshake open(URI socketUri, Map<String, String> headers, int timeoutMs) {
    int port = socketUri.getPort();
    Socket socket = null;
    try {
      socket = new Socket(socketUri.getHost(), port);
      socket.setSoTimeout(timeoutMs);
      Map<String, String> all = new LinkedHashMap<>();
      all.put("Host", socketUri.getHost() + ":" + port);
      all.putAll(headers);
      StringBuilder request =
          new StringBuilder("GET ").append(socketUri.getRawPath()).append(" HTTP/1.1\r\n");
      all.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("Connection: Upgrade\r\n")
          .append("Upgrade: websocket\r\n")
          .append("Sec-WebSocket-Version: 13\r\n")
          .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
          .append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      if (statusLine == null) {
        throw new IOException("no answer to the handshake");
      }
      int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
      if (status == 101) {
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
          // the answer's headers: nothing to check
        }
      }
      return new Handshake(socket, status);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException(e);
    }
  }

  /** One raw connection after its handshake. Closing it ends the WebSocket cleanly (1000). */
  public static final class Handshake implements AutoCloseable {

    private final Socket socket;
    private final int status;
    private boolean serverClosed;

    private Handshake(Socket socket, int status) {
      this.socket = socket;
      this.status = status;
    }

    public int status() {
      return status;
    }

    /**
     * The server's first frame after a 101: {@code "text:<payload>"} for a text frame, {@code
     * "close:<code>"} for a close frame.
     */
    public String firstFrame() {
      try {
        return frame();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private String frame() throws IOException {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long length = b1 & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[Math.toIntExact(length)];
      in.readFully(payload);
      int opcode = b0 & 0x0f;
      if (opcode == 0x8) {
        serverClosed = true;
        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        return "close:" + code;
      }
      return (opcode == 0x1 ? "text:" : "opcode " + opcode + ":")
          + new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * After a 101: sends a close frame (1000) and reads, bounded, up to the server's, so that the
     * server has seen a client close; then drops the TCP connection.
     */
    @Override
    public void close() {
      try {
        if (status == 101 && !serverClosed && !socket.isClosed()) {
          OutputStream out = socket.getOutputStream();
          // FIN + close; masked, payload 2 bytes: the code 1000 (0x03e8) under a zero mask.
          out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xe8});
          out.flush();
          while (!serverClosed) {
            frame();
          }
        }
      } catch (IOException e) {
        // gone already, or no close frame within the bound: dropping it is all that is left
      } finally {
        closeQuietly(socket);
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        String s = bytes.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      bytes.write(c);
    }
    return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
  }

  private static void closeQuietly(Socket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
