package org.signalbox.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.signalbox.config.AddressRange;
import org.signalbox.config.Settings;

/**
 * Who a request comes from and over which scheme, believing {@code X-Forwarded-For} and {@code
 * X-Forwarded-Proto} only from a TCP peer in {@code trustedProxies} (CONFIG.md): anyone else could
 * write them. Addresses come back in one canonical text form, so that {@code ::1} and {@code
 * 0:0:0:0:0:0:0:1}, or an IPv4-mapped address and the IPv4 one, count as one client.
 */
public final class ClientAddresses {

  /** {@code 192.0.2.1:4711} or {@code [2001:db8::1]:4711}: a hop some proxies write with its port. */
  private static final Pattern WITH_PORT =
      Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):\\d{1,5}|\\[([0-9A-Fa-f:.]+)\\](?::\\d{1,5})?");

  private final List<AddressRange> trusted;

  public ClientAddresses(Settings settings) {
    this.trusted = AddressRange.parseAll(settings.trustedProxies());
  }

  /**
   * The client's address: the TCP peer, or, when the peer is a trusted proxy, the last hop of
   * {@code X-Forwarded-For} that is not itself trusted (walking from the right, where each proxy
   * appends the address it saw). A hop that is no IP address ends the walk at the last trusted
   * address before it: what lies further left was written by someone we cannot vouch for. Null
   * when the container did not say who the peer is.
   */
  public String of(RequestFacts request) {
    String peer = canonical(request.peer());
    if (peer == null) {
      return request.peer() == null || request.peer().isBlank() ? null : request.peer().strip();
    }
    if (!isTrusted(peer) || request.forwardedFor() == null) {
      return peer;
    }
    String nearest = peer;
    String[] hops = request.forwardedFor().split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      if (hops[i].isBlank()) {
        continue;
      }
      String hop = canonical(withoutPort(hops[i].strip()));
      if (hop == null) {
        return nearest;
      }
      if (!isTrusted(hop)) {
        return hop;
      }
      nearest = hop;
    }
    return nearest; // every hop is a trusted proxy: the request started inside
  }

  /**
   * Whether the client reached us over TLS: the container's own view, or the last {@code
   * X-Forwarded-Proto} value (the one the nearest proxy wrote) when the peer is trusted and the
   * value is a scheme we know.
   */
  public boolean secure(RequestFacts request) {
    String proto = request.forwardedProto();
    if (proto == null || !isTrusted(canonical(request.peer()))) {
      return request.secure();
    }
    String[] values = proto.split(",");
    String last = values.length == 0 ? "" : values[values.length - 1].strip().toLowerCase(Locale.ROOT);
    return switch (last) {
      case "https", "wss" -> true;
      case "http", "ws" -> false;
      default -> request.secure();
    };
  }

  boolean isTrusted(String address) {
    if (address == null) {
      return false;
    }
    for (AddressRange range : trusted) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static String withoutPort(String hop) {
    Matcher m = WITH_PORT.matcher(hop);
    if (!m.matches()) {
      return hop;
    }
    return m.group(1) != null ? m.group(1) : m.group(2);
  }

  /** The canonical text of an IP literal, or null for anything else (never a DNS lookup). */
  static String canonical(String address) {
    if (address == null || address.isBlank() || address.contains("/")) {
      return null;
    }
    try {
      byte[] bytes = AddressRange.parse(address).network();
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (IllegalArgumentException | UnknownHostException e) {
      return null;
    }
  }
}
