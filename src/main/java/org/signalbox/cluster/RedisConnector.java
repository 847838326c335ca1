package org.signalbox.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.signalbox.room.Membership;

/**
 * The node's connection to Redis, as a succession of sessions. A session is one pair of
 * connections (commands, and sharded pub/sub) and one node id registered under it. When either
 * connection drops the session is over for good: the channels it listened on saw publishes it
 * missed, so nothing it knew can be trusted. The node then starts a new session, with a new id,
 * once Redis answers again; the old id is reaped like any dead node's.
 *
 * <p>Lettuce's own reconnect is off for that reason. Commands fail at once while no session is
 * up, rather than queue: a relay is answered, never held.
 *
 * <p>Whether Redis serves this node is decided on a third connection of the session that carries
 * only the health ping (and the node's liveness key), so that it never waits behind relays: a
 * session ends when that ping fails or goes unanswered for {@link #HEALTH_TIMEOUT}, or when a
 * connection closes, never because one command was slow. Commands have no client-side timeout
 * for the same reason (a relay that Redis runs too late is dropped by its script, see {@link
 * #RELAY_DEADLINE_MS}); a join waits for its script for a bounded time of its own.
 */
final class RedisConnector {

  private static final System.Logger LOG = System.getLogger(RedisConnector.class.getName());

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** How long a join waits for its script, and the setup of a session for each of its steps. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  /**
   * A health ping unanswered this long means Redis does not serve this node: the session ends.
   * No longer than the node's liveness key outlives its last refresh by: a node must stop serving
   * before the other nodes may find it dead and hand its members to their grace.
   */
  static final Duration HEALTH_TIMEOUT =
      Duration.ofMillis(NodeWatch.ALIVE_TTL_MS - NodeWatch.PERIOD_MS);
  /**
   * A relay that Redis runs later than this after the node issued it is dropped by its script and
   * answered {@code undeliverable}: a slow command fails that relay only, and a relay answered so
   * never arrives. Signaling a few seconds late still serves a call (a candidate, an answer);
   * later than this the client had better know. Redis that does not answer at all is the health
   * ping's to find (2 s), and its session's end fails what is in flight.
   */
  static final long RELAY_DEADLINE_MS = 5_000;
  /** Between attempts to reach Redis again. */
  static final long RETRY_MS = 1_000;
  /**
   * Lettuce's own cap on a connection's unanswered commands: a backstop only. Relays are bounded
   * far below it by {@link InFlight}; joins, leaves and the watch by the node's connections.
   */
  static final int REQUEST_QUEUE = 16 * InFlight.NODE_COMMANDS;

  /** One session: a node id and the three connections that serve it. */
  record Session(
      String node,
      StatefulRedisConnection<String, String> commands,
      StatefulRedisPubSubConnection<String, String> pubsub,
      StatefulRedisConnection<String, String> health,
      Map<Script, String> shas) {

    RedisAsyncCommands<String, String> redis() {
      return commands.async();
    }

    /** The health connection: the ping and the liveness key, never behind relays. */
    RedisAsyncCommands<String, String> healthCommands() {
      return health.async();
    }

    String sha(Script script) {
      return shas.get(script);
    }
  }

  /** What the membership does when a session begins and ends. */
  interface Listener {
    /** A session began; {@code previous} is the node id of the one before it, or null. */
    void up(Session session, String previous);

    /** The session ended: nothing it served can be trusted any more. */
    void down(Session session);
  }

  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final ScheduledExecutorService timers;
  private final ExecutorService blocking;
  private final Supplier<String> nodeIds;
  private final RedisPubSubListener<String, String> messages;
  private final ClusterMetrics metrics;
  /** Written into the room scripts: how long undelivered room events live. */
  private final long eventsTtlMs;
  private Listener listener;
  private final AtomicReference<Session> current = new AtomicReference<>();
  /** Redis's clock minus this node's, in ms, as the last health ping measured it. */
  private volatile long clockOffsetMs;
  private volatile boolean stopped;
  // Attempts run one at a time (the first inline, then from the retry schedule).
  private String lastNode;
  private boolean unreachableLogged;

  RedisConnector(
      String url,
      ScheduledExecutorService timers,
      ExecutorService blocking,
      Supplier<String> nodeIds,
      RedisPubSubListener<String, String> messages,
      ClusterMetrics metrics,
      long eventsTtlMs) {
    this.eventsTtlMs = eventsTtlMs;
    this.uri = RedisURI.create(url);
    this.uri.setTimeout(COMMAND_TIMEOUT);
    this.timers = timers;
    this.blocking = blocking;
    this.nodeIds = nodeIds;
    this.messages = messages;
    this.metrics = metrics;
    // One I/O thread per connection of a session (they are opened one after the other, and Netty
    // hands them threads in turn), so the health ping is never read behind a queue of relays; the
    // cluster path does no blocking work on them.
    this.resources =
        DefaultClientResources.builder().ioThreadPoolSize(3).computationThreadPoolSize(2).build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(REQUEST_QUEUE)
            .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
            .socketOptions(
                SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
            .build());
    client.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {}

          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            Session s = current.get();
            if (s != null && (s.commands() == connection || s.pubsub() == connection
                || s.health() == connection)) {
              lost(s, "connection closed");
            }
          }

          @Override
          public void onRedisExceptionCaught(RedisChannelHandler<?, ?> c, Throwable cause) {}
        });
  }

  /** Tries once now; on failure the node starts unavailable and keeps trying. */
  void start(Listener listener) {
    this.listener = listener;
    attemptFromContainer();
  }

  /** The current session; throws while Redis is unreachable. */
  Session session() {
    Session s = current.get();
    if (s == null) {
      throw new Membership.Unavailable("Redis is unreachable");
    }
    return s;
  }

  /** The current session, or null. */
  Session sessionOrNull() {
    return current.get();
  }

  /** The deadline, by Redis's clock, of a relay issued now ({@link #RELAY_DEADLINE_MS}). */
  long relayDeadline() {
    return System.currentTimeMillis() + clockOffsetMs + RELAY_DEADLINE_MS;
  }

  /**
   * A health ping's answer: Redis's {@code TIME}, read between {@code sentMs} and {@code
   * receivedMs} of this node's clock; its midpoint gives the offset of the two clocks.
   */
  void clock(List<String> time, long sentMs, long receivedMs) {
    long redisMs = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    clockOffsetMs = redisMs - (sentMs + receivedMs) / 2;
  }

  /** Where Redis is, for log lines (never the password). */
  String where() {
    return uri.getHost() + ":" + uri.getPort();
  }

  /** Ends {@code session} if it is still the current one; the node goes unavailable. */
  void lost(Session session, String cause) {
    if (stopped || !current.compareAndSet(session, null)) {
      return;
    }
    LOG.log(Level.WARNING, () -> "Redis at " + where() + " unreachable (" + cause + "): node "
        + session.node() + " stops serving; its connections are closed with 1001 so clients"
        + " resume on another node, and it retries every " + RETRY_MS + " ms");
    unreachableLogged = true;
    listener.down(session);
    closeQuietly(session);
    retryLater();
    NettyThreadState.release(); // may run on a container's thread (a join that timed out)
  }

  void stop() {
    stopped = true;
    Session s = current.getAndSet(null);
    if (s != null) {
      try {
        // A clean stop: the node's members begin their grace at once instead of after the TTL.
        s.commands().sync().del(Keys.alive(s.node()));
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, () -> "could not unregister node " + s.node() + ": " + e);
      }
      closeQuietly(s);
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
    NettyThreadState.release(); // stop runs on a thread of the container's
  }

  /** The first session is opened on the container's deploying thread. */
  private void attemptFromContainer() {
    try {
      attempt();
    } finally {
      NettyThreadState.release();
    }
  }

  private void attempt() {
    if (stopped) {
      return;
    }
    Session session;
    try {
      session = open();
    } catch (RuntimeException e) {
      if (!unreachableLogged) {
        unreachableLogged = true;
        LOG.log(Level.WARNING, () -> "Redis at " + where() + " unreachable (" + rootMessage(e)
            + "): this node refuses connections with 1013 until it answers; retrying every "
            + RETRY_MS + " ms");
      } else {
        LOG.log(Level.DEBUG, () -> "Redis at " + where() + " still unreachable: " + rootMessage(e));
      }
      retryLater();
      return;
    }
    String previous = lastNode;
    lastNode = session.node();
    current.set(session);
    listener.up(session, previous);
    if (previous != null) {
      metrics.reconnected();
    }
    unreachableLogged = false;
    LOG.log(Level.INFO, () -> "Redis at " + where() + " reachable: serving as cluster node "
        + session.node() + (previous == null ? "" : " (was " + previous + ")"));
  }

  private Session open() {
    StatefulRedisConnection<String, String> commands = null;
    StatefulRedisPubSubConnection<String, String> pubsub = null;
    StatefulRedisConnection<String, String> health = null;
    try {
      commands = client.connect(StringCodec.UTF8);
      pubsub = client.connectPubSub(StringCodec.UTF8);
      health = client.connect(StringCodec.UTF8);
      pubsub.addListener(messages);
      RedisCommands<String, String> sync = commands.sync();
      long sent = System.currentTimeMillis();
      clock(health.sync().time(), sent, System.currentTimeMillis());
      Map<Script, String> shas = new EnumMap<>(Script.class);
      for (Script script : Script.values()) {
        shas.put(script, sync.scriptLoad(script.source(eventsTtlMs)));
      }
      String node = nodeIds.get();
      sync.sadd(Keys.NODES, node);
      sync.pexpire(Keys.NODES, Keys.EXPIRY_MARGIN_MS);
      sync.set(Keys.alive(node), "1", SetArgs.Builder.px(NodeWatch.ALIVE_TTL_MS));
      return new Session(node, commands, pubsub, health, shas);
    } catch (RuntimeException e) {
      if (health != null) {
        health.closeAsync();
      }
      if (pubsub != null) {
        pubsub.closeAsync();
      }
      if (commands != null) {
        commands.closeAsync();
      }
      throw e;
    }
  }

  private void retryLater() {
    if (stopped) {
      return;
    }
    try {
      timers.schedule(
          () -> {
            try {
              blocking.execute(this::attempt);
            } catch (RejectedExecutionException stopping) {
              // The node is stopping.
            }
          },
          RETRY_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // The node is stopping.
    }
  }

  private static void closeQuietly(Session s) {
    s.health().closeAsync();
    s.pubsub().closeAsync();
    s.commands().closeAsync();
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
