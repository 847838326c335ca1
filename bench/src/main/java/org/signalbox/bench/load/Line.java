package org.signalbox.bench.load;

/**
 * One simulated client's signaling connection, over either binding a browser may use: a
 * WebSocket ({@link WsClient}) or PROTOCOL.md's HTTP binding ({@link HttpSessionClient}). Driven
 * by the generator's {@link EventLoop}; every call comes from its thread.
 */
interface Line {

  /** The binding a peer's line uses. */
  enum Binding { WEBSOCKET, HTTP }

  /** What the generator does with a line's events; all calls come from the loop thread. */
  interface Listener {
    void opened(Line line);

    /** One text frame from the server, as a slice of a buffer the line reuses after the call. */
    void text(Line line, byte[] buffer, int offset, int length);

    /** The line is gone: {@code code} is the server's close code, or 1006 without one. */
    void closed(Line line, int code, String reason);
  }

  /** The scenario's own state for this line (its {@link Peer}). */
  Object attachment();

  boolean isOpen();

  /** Sends one text frame; queued behind earlier frames when the line cannot take it at once. */
  void sendText(byte[] payload);

  /**
   * {@code payload} made ready for {@link #sendPrepared}, once per sender: the payload's bytes
   * appear in it unchanged, so a scenario may rewrite digits of it in place between sends.
   */
  byte[] prepare(byte[] payload);

  /** Sends a frame made by {@link #prepare}, which the caller may change as soon as this returns. */
  void sendPrepared(byte[] prepared);

  /** Closes as a browser's client does on leave; {@code closed} follows. */
  void close();

  /** Drops the line without a close, as a lost network does; {@code closed} follows at once. */
  void abort(int code, String reason);
}
