package org.signalbox.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.signalbox.config.Settings;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.protocol.PeerInfo;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.protocol.Utf8;
import org.signalbox.room.Admission;
import org.signalbox.room.Delivery;
import org.signalbox.room.Link;
import org.signalbox.room.Member;
import org.signalbox.room.Membership;

/**
 * The rooms of a cluster of nodes that share one Redis. A room's truth (members in join order,
 * who serves each, graces, resume tokens, buffers) lives in Redis and changes only by the Lua
 * scripts of {@link Script}; each script publishes what it changed, on the room's channel of
 * each node concerned, in the same step. So every node sees a room's events in the one order
 * Redis ran them, and this node turns them into frames for the members it serves.
 *
 * <p>Relays between two peers of this node stay in this node. A relay to any other peer is one
 * script that publishes once, to the one node serving the target, or buffers for a target in its
 * grace; a sender's relays are issued on one connection in the order it sent them, which is the
 * order Redis runs them. What a script answers late (unknown peer, full buffer, Redis gone)
 * reaches the sender as an {@code error}.
 *
 * <p>Threads: joins wait (bounded) on the connection's own thread; everything else is
 * asynchronous. Channel messages arrive one at a time on the pub/sub connection's thread.
 */
public final class RedisMembership implements Membership, RedisConnector.Listener {

  private static final System.Logger LOG = System.getLogger(RedisMembership.class.getName());

  /** How long a join waits for Redis: its subscription, then its script. */
  private static final long JOIN_WAIT_MS = RedisConnector.COMMAND_TIMEOUT.toMillis() + 500;
  /** The sender of the portal's messages (PROTOCOL.md), which no peer id can equal. */
  static final String SERVER = "@server";

  /** What relay.lua and broadcast.lua answer when Redis ran them after their deadline. */
  private static final String LATE = "late";

  private final ClusterContext node;
  private final RedisEventStore events;
  private final Settings settings;
  private final OutboundCodec codec;
  private final JsonProvider json = JsonProvider.provider();
  private final ClusterMetrics metrics;
  private final RedisConnector connector;
  private final Keys keys;
  private final NodeWatch watch;
  private final InFlight inFlight;
  /** Script arguments that every relay passes, written once. */
  private final String bufferArg;
  private final String bufferBytesArg;
  private final String graceArg;

  /** Guards each room's interest and the order of subscribe and unsubscribe commands. */
  private final Object subscriptions = new Object();
  private final ConcurrentHashMap<String, ClusterRoom> rooms = new ConcurrentHashMap<>();
  /** Joins whose script ran or runs, by the token they issued, until their event arrives. */
  private final ConcurrentHashMap<String, ClusterMember> pending = new ConcurrentHashMap<>();

  private RedisMembership(ClusterContext node) {
    this.node = node;
    this.settings = node.settings();
    this.codec = node.codec();
    this.inFlight = new InFlight(settings);
    this.metrics = new ClusterMetrics(node.metrics(), this::available, inFlight);
    this.connector =
        new RedisConnector(
            settings.redisUrl(), node.timers(), node.blocking(), node.ids()::peerId,
            new RedisPubSubAdapter<>() {
              @Override
              public void smessage(String channel, String message) {
                onChannel(channel, message);
              }
            },
            metrics, Keys.eventsTtlMs(settings), this::channelsLost);
    this.keys = connector.keys();
    this.watch = new NodeWatch(connector, node.timers(), settings.resumeGraceMs(), metrics,
        () -> List.copyOf(rooms.keySet()));
    this.bufferArg = Integer.toString(settings.resumeBuffer());
    this.bufferBytesArg = Integer.toString(settings.resumeBufferBytes());
    this.graceArg = Long.toString(settings.resumeGraceMs());
    this.events = new RedisEventStore(connector, watch::owns, node.ids().peerId(), json,
        Keys.eventsTtlMs(settings));
  }

  /** Connects to Redis (or starts trying to) and starts watching the other nodes. */
  public static RedisMembership start(ClusterContext node) {
    RedisMembership membership = new RedisMembership(node);
    membership.connector.start(membership);
    membership.watch.start();
    return membership;
  }

  @Override
  public boolean available() {
    return connector.sessionOrNull() != null;
  }

  @Override
  public int roomCount() {
    return rooms.size();
  }

  @Override
  public int peerCount() {
    int peers = 0;
    for (ClusterRoom room : rooms.values()) {
      synchronized (room) {
        peers += room.locals.size();
      }
    }
    return peers;
  }

  @Override
  public void stop() {
    connector.stop();
  }

  @Override
  public RedisEventStore events() {
    return events;
  }

  // ---- The portal's view and commands (PORTAL.md), answered from Redis for the whole cluster

  @Override
  public List<Summary> rooms() {
    RedisConnector.Session session = connector.session();
    List<Summary> rooms = new ArrayList<>();
    for (String key : RedisAdmin.roomKeys(session)) {
      String name = Keys.roomOfMembers(key);
      long peers = await(session, session.redis().hlen(key).toCompletableFuture());
      if (peers > 0) {
        rooms.add(new Summary(name, (int) peers, createdAt(session, name)));
      }
    }
    rooms.sort(Comparator.comparing(Summary::room));
    return rooms;
  }

  @Override
  public Optional<Detail> room(String name) {
    RedisConnector.Session session = connector.session();
    Map<String, String> raw =
        await(session, session.redis().hgetall(keys.members(name)).toCompletableFuture());
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    // Members are stored by id; their join order is their seq.
    List<Map.Entry<String, JsonObject>> members = new ArrayList<>(raw.size());
    raw.forEach((id, value) -> members.add(Map.entry(id, parse(value))));
    members.sort(Comparator.comparingLong(e -> e.getValue().getJsonNumber("seq").longValue()));
    List<PeerState> peers = new ArrayList<>(members.size());
    for (Map.Entry<String, JsonObject> e : members) {
      JsonObject m = e.getValue();
      long joinedAt = m.containsKey("at") ? m.getJsonNumber("at").longValue() : 0;
      peers.add(new PeerState(e.getKey(), m.getString("n"), joinedAt,
          "g".equals(m.getString("st")), m.getString("tr", WEBSOCKET)));
    }
    return Optional.of(new Detail(name, createdAt(session, name), peers));
  }

  @Override
  public boolean remove(String room, String peerId) {
    RedisConnector.Session session = connector.session();
    Object answer = await(session, run(session, Script.REMOVE, ScriptOutputType.VALUE,
        keys(keys.members(room), keys.tokens(room)), peerId));
    return "ok".equals(answer);
  }

  @Override
  public boolean close(String room) {
    RedisConnector.Session session = connector.session();
    Object answer = await(session, run(session, Script.CLOSE, ScriptOutputType.VALUE,
        keys(keys.members(room), keys.tokens(room))));
    return "ok".equals(answer);
  }

  @Override
  public boolean message(String room, String to, String frame) {
    RedisConnector.Session session = connector.session();
    String deadline = Long.toString(connector.relayDeadline());
    if (to != null) {
      Object answer = await(session, run(session, Script.RELAY, ScriptOutputType.VALUE,
          keys(keys.members(room)), to, frame, bufferArg, graceArg, bufferBytesArg, deadline));
      return !"gone".equals(answer);
    }
    long peers = await(session, session.redis().hlen(keys.members(room)).toCompletableFuture());
    if (peers == 0) {
      return false;
    }
    // From a sender that no member can be: every member gets it, those in grace in their buffer.
    await(session, run(session, Script.BROADCAST, ScriptOutputType.MULTI,
        keys(keys.members(room)), SERVER, session.node(), frame, bufferArg, graceArg,
        bufferBytesArg, deadline));
    return true;
  }

  private long createdAt(RedisConnector.Session session, String room) {
    String created =
        await(session, session.redis().get(keys.created(room)).toCompletableFuture());
    return created == null ? 0 : Long.parseLong(created);
  }


  // ---- Joining

  @Override
  public Member join(Inbound.Join join, Admission admission, Link link, JsonValue ref)
      throws ProtocolException {
    String peerId = admission.peerId();
    RedisConnector.Session session = connector.session();
    ClusterRoom room = acquire(session, join.room());
    boolean joined = false;
    try {
      if (join.resume() != null) {
        ClusterMember resumed = resume(session, room, join.resume(), admission, link, ref);
        if (resumed != null) {
          joined = true;
          return resumed;
        }
      }
      Admission fresh = admission.forFreshJoin(join.room(), ref);
      String name = fresh.name();
      String token = node.ids().resumeToken();
      ClusterMember member =
          new ClusterMember(this, room, peerId, token, fresh, link, ref, true);
      Object answer;
      try {
        answer = joinScript(session, member, Script.JOIN,
            keys(room.membersKey, room.tokensKey, keys.sequence(room.name)),
            peerId, name, session.node(), Integer.toString(settings.maxRoomSize()), token,
            graceArg, identityArg(fresh), link.transport().wire());
      } catch (Unavailable e) {
        // The script may have run: take the member out again rather than leave it unserved.
        run(session, Script.LEAVE, ScriptOutputType.VALUE, keys(room.membersKey, room.tokensKey),
            peerId, token, LeaveReason.DISCONNECTED.wire());
        throw e;
      }
      if ("full".equals(answer)) {
        pending.remove(token);
        throw new ProtocolException(ErrorCode.ROOM_FULL,
            "room '" + room.name + "' has " + settings.maxRoomSize() + " peers", ref);
      }
      metrics.membershipChanged();
      joined = true;
      return member;
    } finally {
      if (!joined) {
        release(room);
      }
    }
  }

  /**
   * The member that {@code token} resumes, now served by {@code link}; null when the token is
   * stale or the member joined under another identity ({@link Admission#mayResume}: the script
   * compares the identity stored at its join).
   */
  private ClusterMember resume(RedisConnector.Session session, ClusterRoom room, String token,
      Admission admission, Link link, JsonValue ref) {
    String next = node.ids().resumeToken();
    ClusterMember member = new ClusterMember(this, room, null, next, admission, link, ref, false);
    Object answer = joinScript(session, member, Script.RESUME,
        keys(room.membersKey, room.tokensKey), token, session.node(), next, graceArg,
        identityArg(admission), link.transport().wire());
    if ("stale".equals(answer)) {
      pending.remove(next);
      return null;
    }
    member.identify((String) answer);
    metrics.membershipChanged();
    return member;
  }

  /**
   * Runs a join's or a resume's script, with {@code member} waiting for the event that the script
   * publishes to this node (it may come before the answer), and returns the answer.
   */
  private Object joinScript(RedisConnector.Session session, ClusterMember member, Script script,
      String[] keys, String... args) {
    pending.put(member.token, member);
    try {
      return await(session, run(session, script, ScriptOutputType.VALUE, keys, args));
    } catch (Unavailable e) {
      pending.remove(member.token);
      throw e;
    }
  }

  /**
   * How a join's identity is stored with the member and compared on resume: '=' and the token's
   * {@code sub} or the container's principal; empty in open mode, which matches only itself.
   */
  private static String identityArg(Admission admission) {
    return admission.identity() == null ? "" : "=" + admission.identity();
  }

  // ---- Relays (issued under the room's monitor by ClusterMember)

  /**
   * Issues a relay to a peer served elsewhere, unless too many of this connection's or this
   * node's relays are in flight to Redis ({@link InFlight}): then it is not issued, and the sender
   * is answered at once, {@code rate-limited} for its own share, {@code undeliverable} for the
   * node's. What Redis answers later reaches the sender through its link.
   */
  Delivery relay(ClusterMember from, String to, String frame, JsonValue ref)
      throws ProtocolException {
    long size = Utf8.length(frame);
    InFlight.Refusal refusal = inFlight.take(from.share, size);
    if (refusal == InFlight.Refusal.CONNECTION) {
      metrics.refused(refusal);
      throw new ProtocolException(ErrorCode.RATE_LIMITED, "over " + inFlight.connectionCommands()
          + " relays or " + inFlight.connectionBytes() + " bytes of this connection on their way"
          + " through the cluster; dropped", ref);
    }
    if (refusal == InFlight.Refusal.NODE) {
      metrics.refused(refusal);
      return Delivery.UNREACHABLE;
    }
    metrics.relayed();
    RedisConnector.Session session = from.room.session;
    run(session, Script.RELAY, ScriptOutputType.VALUE, keys(from.room.membersKey),
        to, frame, bufferArg, graceArg, bufferBytesArg, Long.toString(connector.relayDeadline()))
        .whenComplete((answer, failure) -> {
          inFlight.done(from.share, size);
          if (failure != null) {
            failed(session, failure);
            from.link.undelivered(to, Delivery.UNREACHABLE, ref);
          } else if (LATE.equals(answer)) {
            metrics.late();
            from.link.undelivered(to, Delivery.UNREACHABLE, ref);
          } else if ("full".equals(answer)) {
            from.link.undelivered(to, Delivery.BUFFER_FULL, ref);
          } else if ("gone".equals(answer)) {
            from.link.undelivered(to, Delivery.GONE, ref);
          }
        });
    return Delivery.SENT;
  }

  /**
   * Issues a broadcast's part for peers served elsewhere or in their grace, bounded as {@link
   * #relay}; a broadcast over a bound is answered {@code undeliverable} (a broadcast has no other
   * peer to name; its local part was delivered).
   */
  void broadcast(ClusterMember from, List<String> done, String frame, JsonValue ref) {
    long size = Utf8.length(frame);
    InFlight.Refusal refusal = inFlight.take(from.share, size);
    if (refusal != null) {
      metrics.refused(refusal);
      from.link.undelivered("*", Delivery.UNREACHABLE, ref);
      return;
    }
    metrics.broadcast();
    RedisConnector.Session session = from.room.session;
    List<String> args = new ArrayList<>(7 + done.size());
    args.add(from.id());
    args.add(session.node());
    args.add(frame);
    args.add(bufferArg);
    args.add(graceArg);
    args.add(bufferBytesArg);
    args.add(Long.toString(connector.relayDeadline()));
    args.addAll(done);
    run(session, Script.BROADCAST, ScriptOutputType.MULTI, keys(from.room.membersKey),
        args.toArray(String[]::new))
        .whenComplete((answer, failure) -> {
          inFlight.done(from.share, size);
          if (failure != null) {
            failed(session, failure);
            from.link.undelivered("*", Delivery.UNREACHABLE, ref);
          } else if (answer instanceof List<?> missed && missed.equals(List.of(LATE))) {
            metrics.late();
            from.link.undelivered("*", Delivery.UNREACHABLE, ref);
          } else if (answer instanceof List<?> missed) {
            for (Object id : missed) {
              from.link.undelivered((String) id, Delivery.BUFFER_FULL, ref);
            }
          }
        });
  }

  // ---- Ends of a membership (issued under the room's monitor by ClusterMember)

  void leave(ClusterMember member, LeaveReason reason) {
    metrics.membershipChanged();
    RedisConnector.Session session = member.room.session;
    run(session, Script.LEAVE, ScriptOutputType.VALUE,
        keys(member.room.membersKey, member.room.tokensKey),
        member.id(), member.token, reason.wire())
        .whenComplete((answer, failure) -> failed(session, failure));
  }

  /**
   * The member's connection was lost: its grace begins, and {@code unconfirmed} (the relays its
   * client never acknowledged) are buffered ahead of every later relay.
   */
  void lose(ClusterMember member, List<String> unconfirmed) {
    String epoch = node.ids().peerId();
    List<String> args = new ArrayList<>(6 + unconfirmed.size());
    args.addAll(List.of(member.id(), member.token, graceArg, epoch,
        Integer.toString(settings.resumeBuffer()), Integer.toString(settings.resumeBufferBytes())));
    args.addAll(unconfirmed);
    // On a Redis Cluster, tried each second for as long as a grace and its keys' margin: a shard's
    // failover takes its node timeout and an election, seconds; a shard away for longer leaves
    // the member active in Redis, and the first relay to it then begins its grace.
    int attempts = (int) ((settings.resumeGraceMs() + Keys.EXPIRY_MARGIN_MS)
        / RedisConnector.RETRY_MS);
    issueLose(member.room, member.id(), epoch, args.toArray(String[]::new), attempts);
  }

  /**
   * Issues a loss's script and indexes its grace in the same breath, before this node's interest
   * in the room ends: a node that dies now leaves no grace that no one would end (a stale entry is
   * dropped by the first sweep). On a Redis Cluster whose shard is failing over, the script is
   * tried again each second: it names the connection's token, so once a resume moved the member
   * it changes nothing.
   */
  private void issueLose(ClusterRoom room, String peerId, String epoch, String[] args,
      int attemptsLeft) {
    RedisConnector.Session session = room.session;
    run(session, Script.LOSE, ScriptOutputType.VALUE, keys(room.membersKey, room.tokensKey), args)
        .whenComplete((answer, failure) -> {
          failed(session, failure);
          if (failure != null && connector.sharded() && attemptsLeft > 1
              && connector.sessionOrNull() == session) {
            later(() -> issueLose(room, peerId, epoch, args, attemptsLeft - 1));
          }
        });
    long grace = settings.resumeGraceMs();
    if (grace > 0) {
      watch.graceBegan(session, room.name, peerId, epoch, System.currentTimeMillis() + grace);
    }
  }

  /** Runs {@code task} on the blocking executor after {@link RedisConnector#RETRY_MS}. */
  private void later(Runnable task) {
    try {
      node.timers().schedule(() -> node.blocking().execute(task), RedisConnector.RETRY_MS,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // The node is stopping.
    }
  }

  void forgetPending(String token) {
    pending.remove(token);
  }

  // ---- Interest: the room's channel is listened to while this node joins or serves a member

  private ClusterRoom acquire(RedisConnector.Session session, String name) {
    ClusterRoom room;
    CompletableFuture<Void> subscribed;
    synchronized (subscriptions) {
      room = rooms.get(name);
      if (room == null || room.session != session) {
        room = new ClusterRoom(name, session, keys);
        rooms.put(name, room);
      }
      if (room.interest++ == 0) {
        try {
          // Issued before the join's script on the same connection: a survivor that finds this
          // node dead finds this room among its rooms.
          String served = Keys.roomsOf(keys.partition(name), session.node());
          session.redis().sadd(served, name);
          session.redis().pexpire(served, Keys.EXPIRY_MARGIN_MS);
          room.subscribed = session.channels().subscribe(room.channel());
        } catch (RuntimeException refused) {
          room.subscribed = CompletableFuture.failedFuture(refused);
        } finally {
          NettyThreadState.release();
        }
      }
      subscribed = room.subscribed;
    }
    try {
      subscribed.get(JOIN_WAIT_MS, TimeUnit.MILLISECONDS);
      return room;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      release(room);
      throw new Unavailable("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      release(room);
      failed(session, e instanceof ExecutionException ? e.getCause() : e);
      throw new Unavailable("Redis did not confirm the subscription");
    }
  }

  void release(ClusterRoom room) {
    synchronized (subscriptions) {
      if (--room.interest == 0 && !room.lost) {
        rooms.remove(room.name, room);
        // After this node's last script for the room on the same connection: none of its members
        // is active there any more, so a survivor has nothing to look for in it.
        try {
          room.session.redis().srem(
              Keys.roomsOf(keys.partition(room.name), room.session.node()), room.name);
          room.session.channels().unsubscribe(room.channel());
        } catch (RuntimeException refused) {
          // The session is ending: its channels and its bookkeeping go with it.
        } finally {
          NettyThreadState.release();
        }
      }
    }
  }

  /**
   * Channels of this node that Redis no longer delivers (a Redis Cluster's shard failed over, or
   * a slot moved): whatever was published on them since is gone, so their rooms are given up
   * rather than served from a silent channel. Each member served here begins its grace, and its
   * connection is closed with 1001: its client resumes, here or on another node, and gets what
   * was buffered for it. The node's other rooms go on.
   */
  private void channelsLost(List<String> channels) {
    List<ClusterRoom> lost = new ArrayList<>();
    synchronized (subscriptions) {
      for (String channel : channels) {
        ClusterRoom room = rooms.get(Keys.roomOf(channel));
        if (room != null && room.channel().equals(channel)) {
          rooms.remove(room.name, room);
          room.lost = true;
          lost.add(room);
        }
      }
    }
    int peers = 0;
    for (ClusterRoom room : lost) {
      List<ClusterMember> served;
      synchronized (room) {
        served = List.copyOf(room.locals.values());
      }
      for (ClusterMember member : served) {
        member.lose(member.link);
        member.link.goingAway("cluster store's shard changed; resume");
        peers++;
      }
    }
    if (!lost.isEmpty()) {
      int closed = peers;
      LOG.log(Level.WARNING, () -> "Redis stopped delivering " + lost.size() + " room channel(s)"
          + " of node " + lost.get(0).session.node() + " (a shard failed over or a slot moved):"
          + " their " + closed + " peer(s) here begin their grace and are closed with 1001 to"
          + " resume; the node's other rooms are not affected");
    }
  }

  // ---- What arrives on this node's channels

  private void onChannel(String channel, String message) {
    ClusterRoom room = rooms.get(Keys.roomOf(channel));
    if (room == null || message.isEmpty()) {
      if (message.startsWith("T") || message.startsWith("A")) {
        metrics.missed();
      }
      return;
    }
    try {
      switch (message.charAt(0)) {
        case 'T' -> toOne(room, message);
        case 'A' -> toAll(room, message);
        case 'E' -> event(room, parse(message.substring(1)));
        default -> LOG.log(Level.WARNING, () -> "unknown cluster message on " + channel);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "failed to handle a cluster message on " + channel, e);
    }
  }

  private void toOne(ClusterRoom room, String message) {
    int end = message.indexOf('\n');
    String to = message.substring(1, end);
    synchronized (room) {
      ClusterMember target = room.locals.get(to);
      if (target != null && target.link.offer(message.substring(end + 1))) {
        metrics.delivered();
      } else {
        // Its connection here ended after Redis routed the frame: lost with the connection, as
        // a frame still in its outbox would be.
        metrics.missed();
      }
    }
  }

  private void toAll(ClusterRoom room, String message) {
    int end = message.indexOf('\n');
    String from = message.substring(1, end);
    String frame = message.substring(end + 1);
    synchronized (room) {
      for (ClusterMember m : room.locals.values()) {
        if (!m.id().equals(from)) {
          m.link.offer(frame);
          metrics.delivered();
        }
      }
    }
  }

  private void event(ClusterRoom room, JsonObject event) {
    String peer = event.getString("p", null);
    synchronized (room) {
      switch (event.getString("e")) {
        case "join" -> joinedEvent(room, peer, event);
        case "resume" -> resumedEvent(room, peer, event);
        case "moved" -> movedEvent(room, peer, event.getString("node"));
        case "left" -> leftEvent(room, peer, LeaveReason.fromWire(event.getString("r")));
        case "closed" -> closedEvent(room);
        default -> LOG.log(Level.WARNING, () -> "unknown cluster event " + event);
      }
    }
  }

  private JsonObject parse(String json) {
    try (var reader = this.json.createReader(new StringReader(json))) {
      return reader.readObject();
    }
  }

  // Caller holds the room's monitor.
  private void joinedEvent(ClusterRoom room, String peer, JsonObject event) {
    ClusterMember member = event.containsKey("tok") ? pending.remove(event.getString("tok")) : null;
    if (member != null && !room.loaded) {
      load(room, event);
    }
    if (!room.loaded) {
      return;
    }
    room.members.add(peer);
    String name = event.getString("n");
    String frame = codec.encode(new Outbound.PeerJoined(room.name, new PeerInfo(peer, name)));
    for (ClusterMember m : room.locals.values()) {
      m.link.offer(frame);
    }
    if (member != null) {
      room.locals.put(peer, member);
      member.link.offer(codec.encode(new Outbound.Joined(
          room.name, peer, name, peers(event), member.token, false,
          member.admission.iceServersFor(peer), member.ref)));
    }
  }

  // Caller holds the room's monitor.
  private void resumedEvent(ClusterRoom room, String peer, JsonObject event) {
    ClusterMember member = pending.remove(event.getString("tok"));
    if (member == null) {
      // The resuming connection ended before its joined (its grace begins again soon). A
      // connection here that served the peer before does not serve it any more either.
      movedEvent(room, peer, "");
      return;
    }
    if (!room.loaded) {
      load(room, event);
    }
    member.identify(peer);
    room.members.add(peer);
    ClusterMember previous = room.locals.put(peer, member);
    member.link.offer(codec.encode(new Outbound.Joined(
        room.name, peer, event.getString("n"), peers(event), member.token, true,
        member.admission.iceServersFor(peer), member.ref)));
    JsonValue held = event.get("buf");
    if (held instanceof JsonArray frames) {
      for (JsonValue frame : frames) {
        member.link.offer(((JsonString) frame).getString());
      }
    }
    if (previous != null && previous != member) {
      previous.link.replaced();
      previous.release();
    }
  }

  // Caller holds the room's monitor.
  private void movedEvent(ClusterRoom room, String peer, String to) {
    ClusterMember local = room.locals.get(peer);
    if (local != null && !to.equals(room.session.node())) {
      room.locals.remove(peer);
      local.link.replaced();
      local.release();
    }
  }

  // Caller holds the room's monitor. A member the portal removed is told so here, on the node
  // that serves it, and stays connected outside the room.
  private void leftEvent(ClusterRoom room, String peer, LeaveReason reason) {
    ClusterMember local = room.locals.remove(peer);
    if (local != null) {
      if (reason == LeaveReason.REMOVED) {
        local.link.ended(codec.encode(new Outbound.Left(room.name, reason, null)));
      }
      local.release();
    }
    if (!room.loaded || !room.members.remove(peer)) {
      return;
    }
    String frame = codec.encode(new Outbound.PeerLeft(room.name, peer, reason));
    for (ClusterMember m : room.locals.values()) {
      m.link.offer(frame);
    }
  }

  // Caller holds the room's monitor. The portal closed the room: every member served here is told
  // so; nobody gets a peer-left.
  private void closedEvent(ClusterRoom room) {
    String left = codec.encode(new Outbound.Left(room.name, LeaveReason.CLOSED, null));
    for (ClusterMember local : List.copyOf(room.locals.values())) {
      local.link.ended(left);
      local.release();
    }
    room.locals.clear();
    room.members.clear();
  }

  // Caller holds the room's monitor.
  private static void load(ClusterRoom room, JsonObject event) {
    room.members.clear();
    JsonValue peers = event.get("peers");
    if (peers instanceof JsonArray list) {
      for (JsonValue p : list) {
        room.members.add(p.asJsonArray().getString(0));
      }
    }
    room.loaded = true;
  }

  /** {@code joined.peers} from the snapshot a script published (cjson writes {} for none). */
  private static List<PeerInfo> peers(JsonObject event) {
    JsonValue peers = event.get("peers");
    if (!(peers instanceof JsonArray list)) {
      return List.of();
    }
    List<PeerInfo> infos = new ArrayList<>(list.size());
    for (JsonValue p : list) {
      JsonArray entry = p.asJsonArray();
      infos.add(new PeerInfo(entry.getString(0), entry.getString(1)));
    }
    return infos;
  }

  // ---- Sessions

  @Override
  public void up(RedisConnector.Session session, String previous) {
    if (previous != null) {
      watch.reapNow(session, previous);
    }
  }

  @Override
  public void down(RedisConnector.Session session) {
    synchronized (subscriptions) {
      rooms.clear();
    }
    pending.clear();
    try {
      node.blocking().execute(() -> node.closeAllGoingAway()
          .accept("cluster store unreachable; resume on another node"));
    } catch (RejectedExecutionException stopping) {
      // The node is stopping and closes them itself.
    }
  }

  /**
   * A command failed, or a join gave up waiting for one: that command fails alone. Whether Redis
   * serves this node is the health ping's to say (NodeWatch), never one slow command's. Only
   * scripts that Redis no longer has end the session: nothing this node issues could run.
   */
  private void failed(RedisConnector.Session session, Throwable failure) {
    if (failure == null) {
      return;
    }
    metrics.failed();
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (String.valueOf(cause.getMessage()).startsWith("NOSCRIPT") && !connector.sharded()) {
      connector.lost(session, "Redis no longer has this node's scripts");
    } else {
      LOG.log(Level.DEBUG, () -> "Redis command failed: " + RedisConnector.rootMessage(cause));
    }
  }

  private <T> T await(RedisConnector.Session session, CompletableFuture<T> future) {
    try {
      return future.get(JOIN_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      failed(session, e instanceof ExecutionException ? e.getCause() : e);
      throw new Unavailable("Redis did not answer: " + RedisConnector.rootMessage(e));
    } finally {
      // A command issued from this thread may have left Netty's thread state behind.
      NettyThreadState.release();
    }
  }

  /**
   * Issues a script. A command Lettuce refuses on the spot (its queue of unanswered commands is
   * full, the connection just closed) fails the future like any other failure, so that the
   * caller answers the client instead of throwing out of a relay.
   */
  static CompletableFuture<Object> run(RedisConnector.Session session, Script script,
      ScriptOutputType output, String[] keys, String... args) {
    try {
      CompletableFuture<Object> ran =
          session.redis().<Object>evalsha(session.sha(script), output, keys, args)
              .toCompletableFuture();
      if (!session.sharded()) {
        return ran;
      }
      // A replica promoted in a failover may lack a script its master had: EVAL runs it and
      // puts it in that shard's cache, so the next EVALSHA finds it.
      return ran.exceptionallyCompose(failure -> noScript(failure)
          ? session.redis().<Object>eval(session.source(script), output, keys, args)
              .toCompletableFuture()
          : CompletableFuture.failedFuture(failure));
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    } finally {
      NettyThreadState.release();
    }
  }

  private static boolean noScript(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return String.valueOf(cause.getMessage()).startsWith("NOSCRIPT");
  }

  private static String[] keys(String... keys) {
    return keys;
  }
}
