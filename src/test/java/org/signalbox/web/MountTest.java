package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountTest {

  @Test
  void theStandaloneWarServesAtItsRoot() {
    Mount root = new Mount("");
    assertEquals("/signal", root.socket());
    assertEquals("/health", root.health());
    assertEquals("/metrics", root.metrics());
    assertEquals("/admin/*", root.admin());
  }

  @Test
  void aBaseGoesBeforeEveryPath() {
    Mount portal = new Mount("/apps/calls-2.0");
    assertEquals("/apps/calls-2.0/signal", portal.socket());
    assertEquals("/apps/calls-2.0/health", portal.health());
    assertEquals("/apps/calls-2.0/metrics", portal.metrics());
    assertEquals("/apps/calls-2.0/admin/*", portal.admin());
  }

  @Test
  void aBaseThatIsNoPlainPathIsRefusedWithTheParameterNamed() {
    for (String bad : List.of("/", "signalbox", "/signalbox/", "/sig*", "/{room}", "/a//b", "/..",
        "/a/./b", "/a b", "/ä", "/a?b")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new Mount(bad), bad);
      assertTrue(e.getMessage().contains("signalbox.path") && e.getMessage().contains(bad),
          e.getMessage());
    }
  }
}
