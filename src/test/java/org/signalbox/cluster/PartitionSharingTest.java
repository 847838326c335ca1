package org.signalbox.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the nodes share the partitions' chores (NodeWatch#owner: rendezvous hashing). */
class PartitionSharingTest {

  private static final List<String> PARTITIONS = new Keys(Keys.CLUSTER_PARTITIONS).partitions();
  private static final List<String> NODES =
      List.of("wEkCWOuiUQYxg-6dM4btCA", "BolFwDa2Aga2j1oIyL0v9w", "V6bOMJ6Ngf4D5_QWLhgs1A",
          "oPS1F6tsUHHeNdiJ5OwUIQ", "16Q9EFYmNEe-6GoLJu1eVg");

  private static Map<String, String> owners(List<String> nodes) {
    Map<String, String> owners = new HashMap<>();
    for (String partition : PARTITIONS) {
      owners.put(partition, NodeWatch.owner(partition, nodes));
    }
    return owners;
  }

  @Test
  void everyPartitionHasOneOwnerWhateverTheOrderTheNodesAreSeenIn() {
    List<String> reversed = new ArrayList<>(NODES);
    Collections.reverse(reversed);
    assertEquals(owners(NODES), owners(reversed));
  }

  @Test
  void theChoresSpreadOverTheNodes() {
    Map<String, Integer> count = new HashMap<>();
    owners(NODES).values().forEach(node -> count.merge(node, 1, Integer::sum));
    assertEquals(NODES.size(), count.size(), "every node has partitions: " + count);
    for (int n : count.values()) {
      // 256 / 5 = 51 on average.
      assertTrue(n >= 30 && n <= 75, "evenly enough: " + count);
    }
  }

  @Test
  void aNodeFoundGoneHandsOnOnlyItsOwnPartitions() {
    Map<String, String> before = owners(NODES);
    String gone = NODES.get(2);
    Map<String, String> after = owners(NODES.stream().filter(n -> !n.equals(gone)).toList());
    for (String partition : PARTITIONS) {
      if (!before.get(partition).equals(gone)) {
        assertEquals(before.get(partition), after.get(partition), "others keep theirs");
      } else {
        assertTrue(!after.get(partition).equals(gone), "its own pass on");
      }
    }
  }
}
