package org.signalbox.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * One IP address or CIDR block of {@code trustedProxies}. Parsed from literals only: a host name
 * here would make every handshake wait on DNS.
 */
public record AddressRange(byte[] network, int prefixBits) {

  /** Parses {@code 10.0.0.0/8}, {@code 127.0.0.1} or {@code fd00::/8}. */
  public static AddressRange parse(String text) {
    String s = text.strip();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw new IllegalArgumentException("not an IP address: " + address);
    }
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a prefix length: " + s.substring(slash + 1));
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException("prefix length out of range: " + bits);
      }
    }
    return new AddressRange(bytes, bits);
  }

  static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static List<AddressRange> parseAll(List<String> texts) {
    return texts.stream().map(AddressRange::parse).toList();
  }

  /** True when {@code address} (an IP literal, as a container reports it) is in this range. */
  public boolean contains(String address) {
    byte[] other = address == null ? null : literal(address);
    if (other == null || other.length != network.length) {
      return false;
    }
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (other[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (other[full] & mask) == (network[full] & mask);
  }

  /** The bytes of an IPv4 or IPv6 literal, or null for anything else (never a DNS lookup). */
  static byte[] literal(String address) {
    String a = address.strip();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    boolean v4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = a.contains(":") && a.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      // A literal is parsed, not resolved: InetAddress only looks up names.
      return InetAddress.getByName(a).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }
}
