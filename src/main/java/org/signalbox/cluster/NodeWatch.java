package org.signalbox.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Liveness across the cluster, run by every node on its timer without blocking it (every call
 * is asynchronous). Each node refreshes its own key in every partition ({@link Keys}); a node
 * whose key in a partition expired is dead there, and the first survivor to claim it hands its
 * active members in that partition's rooms to their grace. Every node also ends the graces that
 * ran out, whoever began them: a grace outlives the node that began it. On a Redis Cluster all
 * of it works partition by partition, so a shard that is away for a while (a failover) delays
 * its own partitions only.
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
  private final Keys keys;
  /** Dead nodes already announced in the log (one line per node, not one per partition). */
  private final Set<String> announced = ConcurrentHashMap.newKeySet();
  /**
   * The nodes the last tick found alive, this one included, and when (System.nanoTime): they
   * share the partitions' chores ({@link #owns}).
   */
  private volatile Sharing sharing = new Sharing(List.of(), 0);

  private record Sharing(List<String> nodes, long at) {}
  private final ScheduledExecutorService timers;
  private final long graceMs;
  private final ClusterMetrics metrics;
  /** The rooms this node serves a member of now. */
  private final Supplier<Collection<String>> rooms;

  NodeWatch(RedisConnector connector, ScheduledExecutorService timers, long graceMs,
      ClusterMetrics metrics, Supplier<Collection<String>> rooms) {
    this.connector = connector;
    this.keys = connector.keys();
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
      String graces = Keys.graces(keys.partition(room));
      s.redis().zadd(graces, (double) deadline, graceEntry(room, peer, epoch));
      s.redis().pexpire(graces, graceMs + Keys.EXPIRY_MARGIN_MS);
    } catch (RuntimeException refused) {
      // The session is ending; the next one reaps this node's old id, which indexes the grace.
    } finally {
      NettyThreadState.release();
    }
  }

  /** Reaps a node id this node used before its session ended, without waiting for its TTL. */
  void reapNow(RedisConnector.Session s, String previous) {
    for (String partition : keys.partitions()) {
      s.redis().del(Keys.alive(partition, previous));
      claimAndReap(s, partition, previous, false);
    }
  }

  /**
   * Says on the health connection that this node is alive in {@code partition} (registering it
   * there), and returns two lists: the other nodes registered there whose liveness expired, and
   * those whose liveness is current.
   */
  static CompletableFuture<Object> watch(RedisConnector.Session s, String partition) {
    try {
      return s.healthCommands().<Object>evalsha(s.sha(Script.WATCH), ScriptOutputType.MULTI,
              new String[] {Keys.nodes(partition)}, s.node(), Long.toString(ALIVE_TTL_MS),
              Long.toString(Keys.EXPIRY_MARGIN_MS))
          .toCompletableFuture();
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    } finally {
      NettyThreadState.release();
    }
  }

  private void tick() {
    RedisConnector.Session s = connector.sessionOrNull();
    if (s == null) {
      return;
    }
    health(s);
    List<String> partitions = keys.partitions();
    List<CompletableFuture<Object>> watched = new ArrayList<>(partitions.size());
    for (String partition : partitions) {
      watched.add(watch(s, partition));
    }
    // A shard that stalls must not hold up the others' reaping: what has not answered within a
    // period says nothing this time. (The node's own timer, not completeOnTimeout: the JDK's
    // delay thread would outlive the application, which Tomcat reports as a leak.)
    CompletableFuture<Void> settled = new CompletableFuture<>();
    CompletableFuture.allOf(watched.toArray(CompletableFuture[]::new))
        .whenComplete((ok, failure) -> settled.complete(null));
    timers.schedule(() -> settled.complete(null), PERIOD_MS, TimeUnit.MILLISECONDS);
    settled.thenRun(() -> reapTheGone(s, partitions, watched));
  }

  /**
   * Reaps, in each partition that found it dead, every node that no partition found alive. On a
   * Redis Cluster a shard that failed over may have lost a live node's keys (they are refreshed
   * every second, and replicated asynchronously); that node still has its keys on the other
   * shards, and hands its own members on that shard to their grace itself (its channels there
   * dropped). A shard that did not answer says nothing either way.
   */
  private void reapTheGone(RedisConnector.Session s, List<String> partitions,
      List<CompletableFuture<Object>> watched) {
    Map<String, List<String>> deadIn = new HashMap<>();
    Set<String> aliveSomewhere = new HashSet<>();
    Throwable failed = null;
    for (int i = 0; i < partitions.size(); i++) {
      CompletableFuture<Object> answer = watched.get(i);
      if (!answer.isDone()) {
        continue;
      }
      if (answer.isCompletedExceptionally()) {
        failed = answer.handle((v, e) -> e).join();
        continue;
      }
      List<?> lists = (List<?>) answer.join();
      for (Object dead : (List<?>) lists.get(0)) {
        deadIn.computeIfAbsent((String) dead, d -> new ArrayList<>()).add(partitions.get(i));
      }
      for (Object alive : (List<?>) lists.get(1)) {
        aliveSomewhere.add((String) alive);
      }
    }
    if (failed != null && !connector.sharded()) {
      // One Redis that fails it serves no one.
      connector.lost(s, "liveness refresh failed: " + RedisConnector.rootMessage(failed));
      return;
    }
    aliveSomewhere.add(s.node());
    sharing = new Sharing(List.copyOf(aliveSomewhere), System.nanoTime());
    deadIn.forEach((node, where) -> {
      if (!aliveSomewhere.contains(node)) {
        for (String partition : where) {
          claimAndReap(s, partition, node, true);
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
    CompletableFuture<List<String>> ping = connector.time(s);
    ping.whenComplete((time, failure) -> {
      if (failure != null) {
        connector.lost(s, "health ping failed: " + RedisConnector.rootMessage(failure));
      } else {
        metrics.roundTrip(System.nanoTime() - start);
        connector.clock(time, sentMs, System.currentTimeMillis());
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
          new String[] {keys.members(room)}, grace);
    }
    for (String partition : keys.partitions()) {
      s.redis().pexpire(Keys.roomsOf(partition, s.node()), Keys.EXPIRY_MARGIN_MS);
      s.redis().pexpire(Keys.graces(partition), graceMs + Keys.EXPIRY_MARGIN_MS);
    }
  }

  /** {@code another}: a node other than this one's earlier self, whose end is news in the log. */
  private void claimAndReap(RedisConnector.Session s, String partition, String dead,
      boolean another) {
    s.redis().set(Keys.reaping(partition, dead), s.node(), SetArgs.Builder.nx().px(REAP_CLAIM_MS))
        .thenAccept(claimed -> {
          if ("OK".equals(claimed)) {
            if (announced.add(dead)) {
              if (announced.size() > 1_024) {
                announced.clear(); // a bound; a node announced twice costs a log line
                announced.add(dead);
              }
              LOG.log(another ? Level.INFO : Level.DEBUG,
                  () -> "cluster node " + dead + " is gone: its peers begin their grace");
            }
            reap(s, partition, dead);
          }
        });
  }

  private void reap(RedisConnector.Session s, String partition, String dead) {
    s.redis().smembers(Keys.roomsOf(partition, dead)).thenAccept(rooms -> {
      for (String room : rooms) {
        RedisMembership.run(s, Script.LOSE_NODE, ScriptOutputType.MULTI,
                new String[] {keys.members(room)}, dead, Long.toString(graceMs))
            .thenAccept(out -> {
              List<?> list = (List<?>) out;
              for (int i = 0; i + 2 < list.size(); i += 3) {
                graceBegan(s, room, (String) list.get(i), String.valueOf(list.get(i + 1)),
                    (Long) list.get(i + 2));
              }
            });
      }
      // Issued after every room's script on the same connection (and to the same shard).
      s.redis().del(Keys.roomsOf(partition, dead));
      s.redis().srem(Keys.nodes(partition), dead);
    });
  }

  /**
   * Whether this node does the chores of {@code partition} (its grace sweep, its event poll): of
   * the nodes alive at the last tick, the one that {@code partition} ranks highest (rendezvous
   * hashing), so each partition has one sweeper whatever the number of nodes, and a node's
   * partitions pass to the others when it is found gone. Nodes that see the cluster differently
   * for a moment may both do a partition's chores, which is harmless (an expiry checks its
   * epoch, an event pump claims a room with a lease), or neither, for a tick. Without a recent
   * view, this node does them all.
   */
  boolean owns(String partition) {
    RedisConnector.Session s = connector.sessionOrNull();
    Sharing view = sharing;
    if (s == null || view.nodes().size() <= 1
        || System.nanoTime() - view.at() > TimeUnit.MILLISECONDS.toNanos(ALIVE_TTL_MS)) {
      return true;
    }
    return s.node().equals(owner(partition, view.nodes()));
  }

  /** Of {@code nodes}, the one that {@code partition} ranks highest. */
  static String owner(String partition, List<String> nodes) {
    String best = null;
    int bestRank = 0;
    for (String node : nodes) {
      int rank = rank(partition, node);
      if (best == null || rank > bestRank || (rank == bestRank && node.compareTo(best) > 0)) {
        best = node;
        bestRank = rank;
      }
    }
    return best;
  }

  /** A well-spread hash of the pair (MurmurHash3's finalizer), the same on every node. */
  private static int rank(String partition, String node) {
    int h = partition.hashCode() * 0x9E3779B9 ^ node.hashCode();
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }

  private void sweep() {
    RedisConnector.Session s = connector.sessionOrNull();
    if (s == null) {
      return;
    }
    for (String partition : keys.partitions()) {
      if (!owns(partition)) {
        continue;
      }
      String graces = Keys.graces(partition);
      RedisMembership.run(s, Script.DUE, ScriptOutputType.MULTI, new String[] {graces},
              Integer.toString(SWEEP_BATCH))
          .thenAccept(due -> {
            for (Object entry : (List<?>) due) {
              expire(s, graces, (String) entry);
            }
          })
          .exceptionally(failure -> {
            LOG.log(Level.DEBUG,
                () -> "grace sweep failed: " + RedisConnector.rootMessage(failure));
            return null;
          });
    }
  }

  private void expire(RedisConnector.Session s, String graces, String entry) {
    String[] parts = entry.split("\n", 3);
    String room = parts[0];
    RedisMembership.run(s, Script.EXPIRE, ScriptOutputType.VALUE,
            new String[] {keys.members(room), keys.tokens(room)}, parts[1], parts[2])
        .thenAccept(answer -> {
          if (!"later".equals(answer)) {
            s.redis().zrem(graces, entry);
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
