package org.signalbox.cluster;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * This node's replica of one room of the cluster, kept while the node serves a member of it. The
 * room itself lives in Redis; the replica is built from the snapshot that comes with this node's
 * first join and then follows the room's events, which every node receives in one order. It
 * answers what a relay needs without a round trip (is the target a member; does this node serve
 * it) and holds the links of the members this node serves.
 *
 * <p>{@link #members} and {@link #locals} are guarded by this object's monitor; every frame this
 * node queues for the room's members is queued holding it, and every script that relays for a
 * local sender is issued holding it, so a route that changes (a member lost here, moved in by a
 * resume) changes between two relays, never during one. {@link #interest}, {@link #subscribed}
 * and {@link #lost} are guarded by the membership's subscription lock.
 */
final class ClusterRoom {

  final String name;
  final RedisConnector.Session session;
  final String membersKey;
  final String tokensKey;
  private final String channel;

  /** The room's members (this node's and others', in grace or not); valid once {@link #loaded}. */
  final Set<String> members = new LinkedHashSet<>();
  /** The members this node serves, by id. */
  final Map<String, ClusterMember> locals = new HashMap<>();
  /** False until this node's first join brings the room's snapshot. */
  boolean loaded;

  /** Joins in progress and members served here: the channel is listened to while above 0. */
  int interest;
  CompletableFuture<Void> subscribed;
  /**
   * Redis stopped delivering the channel (a shard failed over, a slot moved): the room was given
   * up, and a newer replica of it may hold the same channel; this one must not unsubscribe it.
   */
  boolean lost;

  ClusterRoom(String name, RedisConnector.Session session, Keys keys) {
    this.name = name;
    this.session = session;
    this.membersKey = keys.members(name);
    this.tokensKey = keys.tokens(name);
    this.channel = keys.channel(name, session.node());
  }

  String channel() {
    return channel;
  }

  /** Caller holds the monitor. Members that are not served here (other nodes', or in grace). */
  boolean allLocal() {
    return members.size() == locals.size();
  }
}
