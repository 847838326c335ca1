package org.signalbox.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One WebSocket client connection of the load generator, driven by its {@link EventLoop}: a
 * minimal RFC 6455 client (handshake, text frames, ping/pong, close), because the generator must
 * hold thousands of sockets and push ~100k frames/s on one core, which a general-purpose client
 * does not. Received text is handed to the listener as a slice of the read buffer, never copied.
 *
 * <p>Frames are sent with a zero masking key: masking is mandatory for clients and servers
 * unmask every frame, but XOR with zero leaves the payload as it is, so the generator spends no
 * time masking. The server's work is the same as for any key.
 */
public final class WsClient extends LoopSocket implements Line {

  private enum State { CONNECTING, UPGRADING, OPEN, CLOSING, CLOSED }

  private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final EventLoop loop;
  private final Line.Listener listener;
  private final byte[] handshake;
  private byte[] fragments = new byte[0];
  private int fragmentsLength;
  private boolean fragmented;
  private State state = State.CONNECTING;
  private boolean wasOpen;

  private final Object attachment;

  private WsClient(EventLoop loop, Line.Listener listener, byte[] handshake, Object attachment) {
    super(loop, 2048);
    this.loop = loop;
    this.listener = listener;
    this.handshake = handshake;
    this.attachment = attachment;
  }

  /**
   * Starts connecting to {@code server} (from {@code local} when not null) and upgrading at
   * {@code pathAndQuery}; the listener hears {@code opened} or {@code closed}.
   */
  public static WsClient connect(
      EventLoop loop, InetSocketAddress server, InetAddress local, String pathAndQuery,
      Line.Listener listener, Object attachment) {
    String authority = server.getHostString() + ":" + server.getPort();
    byte[] request =
        ("GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: " + authority + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Origin: http://" + authority + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    WsClient client = new WsClient(loop, listener, request, attachment);
    try {
      client.connect(server, local);
      return client;
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a client socket: " + e, e);
    }
  }

  @Override
  public Object attachment() {
    return attachment;
  }

  @Override
  public boolean isOpen() {
    return state == State.OPEN;
  }

  public boolean wasOpen() {
    return wasOpen;
  }

  public boolean isClosed() {
    return state == State.CLOSED;
  }

  public EventLoop loop() {
    return loop;
  }

  @Override
  public void sendText(byte[] payload) {
    if (state == State.OPEN) {
      send(0x1, payload, payload.length);
    }
  }

  /** The whole client text frame for {@code payload}: header, zero mask, payload. */
  @Override
  public byte[] prepare(byte[] payload) {
    return textFrame(payload);
  }

  /** Writes the prepared frame as it is; it is copied only when the socket cannot take it at once. */
  @Override
  public void sendPrepared(byte[] frame) {
    if (state != State.OPEN) {
      return;
    }
    try {
      writeOrCopy(frame);
    } catch (IOException e) {
      abort(1006, "write failed: " + e.getMessage());
    }
  }

  /** A whole client text frame for {@code payload}, for {@link #sendPrepared}. */
  public static byte[] textFrame(byte[] payload) {
    return frame(0x1, payload, payload.length);
  }

  /** Sends a close frame with 1000 and waits for the server's; {@code closed} follows. */
  @Override
  public void close() {
    if (state == State.OPEN) {
      send(0x8, new byte[] {0x03, (byte) 0xE8}, 2);
      state = State.CLOSING;
    } else if (state != State.CLOSED && state != State.CLOSING) {
      abort(1006, "closed before open");
    }
  }

  /** Drops the connection without a close frame, as a lost network does. */
  @Override
  public void abort(int code, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    closeChannel();
    listener.closed(this, code, reason);
  }

  @Override
  void broken(String why) {
    abort(1006, why);
  }

  /** Connected: the upgrade request goes out. */
  @Override
  void connected() throws IOException {
    state = State.UPGRADING;
    write(ByteBuffer.wrap(handshake));
  }

  private void send(int opcode, byte[] payload, int length) {
    try {
      write(ByteBuffer.wrap(frame(opcode, payload, length)));
    } catch (IOException e) {
      abort(1006, "write failed: " + e.getMessage());
    }
  }

  private static byte[] frame(int opcode, byte[] payload, int length) {
    int header = length < 126 ? 6 : length < 65536 ? 8 : 14;
    byte[] frame = new byte[header + length];
    frame[0] = (byte) (0x80 | opcode);
    if (length < 126) {
      frame[1] = (byte) (0x80 | length);
    } else if (length < 65536) {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (length >>> 8);
      frame[3] = (byte) length;
    } else {
      frame[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
      }
    }
    // The four masking-key bytes stay zero (see the class comment).
    System.arraycopy(payload, 0, frame, header, length);
    return frame;
  }

  @Override
  void readable() throws IOException {
    if (!read()) {
      abort(1006, "connection closed by the server without a close frame");
      return;
    }
    if (state == State.UPGRADING && !upgraded()) {
      if (state != State.CLOSED) {
        compactOrGrow(0);
      }
      return;
    }
    int needed = 0;
    while (state != State.CLOSED && in.remaining() >= 2) {
      int p = in.position();
      byte[] a = in.array();
      int b0 = a[p] & 0xFF;
      int b1 = a[p + 1] & 0xFF;
      long length = b1 & 0x7F;
      int header = 2;
      if (length == 126) {
        if (in.remaining() < 4) {
          break;
        }
        length = ((a[p + 2] & 0xFF) << 8) | (a[p + 3] & 0xFF);
        header = 4;
      } else if (length == 127) {
        if (in.remaining() < 10) {
          break;
        }
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | (a[p + 2 + i] & 0xFF);
        }
        header = 10;
      }
      if ((b1 & 0x80) != 0 || length > 16 << 20) {
        abort(1002, "bad frame from the server");
        return;
      }
      if (in.remaining() < header + length) {
        needed = header + (int) length;
        break;
      }
      in.position(p + header + (int) length);
      frame(b0, a, p + header, (int) length);
    }
    if (state != State.CLOSED) {
      compactOrGrow(needed);
    }
  }

  private boolean upgraded() {
    byte[] a = in.array();
    int end = indexOf(a, in.position(), in.limit(), HEADER_END);
    if (end < 0) {
      return false;
    }
    String head = new String(a, in.position(), end - in.position(), StandardCharsets.ISO_8859_1);
    if (!head.startsWith("HTTP/1.1 101")) {
      abort(1006, "handshake refused: " + head.lines().findFirst().orElse(""));
      return false;
    }
    in.position(end + HEADER_END.length);
    state = State.OPEN;
    wasOpen = true;
    listener.opened(this);
    return true;
  }

  private void frame(int b0, byte[] a, int offset, int length) throws IOException {
    boolean fin = (b0 & 0x80) != 0;
    switch (b0 & 0x0F) {
      case 0x1 -> {
        if (fin) {
          listener.text(this, a, offset, length);
        } else {
          fragmented = true;
          fragmentsLength = 0;
          append(a, offset, length);
        }
      }
      case 0x0 -> {
        if (fragmented) {
          append(a, offset, length);
          if (fin) {
            fragmented = false;
            listener.text(this, fragments, 0, fragmentsLength);
          }
        }
      }
      case 0x8 -> {
        int code = length >= 2 ? ((a[offset] & 0xFF) << 8) | (a[offset + 1] & 0xFF) : 1005;
        String reason =
            length > 2 ? new String(a, offset + 2, length - 2, StandardCharsets.UTF_8) : "";
        if (state == State.OPEN) {
          send(0x8, Arrays.copyOfRange(a, offset, offset + Math.min(length, 2)), Math.min(2, length));
        }
        state = State.CLOSING;
        abort(code, reason);
      }
      case 0x9 -> send(0xA, Arrays.copyOfRange(a, offset, offset + length), length);
      default -> {
        // Pongs and binary frames carry nothing for the bench.
      }
    }
  }

  private void append(byte[] a, int offset, int length) {
    if (fragmentsLength + length > fragments.length) {
      fragments = Arrays.copyOf(fragments, Math.max(2 * fragments.length, fragmentsLength + length));
    }
    System.arraycopy(a, offset, fragments, fragmentsLength, length);
    fragmentsLength += length;
  }

  static int indexOf(byte[] a, int from, int to, byte[] needle) {
    outer:
    for (int i = from; i <= to - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (a[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
