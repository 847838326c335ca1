package org.signalbox.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker/coturn/turnserver.conf, the one coturn configuration: both compose files run it, the
 * README's turnserver command repeats its restrictions, and TurnPeerRestrictionsIT runs it in a
 * real coturn. These checks read the text (there is no Docker engine here).
 */
class CoturnConfigTest {

  private static final Path BASEDIR = Path.of(System.getProperty("signalbox.it.basedir", "."));
  private static final Path CONFIG = BASEDIR.resolve("docker/coturn/turnserver.conf");

  /** The peers a relay must never reach: private, loopback, link-local, shared, "this" net. */
  private static final List<String> MUST_DENY = List.of(
      "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
      "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"compose.yaml", "cluster.yaml"})
  void composeRunsCoturnWithTheSharedConfigAndOnlyTheSecretBeside(String file)
      throws IOException {
    String compose = Files.readString(BASEDIR.resolve("docker").resolve(file));
    int at = compose.indexOf("\n  coturn:");
    assertTrue(at >= 0, file + " has a coturn service");
    String coturn = compose.substring(at + 1).split("\n(?=  \\S|\\S)", 2)[0];
    Matcher mount = Pattern.compile(
            "(?m)^\\s+-\\s*\"?\\./coturn/turnserver\\.conf:(/[^:\"\\s]+)(:ro)?\"?\\s*$")
        .matcher(coturn);
    assertTrue(mount.find(), file + "'s coturn mounts docker/coturn/turnserver.conf:\n" + coturn);
    assertTrue(
        Pattern.compile("(?m)^\\s+-\\s*-c\\s*\\n\\s+-\\s*" + Pattern.quote(mount.group(1)) + "\\s*$")
            .matcher(coturn).find(),
        file + "'s coturn reads it with -c " + mount.group(1));
    List<String> arguments = Pattern.compile("(?m)^\\s+-\\s*(--?\\S+)").matcher(coturn).results()
        .map(m -> m.group(1)).collect(Collectors.toList());
    assertEquals(List.of("-c", "--static-auth-secret=${TURN_SECRET}"), arguments,
        file + ": everything but the secret comes from the file (-n would ignore it)");
  }

  @Test
  void configDeniesEveryPrivateRangeAndTcpRelays() throws IOException {
    List<String> lines = settings();
    List<BigInteger[]> denied = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("denied-peer-ip=")) {
        denied.add(range(line.substring("denied-peer-ip=".length())));
      }
    }
    for (String cidr : MUST_DENY) {
      BigInteger[] needed = cidr(cidr);
      assertTrue(denied.stream().anyMatch(r -> r[0].compareTo(needed[0]) <= 0
              && r[1].compareTo(needed[1]) >= 0 && r[2].equals(needed[2])),
          "a denied-peer-ip line covers " + cidr);
    }
    assertTrue(lines.contains("no-tcp-relay"), "no TCP relays (RFC 6062)");
    assertTrue(lines.contains("no-multicast-peers"), "no multicast peers");
    assertTrue(lines.contains("use-auth-secret"), "TURN REST credentials, as Signalbox issues");
    for (String line : lines) {
      assertFalse(line.startsWith("allowed-peer-ip"),
          "allowed-peer-ip is checked before denied-peer-ip and would reopen a range: " + line);
      assertFalse(line.startsWith("allow-loopback-peers"), "loopback peers only in tests");
      assertFalse(line.startsWith("static-auth-secret"), "the secret stays out of the repository");
      assertFalse(line.startsWith("tcp-relay") || line.equals("no-auth"), line);
    }
  }

  @Test
  void readmeTurnserverCommandDeniesTheSameRanges() throws IOException {
    String readme = Files.readString(BASEDIR.resolve("README.md"));
    Matcher command = Pattern.compile("(?m)^turnserver (?:.*\\\\\\n)*.*$").matcher(readme);
    assertTrue(command.find(), "the README shows a turnserver command");
    String shown = command.group();
    for (String line : settings()) {
      if (line.startsWith("denied-peer-ip=") || line.equals("no-tcp-relay")) {
        assertTrue(shown.contains("--" + line),
            "the README's turnserver command has --" + line + " as the shipped file does:\n"
                + shown);
      }
    }
  }

  /** The file's settings: comments and blank lines dropped, each line stripped. */
  private static List<String> settings() throws IOException {
    return Files.readAllLines(CONFIG).stream().map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.toList());
  }

  /** coturn's {@code A-B} (or a single address) as {first, last, address length}. */
  private static BigInteger[] range(String value) throws IOException {
    String[] ends = value.split("-", 2);
    byte[] first = InetAddress.getByName(ends[0]).getAddress();
    byte[] last = InetAddress.getByName(ends.length == 2 ? ends[1] : ends[0]).getAddress();
    assertEquals(first.length, last.length, "one family per range: " + value);
    return new BigInteger[] {
        new BigInteger(1, first), new BigInteger(1, last), BigInteger.valueOf(first.length)};
  }

  private static BigInteger[] cidr(String cidr) throws IOException {
    String[] parts = cidr.split("/");
    byte[] address = InetAddress.getByName(parts[0]).getAddress();
    int hostBits = address.length * 8 - Integer.parseInt(parts[1]);
    BigInteger first = new BigInteger(1, address);
    BigInteger last = first.add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE);
    return new BigInteger[] {first, last, BigInteger.valueOf(address.length)};
  }
}
