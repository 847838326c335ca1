package org.signalbox.cluster;

import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import org.signalbox.config.Settings;

/**
 * Names in Redis. Rooms are spread over a fixed number of partitions, and every key and channel
 * of a room, and every index that spans rooms, carries its partition's hash tag {@code {p}}: a
 * Redis Cluster keeps a partition on one shard, so a room's scripts may touch its partition's
 * indexes and publish on its channels ({@code SPUBLISH}) in one atomic step, and nothing any
 * node does spans two shards. One Redis has one partition; a Redis Cluster {@link
 * #CLUSTER_PARTITIONS}.
 *
 * <p>Per partition: the nodes registered there, each node's liveness and rooms, the graces by
 * deadline and the rooms with events due. So liveness and grace expiry work shard by shard: a
 * shard that fails over touches the rooms of its partitions and no others.
 */
final class Keys {

  private static final String PREFIX = "sb:";

  /**
   * Partitions on a Redis Cluster: as many as slots are spread evenly enough over tens of shards
   * (each shard gets 256 / shards of them, give or take the square root), and few enough that a
   * node's periodic work per partition (liveness, grace sweep, event poll) stays a few hundred
   * cheap commands a second.
   */
  static final int CLUSTER_PARTITIONS = 256;

  /**
   * Every key a room or a node leaves in Redis expires by itself this long after the last thing
   * that referred to it: a room's keys a grace plus this after the last script or refresh that
   * kept them, a grace's buffer this after the grace's deadline, a node's bookkeeping this after
   * its last refresh. Four times {@link NodeWatch#KEEP_MS}, so a live node refreshes each key
   * several times before it could expire.
   */
  static final long EXPIRY_MARGIN_MS = 60_000;

  private final List<String> partitions;

  /** {@code count} partitions: 1 on one Redis, {@link #CLUSTER_PARTITIONS} on a Redis Cluster. */
  Keys(int count) {
    List<String> tags = new ArrayList<>(count);
    for (int p = 0; p < count; p++) {
      tags.add(PREFIX + "{" + p + "}:");
    }
    this.partitions = List.copyOf(tags);
  }

  /** The prefix {@code sb:{p}:} of every partition, in order. */
  List<String> partitions() {
    return partitions;
  }

  /** The prefix of the partition that holds {@code room}. */
  String partition(String room) {
    return partitions.size() == 1
        ? partitions.get(0)
        : partitions.get(SlotHash.getSlot(room) % partitions.size());
  }

  /**
   * How long a room's undelivered events (and its partition's index of them) live after the last
   * event or delivery attempt: with webhooks, an hour beyond {@code webhookRetryHours}, so that an
   * event is given up by the pumps rather than lost to an expiry; without, as long as the room's
   * own keys, since then only the listeners wait for them.
   */
  static long eventsTtlMs(Settings settings) {
    long roomKeys = settings.resumeGraceMs() + EXPIRY_MARGIN_MS;
    if (!settings.webhooksEnabled()) {
      return roomKeys;
    }
    return Math.max(roomKeys, (settings.webhookRetryHours() + 1) * 3_600_000L);
  }

  // ---- A room's keys and channels: sb:{p}:r:<room>:<what>. Room names never contain braces.

  private String room(String room) {
    return partition(room) + "r:" + room + ":";
  }

  String members(String room) {
    return room(room) + "m";
  }

  String tokens(String room) {
    return room(room) + "t";
  }

  String sequence(String room) {
    return room(room) + "s";
  }

  /** The room's events, oldest first (JSON, each with its seq). */
  String events(String room) {
    return room(room) + "e";
  }

  /** The delivery state of a room's oldest event, and how far the listeners have the others. */
  String eventState(String room) {
    return room(room) + "h";
  }

  /** Held by the one pump that works on a room's events. */
  String eventLease(String room) {
    return room(room) + "l";
  }

  /** When the room's first member joined. */
  String created(String room) {
    return room(room) + "c";
  }

  /** The channel on which {@code node} hears about {@code room}. */
  String channel(String room, String node) {
    return room(room) + "n:" + node;
  }

  /** The room a channel of {@link #channel} belongs to (node ids never contain a colon). */
  static String roomOf(String channel) {
    return channel.substring(channel.indexOf("}:r:") + 4, channel.lastIndexOf(":n:"));
  }

  /** The room a member hash of {@link #members} belongs to. */
  static String roomOfMembers(String key) {
    return key.substring(key.indexOf("}:r:") + 4, key.length() - 2);
  }

  /** What SCAN matches to find every room's member hash. */
  static final String MEMBERS_PATTERN = PREFIX + "{*}:r:*:m";

  // ---- A partition's bookkeeping, each under the partition's prefix.

  /** Every node id registered in the partition and not yet reaped there. */
  static String nodes(String partition) {
    return partition + "nodes";
  }

  /** Expires a few heartbeats after the node stopped refreshing it in this partition. */
  static String alive(String partition, String node) {
    return partition + "alive:" + node;
  }

  /** The partition's rooms where {@code node} has (or had) members: what a survivor reaps. */
  static String roomsOf(String partition, String node) {
    return partition + "rooms:" + node;
  }

  /** Held by the one survivor that hands a dead node's members in the partition to their grace. */
  static String reaping(String partition, String node) {
    return partition + "reaping:" + node;
  }

  /** The partition's graces by deadline: members {@code room \n peer \n epoch}, Redis's ms clock. */
  static String graces(String partition) {
    return partition + "graces";
  }

  /** The partition's rooms with room events waiting for a pump, scored by when they are due. */
  static String eventsIndex(String partition) {
    return partition + "events";
  }
}
