package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.HandshakeProbe;

/**
 * auth=container without an authenticated user: the handshake is refused with 403, even from an
 * allowed origin. (With a user, on a real server: ContainerAuthIT.)
 */
class ContainerAuthTest {

  @Test
  void aHandshakeWithoutAnAuthenticatedUserIsRefusedWith403() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("auth", "container"))) {
      assertEquals(403, HandshakeProbe.status(server.uri(), "http://anywhere.example"));
    }
    try (EmbeddedServer open = EmbeddedServer.start(Map.of("auth", "open"))) {
      assertEquals(101, HandshakeProbe.status(open.uri(), "http://anywhere.example"));
    }
  }
}
