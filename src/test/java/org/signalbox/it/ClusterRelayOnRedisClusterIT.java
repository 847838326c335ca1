package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.RedisCluster;
import org.signalbox.testing.TestClient;

/**
 * {@link ClusterRelayIT}'s scenarios (relay, broadcast, event order, fan-in, resume across nodes,
 * the maxRoomSize race) with the nodes on a Redis Cluster of three masters and three replicas,
 * plus rooms that live on different shards at once.
 */
class ClusterRelayOnRedisClusterIT extends ClusterRelayIT {

  private static final Duration SETTLE = Duration.ofSeconds(20);

  private RedisCluster cluster;

  @Override
  ClusterStore startStore() throws Exception {
    ClusterStore store = ClusterStore.redisCluster("relay");
    cluster = (RedisCluster) store.processes();
    return store;
  }

  @Override
  String name() {
    return "cluster-relay-sharded";
  }

  /** The member hash of {@code room}: its partition's hash tag decides its shard. */
  private static String membersKey(String room) {
    return ClusterTesting.roomPrefix(room) + "m";
  }

  @Test
  void roomsOnEveryShardRelayAtOnce() throws Exception {
    // One room per master, found by the rooms' key layout and checked below against Redis.
    Map<Integer, String> roomOfMaster = new LinkedHashMap<>();
    for (int i = 0; i < 500 && roomOfMaster.size() < cluster.masterPorts().size(); i++) {
      String room = "shard-" + i;
      roomOfMaster.putIfAbsent(cluster.masterPortForSlot(RedisCluster.slotOf(membersKey(room))), room);
    }
    assertEquals(3, roomOfMaster.size(), "a room on each of the three masters");
    List<TestClient> clients = new ArrayList<>();
    try {
      Map<String, TestClient[]> pairs = new LinkedHashMap<>();
      Map<String, String[]> ids = new LinkedHashMap<>();
      for (Map.Entry<Integer, String> e : roomOfMaster.entrySet()) {
        String room = e.getValue();
        TestClient a = on(0);
        TestClient b = on(1);
        clients.add(a);
        clients.add(b);
        String aId = peerId(a.join(room, "A"));
        String bId = peerId(b.join(room, "B"));
        a.expect("peer-joined");
        assertEquals(":1", cluster.command(e.getKey(), "EXISTS", membersKey(room)),
            room + " lives on the master at port " + e.getKey());
        pairs.put(room, new TestClient[] {a, b});
        ids.put(room, new String[] {aId, bId});
      }
      // Every room's pair relays both ways at once, interleaved across the shards.
      int each = 40;
      for (int n = 0; n < each; n++) {
        for (String room : pairs.keySet()) {
          TestClient[] pair = pairs.get(room);
          String[] id = ids.get(room);
          message(pair[0], id[1], Json.createObjectBuilder().add("room", room).add("n", n).build(), null);
          message(pair[1], id[0], Json.createObjectBuilder().add("room", room).add("n", n).build(), null);
        }
      }
      for (String room : pairs.keySet()) {
        for (TestClient receiver : pairs.get(room)) {
          for (int n = 0; n < each; n++) {
            JsonObject frame = receiver.next(SETTLE);
            assertEquals("message", frame.getString("type"), frame::toString);
            assertEquals(room, frame.getJsonObject("data").getString("room"), "rooms do not mix");
            assertEquals(n, frame.getJsonObject("data").getInt("n"), "in order, each once");
          }
          assertEquals(List.of(), untilPong(receiver, "done-" + room), "nothing more, no error");
        }
      }
      for (int node = 0; node < 2; node++) {
        assertTrue(nodes.metric(node, "signalbox_cluster_available") == 1, "node " + node);
      }
    } finally {
      TestClient.closeAll(clients.toArray(TestClient[]::new));
    }
  }
}
