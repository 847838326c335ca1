package org.signalbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages depend on each other in one direction only: the composition root ({@code
 * org.signalbox}) hands each part what it needs, so no part reaches back for it. Read from the
 * compiled classes by the JDK's own jdeps, so a cycle anywhere fails here.
 */
class PackageCyclesTest {

  @Test
  void noTwoPackagesDependOnEachOther() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    Path classes = Path.of("target", "classes");
    int status = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
        "-verbose:package", "-filter:none", classes.toString());
    assertEquals(0, status, out.toString());
    Map<String, Set<String>> edges = new HashMap<>();
    for (String line : out.toString().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length >= 3 && parts[1].equals("->") && parts[0].startsWith("org.signalbox")
          && parts[2].startsWith("org.signalbox") && !parts[0].equals(parts[2])) {
        edges.computeIfAbsent(parts[0], k -> new TreeSet<>()).add(parts[2]);
      }
    }
    assertTrue(edges.getOrDefault("org.signalbox", Set.of()).contains("org.signalbox.transport"),
        "jdeps read the classes: " + edges);
    List<List<String>> cycles = new ArrayList<>();
    for (String from : edges.keySet()) {
      for (String to : edges.get(from)) {
        if (from.compareTo(to) < 0 && reaches(edges, to, from)) {
          cycles.add(List.of(from, to));
        }
      }
    }
    assertEquals(List.of(), cycles, "packages that reach each other");
  }

  private static boolean reaches(Map<String, Set<String>> edges, String from, String target) {
    Deque<String> todo = new ArrayDeque<>(List.of(from));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (next.equals(target)) {
        return true;
      }
      if (seen.add(next)) {
        todo.addAll(edges.getOrDefault(next, Set.of()));
      }
    }
    return false;
  }
}
