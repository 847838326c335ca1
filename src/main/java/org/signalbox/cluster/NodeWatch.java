package org.signalbox.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Liveness across the cluster, run by every node on its timer without blocking it (every call
 * is asynchronous). Each node refreshes its own key; a node whose key expired is dead, and the
 * first survivor to claim it hands its active members to their grace. Every node also ends the
 * graces that ran out, whoever began them: a grace outlives the node that began it.
 */
final class NodeWatch {

  private static final System.Logger LOG = System.getLogger(NodeWatch.class.getName());

  /** How often a node says it is alive and looks for dead ones. */
  static final long PERIOD_MS = 1_000;
  /** Three missed refreshes: a node is dead within 3–4 s of its last one. */
  static final long ALIVE_TTL_MS = 3 * PERIOD_MS;
  /** How often graces are checked: a grace ends at most this late. */
  static final long SWEEP_MS = 500;
  /** Graces ended per sweep, so one sweep stays short. */
  private static final int SWEEP_BATCH = 100;
  /** One survivor reaps a dead node; another takes over if it died meanwhile. */
  private static final long REAP_CLAIM_MS = 10_000;
  /**
   * How often a node keeps the keys it refers to from expiring: its rooms', its own bookkeeping,
   * the shared node set and grace index. A quarter of {@link Keys#EXPIRY_MARGIN_MS}.
   */
  static final long KEEP_MS = Keys.EXPIRY_MARGIN_MS / 4;

  private final RedisConnector connector;
  private final ScheduledExecutorService timers;
  private final long graceMs;
  private final ClusterMetrics metrics;
  /** The rooms this node serves a member of now. */
  private final Supplier<Collection<String>> rooms;

  NodeWatch(RedisConnector connector, ScheduledExecutorService timers, long graceMs,
      ClusterMetrics metrics, Supplier<Collection<String>> rooms) {
    this.connector = connector;
    this.timers = timers;
    this.graceMs = graceMs;
    this.metrics = metrics;
    this.rooms = rooms;
  }

  void start() {
    try {
      TimeUnit ms = TimeUnit.MILLISECONDS;
      timers.scheduleWithFixedDelay(guarded(this::tick), PERIOD_MS, PERIOD_MS, ms);
      timers.scheduleWithFixedDelay(guarded(this::sweep), SWEEP_MS, SWEEP_MS, ms);
      timers.scheduleWithFixedDelay(guarded(this::keep), KEEP_MS, KEEP_MS, ms);
    } catch (RejectedExecutionException stopping) {
      // The node is stopping.
    }
  }

  /**
   * Indexes a grace so that any node can end it when it runs out. The score is a first guess at
   * the deadline (the script's own, by Redis's clock, is the truth): a grace found not yet due
   * stays in the index and is looked at again.
   */
  void graceBegan(RedisConnector.Session s, String room, String peer, String epoch, long deadline) {
    try {
      s.redis().zadd(Keys.GRACES, (double) deadline, graceEntry(room, peer, epoch));
      s.redis().pexpire(Keys.GRACES, graceMs + Keys.EXPIRY_MARGIN_MS);
    } catch (RuntimeException refused) {
      // The session is ending; the next one reaps this node's old id, which indexes the grace.
    } finally {
      NettyThreadState.release();
    }
  }

  /** Reaps a node id this node used before its session ended, without waiting for its TTL. */
  void reapNow(RedisConnector.Session s, String previous) {
    s.redis().del(Keys.alive(previous));
    claimAndReap(s, previous, false);
  }

  private void tick() {
    RedisConnector.Session s = connector.sessionOrNull();
    if (s == null) {
      return;
    }
    health(s);
    s.redis().smembers(Keys.NODES).thenAccept(nodes -> {
      for (String other : nodes) {
        if (!other.equals(s.node())) {
          s.redis().exists(Keys.alive(other)).thenAccept(alive -> {
            if (alive == 0) {
              claimAndReap(s, other, true);
            }
          });
        }
      }
    });
  }

  /**
   * The health ping ({@code TIME}, which also gives Redis's clock) and the liveness refresh, on
   * the session's health connection: Redis that fails them or leaves the ping unanswered for
   * {@link RedisConnector#HEALTH_TIMEOUT} does not serve this node, and only then does the session
   * end. Relays, however many or slow, queue on another connection and never delay them.
   */
  private void health(RedisConnector.Session s) {
    long start = System.nanoTime();
    long sentMs = System.currentTimeMillis();
    CompletableFuture<List<String>> ping = s.healthCommands().time().toCompletableFuture();
    ping.whenComplete((time, failure) -> {
      if (failure != null) {
        connector.lost(s, "health ping failed: " + RedisConnector.rootMessage(failure));
      } else {
        metrics.roundTrip(System.nanoTime() - start);
        connector.clock(time, sentMs, System.currentTimeMillis());
      }
    });
    s.healthCommands().set(Keys.alive(s.node()), "1", SetArgs.Builder.px(ALIVE_TTL_MS))
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            connector.lost(s, "liveness refresh failed: " + RedisConnector.rootMessage(failure));
          }
        });
    timers.schedule(() -> {
      if (!ping.isDone()) {
        connector.lost(s, "health ping unanswered for " + RedisConnector.HEALTH_TIMEOUT.toMillis()
            + " ms");
      }
    }, RedisConnector.HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Keeps what this node refers to from expiring (Keys#EXPIRY_MARGIN_MS): the keys of the rooms
   * it serves, its room list, the node set and the grace index. A node that dies stops doing it,
   * and what no survivor cleans up expires by itself.
   */
  private void keep() {
    RedisConnector.Session s = connector.sessionOrNull();
    if (s == null) {
      return;
    }
    String grace = Long.toString(graceMs);
    for (String room : rooms.get()) {
      RedisMembership.run(s, Script.TOUCH, ScriptOutputType.VALUE,
          new String[] {Keys.members(room)}, grace);
    }
    s.redis().pexpire(Keys.roomsOf(s.node()), Keys.EXPIRY_MARGIN_MS);
    s.redis().pexpire(Keys.NODES, Keys.EXPIRY_MARGIN_MS);
    s.redis().pexpire(Keys.GRACES, graceMs + Keys.EXPIRY_MARGIN_MS);
  }

  /** {@code another}: a node other than this one's earlier self, whose end is news in the log. */
  private void claimAndReap(RedisConnector.Session s, String dead, boolean another) {
    s.redis().set(Keys.reaping(dead), s.node(), SetArgs.Builder.nx().px(REAP_CLAIM_MS))
        .thenAccept(claimed -> {
          if ("OK".equals(claimed)) {
            LOG.log(another ? Level.INFO : Level.DEBUG,
                () -> "cluster node " + dead + " is gone: its peers begin their grace");
            reap(s, dead);
          }
        });
  }

  private void reap(RedisConnector.Session s, String dead) {
    s.redis().smembers(Keys.roomsOf(dead)).thenAccept(rooms -> {
      for (String room : rooms) {
        RedisMembership.run(s, Script.LOSE_NODE, ScriptOutputType.MULTI,
                new String[] {Keys.members(room)}, dead, Long.toString(graceMs))
            .thenAccept(out -> {
              List<?> list = (List<?>) out;
              for (int i = 0; i + 2 < list.size(); i += 3) {
                graceBegan(s, room, (String) list.get(i), String.valueOf(list.get(i + 1)),
                    (Long) list.get(i + 2));
              }
            });
      }
      // Issued after every room's script on the same connection.
      s.redis().del(Keys.roomsOf(dead));
      s.redis().srem(Keys.NODES, dead);
    });
  }

  private void sweep() {
    RedisConnector.Session s = connector.sessionOrNull();
    if (s == null) {
      return;
    }
    RedisMembership.run(s, Script.DUE, ScriptOutputType.MULTI, new String[] {Keys.GRACES},
            Integer.toString(SWEEP_BATCH))
        .thenAccept(due -> {
          for (Object entry : (List<?>) due) {
            expire(s, (String) entry);
          }
        })
        .exceptionally(failure -> {
          LOG.log(Level.DEBUG, () -> "grace sweep failed: " + RedisConnector.rootMessage(failure));
          return null;
        });
  }

  private void expire(RedisConnector.Session s, String entry) {
    String[] parts = entry.split("\n", 3);
    String room = parts[0];
    RedisMembership.run(s, Script.EXPIRE, ScriptOutputType.VALUE,
            new String[] {Keys.members(room), Keys.tokens(room)}, parts[1], parts[2])
        .thenAccept(answer -> {
          if (!"later".equals(answer)) {
            s.redis().zrem(Keys.GRACES, entry);
          }
        });
  }

  // A periodic task that throws is never run again: a command refused on the spot (the
  // connection closing under it) must not end the node's liveness for good.
  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, () -> "cluster watch: " + RedisConnector.rootMessage(e));
      }
    };
  }

  private static String graceEntry(String room, String peer, String epoch) {
    return room + "\n" + peer + "\n" + epoch;
  }
}
