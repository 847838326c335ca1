package org.signalbox.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * A client socket of the load generator on its {@link EventLoop}, what {@link WsClient} and
 * {@link HttpConnection} share: connecting without blocking, writing in order behind what the
 * kernel could not take yet, and a read buffer that grows to the largest message. The subclass
 * reads and frames. Every call comes from the loop's thread.
 */
abstract class LoopSocket {

  private final EventLoop loop;
  private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
  private SocketChannel channel;
  private SelectionKey key;
  /** What was read and not yet consumed; the subclass reads into it and consumes from it. */
  ByteBuffer in;

  LoopSocket(EventLoop loop, int readBufferBytes) {
    this.loop = loop;
    this.in = ByteBuffer.allocate(readBufferBytes);
  }

  /** Told when the connection is established, before anything is read. */
  abstract void connected() throws IOException;

  /** Told when there is something to read: {@link #read}, then consume {@link #in}. */
  abstract void readable() throws IOException;

  /** The connection failed (refused, reset, a write that could not be made); it is closed. */
  abstract void broken(String why);

  /**
   * Starts connecting to {@code server}, from {@code local} when not null, with TCP_NODELAY as
   * browsers set it; {@link #connected} follows (at once when the kernel connects at once).
   */
  final void connect(InetSocketAddress server, InetAddress local) throws IOException {
    pending.clear();
    in.clear();
    channel = SocketChannel.open();
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    if (local != null) {
      channel.bind(new InetSocketAddress(local, 0));
    }
    key = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
    if (channel.connect(server)) {
      key.interestOps(SelectionKey.OP_READ);
      connected();
    }
  }

  /** Whether a connection is there (connected or connecting). */
  final boolean hasChannel() {
    return channel != null;
  }

  /** Called by the loop with this socket's key. */
  final void ready(SelectionKey selected) {
    if (selected != key || !selected.isValid()) {
      return; // closed earlier in this round of the loop
    }
    try {
      if (selected.isConnectable()) {
        channel.finishConnect();
        key.interestOps(SelectionKey.OP_READ);
        connected();
      }
      if (selected.isValid() && selected.isWritable()) {
        flush();
      }
      if (selected.isValid() && selected.isReadable()) {
        readable();
      }
    } catch (IOException e) {
      closeChannel();
      broken(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Reads what the socket has into {@link #in}, flipped for reading; false at its end. */
  final boolean read() throws IOException {
    int read = channel.read(in);
    in.flip();
    return read >= 0;
  }

  /** Writes {@code buffer} now or after what waits; it is kept, not copied, until written. */
  final void write(ByteBuffer buffer) throws IOException {
    if (pending.isEmpty()) {
      channel.write(buffer);
      if (!buffer.hasRemaining()) {
        return;
      }
      key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
    }
    pending.add(buffer);
  }

  /**
   * Writes {@code bytes} now when nothing waits; what the socket cannot take at once is copied,
   * so the caller may change {@code bytes} as soon as this returns.
   */
  final void writeOrCopy(byte[] bytes) throws IOException {
    if (pending.isEmpty()) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      channel.write(buffer);
      if (buffer.hasRemaining()) {
        pending.add(ByteBuffer.allocate(buffer.remaining()).put(buffer).flip());
        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
      }
    } else {
      pending.add(ByteBuffer.wrap(bytes.clone()));
    }
  }

  private void flush() throws IOException {
    while (!pending.isEmpty()) {
      ByteBuffer head = pending.peek();
      channel.write(head);
      if (head.hasRemaining()) {
        return;
      }
      pending.poll();
    }
    key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
  }

  /**
   * After reading from {@link #in}: keeps what is left for the next read, in a larger buffer
   * when {@code needed} bytes (one whole message, as far as it is known) would not fit.
   */
  final void compactOrGrow(int needed) {
    in.compact();
    if (needed > in.capacity() || !in.hasRemaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, in.capacity() * 2));
      in.flip();
      bigger.put(in);
      in = bigger;
    }
  }

  /** Closes the socket, if there is one; nothing more is read or written on it. */
  final void closeChannel() {
    pending.clear();
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
