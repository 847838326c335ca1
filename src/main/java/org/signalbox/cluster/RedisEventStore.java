package org.signalbox.cluster;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.signalbox.events.EventStore;
import org.signalbox.spi.RoomEvent;

/**
 * The cluster's room events, in Redis: each room's events in a list that the scripts which change
 * the room append to, and an index per partition ({@link Keys}) of rooms with events scored by
 * when their work is due. A pump
 * claims a room with a lease ({@code claim.lua}), so exactly one node works on each attempt; a
 * node that dies mid-attempt leaves a lease that runs out, and another node repeats the attempt
 * (at least once, as PORTAL.md says). Nothing is lost with a node: the events are in Redis.
 */
final class RedisEventStore implements EventStore {

  /**
   * A claim's lease: longer than a delivery attempt can take (10 s per receiver, all in
   * parallel), so a live node always settles within it.
   */
  static final long LEASE_MS = 20_000;

  /** Fresh events handed to the listeners per claim. */
  private static final int FRESH_PER_CLAIM = 64;

  private final RedisConnector connector;
  private final Keys keys;
  /** Whether this node polls a partition's index (NodeWatch#owns): one node per partition. */
  private final Predicate<String> owns;
  /** Names this node's leases; unique per node start. */
  private final String leaseId;
  private final JsonProvider json;
  /** How long the room's events and their state live after this attempt (Keys.eventsTtlMs). */
  private final long ttlMs;

  RedisEventStore(RedisConnector connector, Predicate<String> owns, String leaseId,
      JsonProvider json, long ttlMs) {
    this.owns = owns;
    this.ttlMs = ttlMs;
    this.connector = connector;
    this.keys = connector.keys();
    this.leaseId = leaseId;
    this.json = json;
  }

  @Override
  public List<String> due(long now, int max) {
    RedisConnector.Session session = connector.sessionOrNull();
    if (session == null) {
      return List.of();
    }
    // Scored by Redis's clock, like everything the scripts write: ask for what is due by it. All
    // this node's partitions at once; a shard that does not answer now is asked again at the
    // next round.
    List<CompletableFuture<List<String>>> asked = new ArrayList<>();
    for (String partition : keys.partitions()) {
      if (!owns.test(partition)) {
        continue;
      }
      try {
        asked.add(session.redis().zrangebyscore(Keys.eventsIndex(partition),
                Range.create(Double.NEGATIVE_INFINITY, (double) now + 1), Limit.create(0, max))
            .toCompletableFuture()
            .exceptionally(failure -> List.of()));
      } catch (RuntimeException refused) {
        break;
      } finally {
        NettyThreadState.release();
      }
    }
    List<String> due = new ArrayList<>();
    for (CompletableFuture<List<String>> rooms : asked) {
      for (String room : Blocking.await(rooms)) {
        if (due.size() < max) {
          due.add(room);
        }
      }
    }
    return due;
  }

  @Override
  public Claim claim(String room, long now) {
    RedisConnector.Session session = connector.sessionOrNull();
    if (session == null) {
      return null;
    }
    Object answer = Blocking.await(RedisMembership.run(session, Script.CLAIM, ScriptOutputType.MULTI,
        keys(room), room, leaseId, Long.toString(LEASE_MS), Integer.toString(FRESH_PER_CLAIM)));
    if (!(answer instanceof List<?> parts) || parts.size() < 5) {
      return null;
    }
    long announced = Long.parseLong((String) parts.get(0));
    int attempts = Integer.parseInt((String) parts.get(1));
    long first = Long.parseLong((String) parts.get(2));
    Set<Integer> done = parseDone((String) parts.get(3));
    String headJson = (String) parts.get(4);
    Stored head = headJson.isEmpty() ? null : decode(headJson);
    List<Stored> fresh = new ArrayList<>();
    for (int i = 5; i < parts.size(); i++) {
      fresh.add(decode((String) parts.get(i)));
    }
    return new Claim(room, fresh, head, attempts, first, done, leaseId);
  }

  @Override
  public void settle(Claim claim, Settlement s) {
    RedisConnector.Session session = connector.sessionOrNull();
    if (session == null) {
      return; // the lease runs out and the work is done again
    }
    String room = claim.room();
    String outcome = switch (s.head()) {
      case NONE -> "none";
      case FINISHED -> "finished";
      case RETRY -> "retry";
    };
    Blocking.await(RedisMembership.run(session, Script.SETTLE, ScriptOutputType.VALUE, keys(room), room,
        leaseId, Long.toString(s.announcedThrough()), outcome,
        claim.head() == null ? "-1" : Long.toString(claim.head().seq()),
        Integer.toString(s.attempts()), Long.toString(s.firstAttemptAt()),
        s.done().stream().map(String::valueOf).collect(Collectors.joining(",")),
        Long.toString(s.retryAt()), s.dropAnnounced() ? "1" : "0",
        Long.toString(ttlMs)));
  }

  private String[] keys(String room) {
    return new String[] {keys.events(room), keys.eventState(room), keys.eventLease(room),
        Keys.eventsIndex(keys.partition(room))};
  }

  private static Set<Integer> parseDone(String csv) {
    if (csv == null || csv.isEmpty()) {
      return Set.of();
    }
    return Arrays.stream(csv.split(",")).map(Integer::valueOf).collect(Collectors.toCollection(HashSet::new));
  }

  /** An event as emit() in prelude.lua wrote it. */
  Stored decode(String text) {
    JsonObject e;
    try (var reader = json.createReader(new StringReader(text))) {
      e = reader.readObject();
    }
    String id = e.getString("id");
    long at = e.getJsonNumber("at").longValue();
    long seq = e.getJsonNumber("seq").longValue();
    JsonObject d = e.getJsonObject("data");
    String room = d.getString("room");
    RoomEvent event = switch (e.getString("type")) {
      case "room.started" -> new RoomEvent.RoomStarted(id, room, at);
      case "peer.joined" -> new RoomEvent.PeerJoined(id, room, at, d.getString("peerId"),
          d.getString("name"), d.getString("identity", null));
      case "peer.lost" -> new RoomEvent.PeerLost(id, room, at, d.getString("peerId"));
      case "peer.resumed" -> new RoomEvent.PeerResumed(id, room, at, d.getString("peerId"));
      case "peer.left" -> new RoomEvent.PeerLeft(id, room, at, d.getString("peerId"),
          d.getString("reason"));
      case "room.finished" -> new RoomEvent.RoomFinished(id, room, at,
          d.getJsonNumber("durationMs").longValue());
      default -> throw new IllegalStateException("unknown room event " + e.getString("type"));
    };
    return new Stored(seq, event);
  }

}
