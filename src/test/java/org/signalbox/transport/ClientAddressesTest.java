package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;

class ClientAddressesTest {

  private static ClientAddresses trusting(String proxies) {
    return new ClientAddresses(SettingsLoader.load(SettingSource.of(
        proxies == null ? Map.of() : Map.of("trustedProxies", proxies))));
  }

  private static RequestFacts from(String peer, String forwardedFor) {
    return new RequestFacts(null, "signal.example", false, peer, forwardedFor, null);
  }

  @Test
  void withoutTrustedProxiesTheClientIsTheTcpPeer() {
    ClientAddresses none = trusting(null);
    assertEquals("203.0.113.9", none.of(from("203.0.113.9", "198.51.100.1")));
    assertEquals("10.0.0.5", none.of(from("10.0.0.5", "198.51.100.1")));
  }

  @Test
  void behindATrustedProxyTheClientIsTheLastUntrustedHop() {
    ClientAddresses p = trusting("10.0.0.0/8,192.0.2.10");
    assertEquals("198.51.100.1", p.of(from("10.0.0.5", "198.51.100.1")));
    // The client wrote a hop of its own to the left: it is not believed.
    assertEquals("198.51.100.1", p.of(from("10.0.0.5", "6.6.6.6, 198.51.100.1")));
    // Two trusted proxies in a row are walked past, from the right.
    assertEquals("198.51.100.1", p.of(from("10.0.0.5", "6.6.6.6, 198.51.100.1, 192.0.2.10")));
    // Lines of the header joined in order, ports and brackets dropped.
    assertEquals("198.51.100.1", p.of(from("10.0.0.5", "6.6.6.6,198.51.100.1:50123")));
    assertEquals("2001:db8:0:0:0:0:0:1", p.of(from("10.0.0.5", "[2001:db8::1]:443")));
    assertEquals("2001:db8:0:0:0:0:0:1", p.of(from("10.0.0.5", "2001:DB8::1")));
    // Every hop trusted: the request started inside, at the leftmost.
    assertEquals("10.1.1.1", p.of(from("10.0.0.5", "10.1.1.1, 10.2.2.2")));
    // Without the header, the proxy itself.
    assertEquals("10.0.0.5", p.of(from("10.0.0.5", null)));
  }

  @Test
  void aMalformedHopEndsTheWalkAtTheNearestTrustedAddress() {
    ClientAddresses p = trusting("10.0.0.0/8");
    assertEquals("10.0.0.5", p.of(from("10.0.0.5", "unknown")));
    assertEquals("10.0.0.5", p.of(from("10.0.0.5", "198.51.100.1, _hidden")));
    assertEquals("10.2.2.2", p.of(from("10.0.0.5", "198.51.100.1, evil.example, 10.2.2.2")));
    assertEquals("10.0.0.5", p.of(from("10.0.0.5", "300.1.1.1")));
    assertEquals("10.0.0.5", p.of(from("10.0.0.5", "10.0.0.0/8")));
    assertEquals("198.51.100.1", p.of(from("10.0.0.5", " , 198.51.100.1 ,")));
  }

  @Test
  void oneClientHasOneAddressWhateverItsSpelling() {
    ClientAddresses none = trusting(null);
    assertEquals(none.of(from("::1", null)), none.of(from("0:0:0:0:0:0:0:1", null)));
    assertEquals("192.0.2.1", none.of(from("::ffff:192.0.2.1", null)));
    assertNull(none.of(from(null, null)));
  }

  @Test
  void forwardedProtoComesOnlyFromATrustedPeer() {
    ClientAddresses p = trusting("10.0.0.5");
    assertTrue(p.secure(new RequestFacts(null, null, false, "10.0.0.5", null, "https")));
    assertTrue(p.secure(new RequestFacts(null, null, false, "10.0.0.5", null, "WSS")));
    assertFalse(p.secure(new RequestFacts(null, null, true, "10.0.0.5", null, "http")));
    assertFalse(p.secure(new RequestFacts(null, null, false, "10.0.0.6", null, "https")));
    assertTrue(p.secure(new RequestFacts(null, null, true, "10.0.0.6", null, "http")));
    assertFalse(p.secure(new RequestFacts(null, null, false, "10.0.0.5", null, "https:")));
  }
}
