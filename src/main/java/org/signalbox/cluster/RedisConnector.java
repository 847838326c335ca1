package org.signalbox.cluster;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.signalbox.config.RedisUrl;
import org.signalbox.room.Membership;

/**
 * The node's connection to Redis, as a succession of sessions. A session is the connections of a
 * {@link RedisBackend} (commands, channels, health) and one node id registered under it. On one
 * Redis, when any connection drops the session is over for good: the channels it listened on
 * saw publishes it missed, so nothing it knew can be trusted. The node then starts a new
 * session, with a new id, once Redis answers again; the old id is reaped like any dead node's.
 * Lettuce's own reconnect is off for that reason. On a Redis Cluster a shard's trouble ends only
 * the rooms whose channels were there ({@link ShardChannels}); the session ends when no shard
 * answers the health ping. Commands fail at once while no session (or no shard) is up, rather
 * than queue: a relay is answered, never held.
 *
 * <p>Whether Redis serves this node is decided on a connection of the session that carries only
 * the health ping and the node's liveness ({@link NodeWatch}), so that it never waits behind
 * relays: a session ends when that ping fails or goes unanswered for {@link #HEALTH_TIMEOUT}, or
 * (one Redis) when a connection closes, never because one command was slow. Commands have no
 * client-side timeout for the same reason (a relay that Redis runs too late is dropped by its
 * script, see {@link #RELAY_DEADLINE_MS}); a join waits for its script for a bounded time of its
 * own.
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

  /** One session: a node id and the connections that serve it. */
  record Session(String node, RedisBackend.Connections connections, Map<Script, String> shas,
      Map<Script, String> sources, boolean sharded) {

    RedisClusterAsyncCommands<String, String> redis() {
      return connections.redis();
    }

    /** The health connection: the ping and the liveness keys, never behind relays. */
    RedisClusterAsyncCommands<String, String> healthCommands() {
      return connections.healthCommands();
    }

    Channels channels() {
      return connections.channels();
    }

    String sha(Script script) {
      return shas.get(script);
    }

    String source(Script script) {
      return sources.get(script);
    }
  }

  /** What the membership does when a session begins and ends. */
  interface Listener {
    /** A session began; {@code previous} is the node id of the one before it, or null. */
    void up(Session session, String previous);

    /** The session ended: nothing it served can be trusted any more. */
    void down(Session session);
  }

  private final LettuceResources resources;
  private final RedisBackend backend;
  private final Keys keys;
  private final ScheduledExecutorService timers;
  private final ExecutorService blocking;
  private final Supplier<String> nodeIds;
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
  private int deniedAttempts;

  RedisConnector(
      String url,
      ScheduledExecutorService timers,
      ExecutorService blocking,
      Supplier<String> nodeIds,
      RedisPubSubListener<String, String> messages,
      ClusterMetrics metrics,
      long eventsTtlMs,
      Consumer<List<String>> channelsLost) {
    this.eventsTtlMs = eventsTtlMs;
    this.timers = timers;
    this.blocking = blocking;
    this.nodeIds = nodeIds;
    this.metrics = metrics;
    // One I/O thread per connection of a session (they are opened one after the other, and Netty
    // hands them threads in turn), so the health ping is never read behind a queue of relays; the
    // cluster path does no blocking work on them.
    this.resources = new LettuceResources(3, 2);
    RedisUrl parsed = RedisUrl.parse(url);
    RedisBackend.Events events = new RedisBackend.Events() {
      @Override
      public void sessionConnectionClosed(Object connection) {
        Session s = current.get();
        if (s != null && s.connections().dependsOn(connection)) {
          lost(s, "connection closed");
        }
      }

      @Override
      public void channelsLost(List<String> channels) {
        channelsLost.accept(channels);
      }
    };
    this.backend = parsed.cluster()
        ? new ShardedRedis(parsed, resources.resources(), messages, events)
        : new OneRedis(parsed, resources.resources(), messages, events);
    this.keys = new Keys(backend.partitions());
  }

  /** The names of keys and channels, for as many partitions as this Redis has. */
  Keys keys() {
    return keys;
  }

  /** True on a Redis Cluster: a shard's trouble is its rooms', not the whole node's. */
  boolean sharded() {
    return backend.sharded();
  }

  /** Redis's {@code TIME}: from the one Redis, or the first shard that answers. */
  CompletableFuture<List<String>> time(Session session) {
    return backend.time(session.connections());
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
    return backend.where();
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
    session.connections().close();
    retryLater();
    NettyThreadState.release(); // may run on a container's thread (a join that timed out)
  }

  void stop() {
    stopped = true;
    Session s = current.getAndSet(null);
    if (s != null) {
      // A clean stop: the node's members begin their grace at once instead of after the TTL.
      List<CompletableFuture<Long>> unregistered = new ArrayList<>();
      for (String partition : keys.partitions()) {
        try {
          unregistered.add(
              s.redis().del(Keys.alive(partition, s.node())).toCompletableFuture());
        } catch (RuntimeException e) {
          break;
        }
      }
      try {
        CompletableFuture.allOf(unregistered.toArray(CompletableFuture[]::new))
            .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(Level.DEBUG, () -> "could not unregister node " + s.node() + ": " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s.connections().close();
    }
    backend.shutdown();
    resources.shutdown();
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
      if (rootMessage(e).contains("NOPERM")) {
        // Reachable, but the ACL user may not do what Signalbox needs: said at every attempt
        // (each second would flood the log; the first and then every minute).
        if (!unreachableLogged || ++deniedAttempts % 60 == 0) {
          unreachableLogged = true;
          LOG.log(Level.ERROR, () -> "Redis at " + where() + " refuses a command Signalbox"
              + " needs (" + rootMessage(e) + "): grant the ACL that docs/cluster.md lists;"
              + " this node refuses connections with 1013 meanwhile and tries again every "
              + RETRY_MS + " ms");
        }
        retryLater();
        return;
      }
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
    RedisBackend.Connections connections = backend.open();
    try {
      long sent = System.currentTimeMillis();
      List<String> time =
          backend.time(connections).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      clock(time, sent, System.currentTimeMillis());
      Map<Script, String> sources = new EnumMap<>(Script.class);
      Map<Script, String> shas = new EnumMap<>(Script.class);
      for (Script script : Script.values()) {
        String source = script.source(eventsTtlMs);
        sources.put(script, source);
        // On a Redis Cluster this loads the script on every master.
        shas.put(script, connections.redis().scriptLoad(source)
            .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      }
      String node = nodeIds.get();
      Session session = new Session(node, connections, shas, sources, sharded());
      probe(session);
      // Registered in every partition before the first join, so that a survivor finds it.
      List<CompletableFuture<Object>> registered = new ArrayList<>();
      for (String partition : keys.partitions()) {
        registered.add(NodeWatch.watch(session, partition));
      }
      CompletableFuture.allOf(registered.toArray(CompletableFuture[]::new))
          .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return session;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connections.close();
      throw new Membership.Unavailable("interrupted");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      connections.close();
      throw e instanceof RuntimeException r ? r
          : new Membership.Unavailable(rootMessage(e));
    }
  }

  /**
   * Runs every command the node needs once (the scripts' and its own, and a subscription), so that
   * a Redis ACL user that lacks one fails now, with Redis naming it, rather than on some join.
   */
  private void probe(Session session)
      throws InterruptedException, ExecutionException, TimeoutException {
    String partition = keys.partitions().get(0);
    String[] probeKey = {partition + "probe:" + session.node()};
    long wait = COMMAND_TIMEOUT.toMillis();
    session.redis().evalsha(session.sha(Script.PROBE), ScriptOutputType.VALUE, probeKey)
        .get(wait, TimeUnit.MILLISECONDS);
    if (session.sharded()) {
      // A promoted replica's missing script is run with EVAL.
      session.redis().eval(session.source(Script.PROBE), ScriptOutputType.VALUE, probeKey)
          .get(wait, TimeUnit.MILLISECONDS);
    }
    session.redis().scan(ScanArgs.Builder.matches(partition + "probe:*").limit(1))
        .get(wait, TimeUnit.MILLISECONDS);
    String channel = keys.channel("~probe", session.node());
    session.channels().subscribe(channel).get(wait, TimeUnit.MILLISECONDS);
    session.channels().unsubscribe(channel);
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

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
