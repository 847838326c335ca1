package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.signalbox.ice.TurnCredentials;

/**
 * The coturn configuration the compose files ship (docker/coturn/turnserver.conf), run by a real
 * coturn: an authenticated client cannot make it relay into loopback, private, shared or
 * link-local addresses, nor open TCP relays. Each refusal is compared with the same file without
 * the lines under test, which grants the very same requests, so the lines are what refuses.
 *
 * <p>Only permissions are asked for: a CreatePermission is a request to coturn on loopback, and
 * nothing is ever sent to the peer addresses it names.
 */
class TurnPeerRestrictionsIT {

  private static final Path SHIPPED = Path.of(System.getProperty("signalbox.it.basedir", "."))
      .resolve("docker/coturn/turnserver.conf");
  private static final String SECRET = "turn-secret-shared-by-signalbox-and-coturn";

  /** Inside the denied ranges, first and last usable addresses where a range has edges. */
  private static final List<String> DENIED = List.of(
      "10.0.0.1", "10.255.255.254", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.8.9.10",
      "169.254.169.254", "172.16.0.1", "172.31.255.254", "192.168.0.1", "192.168.255.254",
      "fc00::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "fe80::1", "febf::1");
  /** Just outside them (documentation and public ranges): the rules are not wider. */
  private static final List<String> OUTSIDE = List.of(
      "9.255.255.255", "11.0.0.1", "100.63.255.255", "100.128.0.0", "126.255.255.255",
      "128.0.0.1", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
      "192.167.255.255", "192.169.0.0", "203.0.113.7", "fbff::1", "fec0::1", "2001:db8::1");

  /** The file's lines, and the loopback-only testing bits on the command line. */
  private static Coturn shipped(String name) throws Exception {
    return Coturn.startWithConfig(name, SECRET, SHIPPED, loopbackTesting());
  }

  /** The same file without its denied-peer-ip and no-tcp-relay lines. */
  private static Coturn withoutRestrictions(String name) throws Exception {
    List<String> kept = Files.readAllLines(SHIPPED).stream()
        .filter(line -> !line.strip().startsWith("denied-peer-ip")
            && !line.strip().startsWith("no-tcp-relay"))
        .collect(Collectors.toList());
    Path config = Path.of(System.getProperty("signalbox.it.basedir", "."))
        .resolve("target/coturn-" + name + ".conf");
    Files.write(config, kept);
    return Coturn.startWithConfig(name, SECRET, config, loopbackTesting());
  }

  /**
   * Loopback peers are refused by coturn itself unless allowed; allowing them leaves the file's
   * denied-peer-ip lines as the only thing that can refuse 127.x. An IPv6 relay on ::1 lets the
   * IPv6 ranges be asked for too.
   */
  private static String[] loopbackTesting() {
    return new String[] {"--allow-loopback-peers", "--relay-ip=::1"};
  }

  private static TurnClient client(Coturn coturn, boolean tcp) throws Exception {
    TurnCredentials.Credential credential =
        new TurnCredentials(SECRET, 600).issue("restrictions", Instant.now());
    return TurnClient.connect(coturn.address(), tcp, credential.username(),
        credential.credential());
  }

  /** The answer code to a permission for each address, on a fresh allocation per family. */
  private static List<String> permissions(Coturn coturn, List<String> addresses)
      throws Exception {
    try (TurnClient v4 = client(coturn, false); TurnClient v6 = client(coturn, false)) {
      assertEquals(200, v4.allocate(TurnClient.Relay.UDP_IPV4).code(), "an IPv4 UDP relay");
      assertEquals(200, v6.allocate(TurnClient.Relay.UDP_IPV6).code(), "an IPv6 UDP relay");
      List<String> answers = new ArrayList<>();
      for (String address : addresses) {
        InetAddress peer = InetAddress.getByName(address);
        TurnClient.Answer answer =
            (address.contains(":") ? v6 : v4).createPermission(peer);
        answers.add(address + " " + answer.code());
      }
      return answers;
    }
  }

  private static List<String> all(List<String> addresses, int code) {
    return addresses.stream().map(a -> a + " " + code).collect(Collectors.toList());
  }

  @Test
  void theShippedConfigRefusesPeersInPrivateLoopbackAndLinkLocalRanges() throws Exception {
    try (Coturn coturn = shipped("shipped-peers")) {
      assertEquals(all(DENIED, 403), permissions(coturn, DENIED),
          "403 Forbidden IP for every peer in a denied range");
      assertEquals(all(OUTSIDE, 200), permissions(coturn, OUTSIDE),
          "addresses just outside the ranges are still granted");
    }
  }

  @Test
  void withoutItsDenyLinesTheSameServerGrantsThosePeers() throws Exception {
    try (Coturn coturn = withoutRestrictions("unrestricted-peers")) {
      assertEquals(all(DENIED, 200), permissions(coturn, DENIED),
          "without denied-peer-ip the same requests are granted: the lines are what refuses");
    }
  }

  @Test
  void anAllowedPeerIpReopensOnlyThatAddress() throws Exception {
    // What the file's comment tells a LAN deployment to do for coturn's own relay address.
    try (Coturn coturn = Coturn.startWithConfig("shipped-allowed", SECRET, SHIPPED,
        "--allow-loopback-peers", "--relay-ip=::1", "--allowed-peer-ip=127.0.0.1")) {
      List<String> addresses = List.of("127.0.0.1", "127.0.0.2", "10.0.0.1", "fe80::1");
      assertEquals(List.of("127.0.0.1 200", "127.0.0.2 403", "10.0.0.1 403", "fe80::1 403"),
          permissions(coturn, addresses));
    }
  }

  @Test
  void theShippedConfigRefusesTcpRelays() throws Exception {
    try (Coturn coturn = shipped("shipped-tcp"); TurnClient tcp = client(coturn, true)) {
      TurnClient.Answer answer = tcp.allocate(TurnClient.Relay.TCP_IPV4);
      assertEquals(442, answer.code(),
          "a TCP relay (RFC 6062) is refused, 442 Unsupported Transport Protocol: " + answer);
    }
    try (Coturn coturn = withoutRestrictions("unrestricted-tcp");
        TurnClient tcp = client(coturn, true)) {
      TurnClient.Answer answer = tcp.allocate(TurnClient.Relay.TCP_IPV4);
      assertEquals(200, answer.code(), "without no-tcp-relay it is granted: " + answer);
    }
  }
}
