package org.signalbox.transport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.security.Principal;
import java.util.List;
import java.util.function.Consumer;
import org.signalbox.config.Settings;
import org.signalbox.config.Transport;

/** A connection's WebSocket: its session, and the outbox every send on it goes through. */
final class SocketWire implements Wire {

  private final Session session;
  private final Outbox outbox;

  SocketWire(Session session, Hub hub, Consumer<String> overflow) {
    Settings settings = hub.settings();
    // The text buffer keeps the container's default: the endpoint takes a message in parts, and
    // the connection enforces maxMessageBytes. Raising the buffer to it instead cost Tomcat a char
    // buffer of that size per session (128 KiB at the default 64 KiB), idle or not.
    // Liveness is the heartbeat's job; a container idle timeout would close healthy listeners.
    session.setMaxIdleTimeout(0);
    this.session = session;
    this.outbox = new Outbox(session, settings.outboundQueue(), settings.outboundBytes(),
        hub.blockingExecutor(), hub.timers(), overflow, hub.metrics()::frameBatched);
  }

  @Override
  public String id() {
    return session.getId();
  }

  @Override
  public Principal user() {
    return session.getUserPrincipal();
  }

  @Override
  public String clientAddress() {
    return SignalingConfigurator.clientAddress(session);
  }

  @Override
  public Transport transport() {
    return Transport.WEBSOCKET;
  }

  @Override
  public boolean offer(String frame) {
    return outbox.offer(frame);
  }

  @Override
  public void close(int code, String reason) {
    outbox.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
  }

  @Override
  public void discard() {
    outbox.discard();
  }

  @Override
  public int pending() {
    return outbox.pending();
  }

  @Override
  public long pendingBytes() {
    return outbox.pendingBytes();
  }

  @Override
  public long stalledNanos(long nowNanos) {
    return outbox.stalledNanos(nowNanos);
  }

  @Override
  public void ping() {
    outbox.ping();
  }

  @Override
  public boolean lost(long nowNanos, long lastTrafficNanos, long heartbeatNanos) {
    return nowNanos - lastTrafficNanos > Connection.MISSED_HEARTBEATS * heartbeatNanos;
  }

  /** Frames handed to the container may be on the wire already: none can be taken back. */
  @Override
  public List<String> takeUnconfirmed() {
    return List.of();
  }
}
