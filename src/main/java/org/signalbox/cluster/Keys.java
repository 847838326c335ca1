package org.signalbox.cluster;

import org.signalbox.config.Settings;

/**
 * Names in Redis. A room's keys and channels share the hash tag {@code {room}} (room names never
 * contain braces), so a Redis Cluster keeps each room on one shard and its scripts may publish
 * on its channels with {@code SPUBLISH}. Node bookkeeping is outside any room.
 */
final class Keys {

  private static final String PREFIX = "sb:";

  /** Every node id registered and not yet reaped. */
  static final String NODES = PREFIX + "nodes";

  /**
   * Rooms with room events waiting for a pump, scored by when their work is due (Redis's ms
   * clock). Outside any room's hash tag: one Redis, not a Redis Cluster.
   */
  static final String EVENTS = PREFIX + "events";

  /**
   * How long a room's undelivered events (and {@link #EVENTS}) live after the last event or
   * delivery attempt: with webhooks, an hour beyond {@code webhookRetryHours}, so that an event is
   * given up by the pumps rather than lost to an expiry; without, as long as the room's own keys,
   * since then only the listeners wait for them.
   */
  static long eventsTtlMs(Settings settings) {
    long roomKeys = settings.resumeGraceMs() + EXPIRY_MARGIN_MS;
    if (!settings.webhooksEnabled()) {
      return roomKeys;
    }
    return Math.max(roomKeys, (settings.webhookRetryHours() + 1) * 3_600_000L);
  }

  /** Graces by deadline: members {@code room \n peer \n epoch}, scores in Redis's ms clock. */
  static final String GRACES = PREFIX + "graces";

  /**
   * Every key a room or a node leaves in Redis expires by itself this long after the last thing
   * that referred to it: a room's keys a grace plus this after the last script or refresh that
   * kept them, a grace's buffer this after the grace's deadline, a node's bookkeeping this after
   * its last refresh. Four times {@link NodeWatch#KEEP_MS}, so a live node refreshes each key
   * several times before it could expire.
   */
  static final long EXPIRY_MARGIN_MS = 60_000;

  private Keys() {}

  static String members(String room) {
    return PREFIX + "{" + room + "}:m";
  }

  static String tokens(String room) {
    return PREFIX + "{" + room + "}:t";
  }

  static String sequence(String room) {
    return PREFIX + "{" + room + "}:s";
  }

  /** The room's events, oldest first (JSON, each with its seq). */
  static String events(String room) {
    return PREFIX + "{" + room + "}:e";
  }

  /** The delivery state of a room's oldest event, and how far the listeners have the others. */
  static String eventState(String room) {
    return PREFIX + "{" + room + "}:h";
  }

  /** Held by the one pump that works on a room's events. */
  static String eventLease(String room) {
    return PREFIX + "{" + room + "}:l";
  }

  /** When the room's first member joined. */
  static String created(String room) {
    return PREFIX + "{" + room + "}:c";
  }

  /** The channel on which {@code node} hears about {@code room}. */
  static String channel(String room, String node) {
    return PREFIX + "{" + room + "}:n:" + node;
  }

  /** The room a channel of {@link #channel} belongs to. */
  static String roomOf(String channel) {
    return channel.substring(channel.indexOf('{') + 1, channel.indexOf('}'));
  }

  /** Expires a few heartbeats after the node stopped refreshing it. */
  static String alive(String node) {
    return PREFIX + "alive:" + node;
  }

  /** The rooms where {@code node} has (or had) members: what a survivor looks at when it dies. */
  static String roomsOf(String node) {
    return PREFIX + "rooms:" + node;
  }

  /** Held by the one survivor that hands a dead node's members to their grace. */
  static String reaping(String node) {
    return PREFIX + "reaping:" + node;
  }
}
