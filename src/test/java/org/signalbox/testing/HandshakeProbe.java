package org.signalbox.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Sends one raw WebSocket upgrade request and reads the HTTP status of the answer. Raw on
 * purpose: a refusal's status line is what a browser sees, and some containers keep the refused
 * connection open without a body length, which makes WebSocket clients wait for a body.
 */
public final class HandshakeProbe {

  private static final int TIMEOUT_MS = 10_000;

  private HandshakeProbe() {}

  /**
   * @param origin the {@code Origin} header, or null for none
   * @return the status code, for example 101 or 403
   */
  public static int status(URI socketUri, String origin) {
    int port = socketUri.getPort();
    try (Socket socket = new Socket(socketUri.getHost(), port)) {
      socket.setSoTimeout(TIMEOUT_MS);
      StringBuilder request = new StringBuilder()
          .append("GET ").append(socketUri.getRawPath()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(socketUri.getHost()).append(':').append(port).append("\r\n")
          .append("Connection: Upgrade\r\n")
          .append("Upgrade: websocket\r\n")
          .append("Sec-WebSocket-Version: 13\r\n")
          .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
      if (origin != null) {
        request.append("Origin: ").append(origin).append("\r\n");
      }
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String statusLine = in.readLine();
      if (statusLine == null) {
        throw new IOException("no answer to the handshake");
      }
      return Integer.parseInt(statusLine.split(" ", 3)[1]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
