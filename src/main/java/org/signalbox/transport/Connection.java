package org.signalbox.transport;

import jakarta.json.JsonValue;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.signalbox.auth.JoinPolicies;
import org.signalbox.auth.TokenVerifier;
import org.signalbox.config.AuthMode;
import org.signalbox.config.Settings;
import org.signalbox.config.Transport;
import org.signalbox.ice.IceServers;
import org.signalbox.protocol.Envelope;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.InboundCodec;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.protocol.Utf8;
import org.signalbox.room.Admission;
import org.signalbox.room.Delivery;
import org.signalbox.room.Link;
import org.signalbox.room.Member;
import org.signalbox.room.Membership;
import org.signalbox.spi.JoinPolicy;

/**
 * One client connection, whatever carries it: its rate limit, its checks, the routing of its
 * messages, its room membership and how it ends. Its frames go out through its {@link Wire} (a
 * WebSocket's outbox). Frames arrive one at a time on the transport's thread for this connection
 * (frame, decode, check, route, wire). Other threads reach it only through {@link Link} (other
 * peers' relays, under their room's lock), the heartbeat, and the close paths, which is why
 * membership and ending are volatile and atomic.
 */
public final class Connection implements Link {

  private static final System.Logger LOG = System.getLogger(Connection.class.getName());

  /** PROTOCOL.md: an absent display name. */
  static final String ANONYMOUS = "anonymous";

  /** A connection shows no traffic for this many heartbeat intervals: it is lost. */
  static final int MISSED_HEARTBEATS = 2;

  /** The close codes a connection ends with (PROTOCOL.md, Close codes). */
  static final int NORMAL = 1000;
  static final int GOING_AWAY = 1001;
  static final int BINARY = 1003;
  static final int POLICY = 1008;
  static final int TOO_BIG = 1009;
  static final int SERVER_ERROR = 1011;
  static final int TRY_AGAIN_LATER = 1013;

  /** How a connection ends, decided once by whoever sees it first. */
  enum Ending {
    /** Client close frame: the room gets {@code peer-left} {@code left}. */
    LEFT,
    /** Server-started close (1003, 1008, 1009, 1011): {@code peer-left} {@code disconnected}. */
    DISCONNECTED,
    /** No close frame (network drop, heartbeat timeout): the resume grace begins. */
    LOST,
    /** A resume moved the peer to another connection: membership unchanged. */
    REPLACED,
    /** The node is going away (1001) or refused the connection (1013): nothing to announce. */
    SHUTDOWN
  }

  private final Hub hub;
  private final Wire wire;
  private final TokenBucket bucket;
  private final FloodGuard flood;
  private final int maxMessageBytes;
  /** A queued frame unwritten this long while the client still sends: it does not read. */
  private final long writeTimeoutNanos;
  private final AtomicReference<Ending> ending = new AtomicReference<>();
  private final Inbound.Handler dispatch = new Dispatch();

  /** This connection's id from welcome, or the resumed peer's id. Message thread only. */
  private String peerId;

  /** The parts of a text message received so far, while one arrives in parts. Message thread only. */
  private StringBuilder parts;

  /** The membership this connection serves, or null outside a room. Written on the message thread. */
  private volatile Member peer;

  private volatile long lastTrafficNanos;
  private volatile long lastPingNanos;

  public Connection(Hub hub, Wire.Factory wires, String peerId) {
    Settings settings = hub.settings();
    long now = System.nanoTime();
    this.hub = hub;
    this.peerId = peerId;
    this.maxMessageBytes = settings.maxMessageBytes();
    this.bucket = new TokenBucket(settings.burst(), settings.messagesPerSecond(), now);
    this.flood = new FloodGuard(settings.burst());
    // Overflow is found while queuing, maybe under another peer's room lock: end it later.
    this.wire = wires.open(why -> hub.blockingExecutor().execute(
        () -> end(Ending.DISCONNECTED, POLICY, why)));
    this.writeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.writeTimeoutMs());
    this.lastTrafficNanos = now;
    this.lastPingNanos = now;
  }

  /** Sends {@code welcome}. */
  public void start() {
    send(
        new Outbound.Welcome(
            peerId, hub.iceServers().forWelcome(peerId), hub.settings().heartbeatMs(),
            hub.limits(), Hub.PROTOCOL_VERSION));
  }

  /** Refuses the connection with 1008: auth=container and the handshake had no user. */
  public void refuseUnauthenticated() {
    end(Ending.SHUTDOWN, POLICY, "authentication required");
  }

  /** Refuses the connection with 1013: the node cannot take it now (limit, cluster down). */
  public void refuse(String why) {
    end(Ending.SHUTDOWN, TRY_AGAIN_LATER, why);
  }

  /** Closes with 1001: the node is going away; clients resume elsewhere or later. */
  public void shutdown() {
    goingAway("server shutting down");
  }

  /** Closes with 1001 without changing the membership: the client resumes, here or elsewhere. */
  @Override
  public void goingAway(String why) {
    end(Ending.SHUTDOWN, GOING_AWAY, why);
  }

  /**
   * A text message, or one part of one: a container hands over a message in parts when it is
   * longer than its text buffer, or when the client sent it in fragments. The usual message comes
   * whole and goes straight on.
   */
  void onTextPart(String part, boolean last) {
    if (parts == null && last) {
      onText(part);
      return;
    }
    if (ending.get() != null) {
      return;
    }
    lastTrafficNanos = System.nanoTime();
    if (parts == null) {
      parts = new StringBuilder(2 * part.length());
    }
    // Chars never outnumber UTF-8 bytes: more chars than the limit is surely too big, so the
    // parts never grow past it. onText counts the bytes of the whole exactly.
    if (parts.length() + part.length() > maxMessageBytes) {
      parts = null;
      end(Ending.DISCONNECTED, TOO_BIG, "message over maxMessageBytes");
      return;
    }
    parts.append(part);
    if (last) {
      String whole = parts.toString();
      parts = null;
      onText(whole);
    }
  }

  void onText(String frame) {
    if (ending.get() != null) {
      return;
    }
    long now = System.nanoTime();
    lastTrafficNanos = now;
    if (!Utf8.surelyWithin(frame, maxMessageBytes) && Utf8.length(frame) > maxMessageBytes) {
      end(Ending.DISCONNECTED, TOO_BIG, "message over maxMessageBytes");
      return;
    }
    if (!bucket.tryTake(now)) {
      rateLimited(frame, now);
      return;
    }
    // Relays and events are queued under room locks; their writes start when the frame is done.
    try (DeferredWrites writes = DeferredWrites.open()) {
      Envelope envelope;
      try {
        envelope = hub.inbound().decode(frame);
      } catch (ProtocolException malformed) {
        hub.metrics().received("invalid");
        throw malformed;
      }
      hub.metrics().received(envelope.message().type());
      envelope.message().dispatch(dispatch, envelope.ref());
    } catch (ProtocolException e) {
      send(e.toError());
    } catch (RuntimeException e) {
      // A bug of ours, not the client's fault: say so with 1011 rather than leave it hanging.
      LOG.log(Level.ERROR, "failed to handle a frame on connection " + wire.id(), e);
      end(Ending.DISCONNECTED, SERVER_ERROR, "server error");
    }
  }

  /** A message over maxMessageBytes that is not even read (an HTTP body past its limit). */
  void onTooBig() {
    if (ending.get() == null) {
      lastTrafficNanos = System.nanoTime();
      end(Ending.DISCONNECTED, TOO_BIG, "message over maxMessageBytes");
    }
  }

  void onBinary() {
    lastTrafficNanos = System.nanoTime();
    end(Ending.DISCONNECTED, BINARY, "binary frames are not accepted");
  }

  void onPong() {
    lastTrafficNanos = System.nanoTime();
  }

  /** The transport closed with {@code code}: the client's close, or none (1006). */
  void onClose(int code) {
    hub.metrics().closed(code);
    if (ending.compareAndSet(null, endingOf(code))) {
      wire.discard();
      settle();
    }
    hub.closed(this);
  }

  void onError(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    Throwable cause = root;
    // Errors reported here are the client's doing or the network's (a browser that went away, a
    // frame too big, a protocol violation); the container closes the session and onClose
    // follows. Faults of our own are caught in onText. So no warning, and no stack trace.
    Level level = root instanceof IOException ? Level.DEBUG : Level.INFO;
    LOG.log(level, () -> "connection " + wire.id() + ": " + cause);
  }

  /**
   * Pings when due; ends the connection as lost when it missed two intervals, and as a policy
   * close (1008, {@code disconnected}) when it still sends but its writes made no progress for
   * {@code writeTimeoutMs}: pongs alone must not keep a receiver that never reads (PROTOCOL.md,
   * Limits in detail). Silence is checked first, so a dead peer keeps its resume grace.
   */
  public void heartbeat(long nowNanos, long intervalNanos) {
    if (ending.get() != null) {
      return;
    }
    if (wire.lost(nowNanos, lastTrafficNanos, intervalNanos)) {
      // Treated as a lost connection: the close frame is a courtesy a dead peer never sees.
      end(Ending.LOST, GOING_AWAY, "heartbeat timeout");
    } else if (wire.stalledNanos(nowNanos) > writeTimeoutNanos) {
      end(Ending.DISCONNECTED, POLICY,
          "not reading: no write completed in " + writeTimeoutNanos / 1_000_000 + " ms");
    } else if (nowNanos - lastPingNanos >= intervalNanos) {
      lastPingNanos = nowNanos;
      wire.ping();
    }
  }

  @Override
  public boolean offer(String frame) {
    boolean queued = wire.offer(frame);
    if (queued) {
      hub.metrics().queued(OutboundTypes.of(frame));
    }
    return queued;
  }

  /** Frames accepted for this connection and not yet written. */
  public int pending() {
    return wire.pending();
  }

  /** UTF-8 bytes of those frames. */
  public long pendingBytes() {
    return wire.pendingBytes();
  }

  /** The container's user of the request that opened this connection, or null. */
  public Principal user() {
    return wire.user();
  }

  /** The client's address, or null when unknown. */
  public String clientAddress() {
    return wire.clientAddress();
  }

  /**
   * The portal removed this peer or closed its room: say so, and serve no room any more. The
   * socket stays open; the client decides what comes next (PROTOCOL.md: not a rejoin by itself).
   */
  @Override
  public void ended(String left) {
    peer = null;
    offer(left);
  }

  @Override
  public Transport transport() {
    return wire.transport();
  }

  @Override
  public List<String> takeUnconfirmed() {
    return wire.takeUnconfirmed();
  }

  @Override
  public void replaced() {
    if (ending.compareAndSet(null, Ending.REPLACED)) {
      wire.close(NORMAL, "resumed on another connection");
    }
  }

  private void join(Inbound.Join join, JsonValue ref) throws ProtocolException {
    Member current = peer;
    if (current != null) {
      throw new ProtocolException(
          ErrorCode.ALREADY_JOINED, "already in room '" + current.roomName() + "'", ref);
    }
    Admission admission = admit(join, ref);
    Member joined;
    try {
      joined = hub.membership().join(join, admission, this, ref);
    } catch (Membership.Unavailable e) {
      end(Ending.SHUTDOWN, TRY_AGAIN_LATER, "cluster unavailable, try again later");
      return;
    }
    if (!joined.id().equals(peerId)) {
      hub.metrics().resumed(); // a resume gives back the earlier peer, with its own id
    }
    peerId = joined.id();
    peer = joined;
    // An ending that raced with the join must still reach the new membership.
    settle();
  }

  /**
   * Who this join admits, by the auth mode: the name and identity come from the token or the
   * container's principal, never from {@code join.name} once either is in force.
   */
  private Admission admit(Inbound.Join join, JsonValue ref) throws ProtocolException {
    String name = join.name() != null ? join.name() : ANONYMOUS;
    String identity = null;
    boolean freshAllowed = true;
    Map<String, Object> claims = Map.of();
    if (hub.settings().auth() == AuthMode.CONTAINER) {
      Principal user = wire.user();
      name = ContainerUser.displayName(user);
      identity = user == null ? null : user.getName();
    }
    TokenVerifier tokens = hub.tokens();
    if (tokens != null) {
      try {
        // Every join carries its token, resumes included; a resume may carry one whose only fault
        // is its time window, so a call outlives the portal's token (PROTOCOL.md).
        TokenVerifier.Verified verified =
            tokens.verify(join.token(), join.room(), join.resume() != null);
        name = verified.name();
        identity = verified.subject();
        freshAllowed = verified.timely();
        claims = verified.claims();
      } catch (TokenVerifier.TokenRejected e) {
        LOG.log(Level.DEBUG, () -> "connection " + wire.id() + ": token refused, " + e.getMessage());
        throw new ProtocolException(ErrorCode.UNAUTHORIZED, "token refused: " + e.getMessage(), ref);
      }
    }
    IceServers ice = hub.iceServers();
    JoinPolicies policies = hub.joinPolicies();
    Map<String, Object> granted = claims;
    Admission.Gate gate = policies.isEmpty() ? null
        : (room, admission, joinRef) -> decide(policies, room, admission, granted, joinRef);
    return new Admission(peerId, name, identity, freshAllowed, ice::forJoined, gate);
  }

  /** The portal's join policies on a fresh join: the name it may join under, or unauthorized. */
  private String decide(JoinPolicies policies, String room, Admission admission,
      Map<String, Object> claims, JsonValue ref) throws ProtocolException {
    JoinPolicy.Decision decision = policies.decide(new JoinPolicy.JoinRequest(
        room, admission.name(), admission.identity(), claims,
        wire.clientAddress(), wire.transport().wire()));
    if (decision instanceof JoinPolicy.Decision.Deny deny) {
      LOG.log(Level.INFO, () -> "connection " + wire.id() + ": join of room '" + room
          + "' denied by the join policy: " + deny.message());
      throw new ProtocolException(ErrorCode.UNAUTHORIZED, deny.message(), ref);
    }
    if (decision instanceof JoinPolicy.Decision.Rename rename) {
      String valid = InboundCodec.displayNameOrNull(rename.name());
      if (valid == null) {
        LOG.log(Level.WARNING, () -> "join policy renamed a peer to an invalid display name:"
            + " a denial");
        throw new ProtocolException(ErrorCode.UNAUTHORIZED, "refused by the join policy", ref);
      }
      return valid;
    }
    return admission.name();
  }

  private void leave(JsonValue ref) throws ProtocolException {
    Member current = joined(ref);
    current.leave(this, LeaveReason.LEFT);
    peer = null;
    send(new Outbound.Left(current.roomName(), ref));
  }

  private void signal(Inbound.Signal signal, JsonValue ref) throws ProtocolException {
    Member from = joined(ref);
    String frame = hub.outbound().encode(new Outbound.SignalRelay(from.id(), signal.data()));
    answer(from.relay(signal.to(), frame, ref), signal.to(), ref);
  }

  private void message(Inbound.Message message, JsonValue ref) throws ProtocolException {
    Member from = joined(ref);
    String frame =
        hub.outbound().encode(new Outbound.MessageRelay(from.id(), message.data(), message.to()));
    if (message.to() != null) {
      answer(from.relay(message.to(), frame, ref), message.to(), ref);
    } else {
      for (String missed : from.broadcast(frame, ref)) {
        answer(Delivery.BUFFER_FULL, missed, ref);
      }
    }
  }

  private void answer(Delivery delivery, String to, JsonValue ref) {
    switch (delivery) {
      case BUFFER_FULL ->
          send(new Outbound.Error(ErrorCode.UNDELIVERABLE,
              "peer '" + to + "' is in its resume grace and its buffer is full; dropped", ref));
      case GONE ->
          send(new Outbound.Error(ErrorCode.UNKNOWN_PEER,
              "peer '" + to + "' is not in this room any more; dropped", ref));
      case UNREACHABLE ->
          send(new Outbound.Error(ErrorCode.UNDELIVERABLE,
              "the cluster cannot reach peer '" + to + "' now; dropped", ref));
      default -> {
        // SENT or BUFFERED: nothing to answer.
      }
    }
  }

  @Override
  public void undelivered(String to, Delivery delivery, JsonValue ref) {
    if (ending.get() == null) {
      answer(delivery, to, ref);
    }
  }

  private Member joined(JsonValue ref) throws ProtocolException {
    Member current = peer;
    if (current == null) {
      throw new ProtocolException(ErrorCode.NOT_JOINED, "join a room first", ref);
    }
    return current;
  }

  private void rateLimited(String frame, long now) {
    hub.metrics().rateLimited();
    Settings s = hub.settings();
    send(new Outbound.Error(ErrorCode.RATE_LIMITED,
        "over " + s.messagesPerSecond() + " messages/s (burst " + s.burst() + "); dropped",
        hub.inbound().refOf(frame)));
    if (flood.dropped(now)) {
      end(Ending.DISCONNECTED, POLICY, "sustained message flood");
    }
  }

  private void send(Outbound message) {
    if (message instanceof Outbound.Error error) {
      hub.metrics().error(error.code().wire());
    }
    offer(hub.outbound().encode(message));
  }

  /**
   * Decides the ending if it is the first to, then closes and settles the membership. A lost
   * connection settles first: the room takes back what the client never confirmed while no
   * close has touched the wire yet, and relays from then on go to the resume buffer.
   */
  private void end(Ending how, int code, String reason) {
    if (ending.compareAndSet(null, how)) {
      if (how == Ending.LOST) {
        settle();
        wire.close(code, reason);
      } else {
        wire.close(code, reason);
        settle();
      }
    }
  }

  /**
   * Applies the ending to the membership. May run twice (an ending racing a join); the room
   * ignores the second call because the peer is gone or no longer served by this link.
   */
  private void settle() {
    Member current = peer;
    Ending how = ending.get();
    if (current == null || how == null) {
      return;
    }
    try (DeferredWrites writes = DeferredWrites.open()) {
      switch (how) {
        case LEFT -> current.leave(this, LeaveReason.LEFT);
        case DISCONNECTED -> current.leave(this, LeaveReason.DISCONNECTED);
        case LOST -> current.lose(this);
        default -> {
          // REPLACED and SHUTDOWN change no membership.
        }
      }
    }
  }

  /**
   * Each inbound type to its method here. A class of its own, so that handling a message is not
   * part of what a connection offers its callers.
   */
  private final class Dispatch implements Inbound.Handler {
    @Override
    public void join(Inbound.Join join, JsonValue ref) throws ProtocolException {
      Connection.this.join(join, ref);
    }

    @Override
    public void leave(JsonValue ref) throws ProtocolException {
      Connection.this.leave(ref);
    }

    @Override
    public void signal(Inbound.Signal signal, JsonValue ref) throws ProtocolException {
      Connection.this.signal(signal, ref);
    }

    @Override
    public void message(Inbound.Message message, JsonValue ref) throws ProtocolException {
      Connection.this.message(message, ref);
    }

    @Override
    public void ping(JsonValue ref) {
      send(new Outbound.Pong(ref));
    }
  }

  /**
   * The ending of a close this server did not start. 1006 means no close frame arrived; the codes
   * a container sends for a protocol fault are server-started; any other close frame is the
   * client leaving.
   */
  static Ending endingOf(int code) {
    return switch (code) {
      case 1006 -> Ending.LOST;
      case 1002, 1003, 1007, 1008, 1009, 1011 -> Ending.DISCONNECTED;
      default -> Ending.LEFT;
    };
  }
}
