package org.signalbox.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import org.signalbox.config.Settings;

/**
 * Who may open the socket (PROTOCOL.md, Authentication): an exact allow-list of {@code Origin}
 * values, {@code *} for anyone, or by default only pages of the same origin as the socket. A
 * handshake without an {@code Origin} is refused unless {@code *} is allowed.
 */
public final class OriginPolicy {

  private final boolean any;
  private final Set<String> allowed;

  public OriginPolicy(Settings settings) {
    this.any = settings.anyOrigin();
    this.allowed = Set.copyOf(settings.allowedOrigins());
  }

  /**
   * @param origin the handshake's {@code Origin} header, or null
   * @param host the handshake's {@code Host} header, or null when unknown
   */
  public boolean allows(String origin, String host) {
    if (any) {
      return true;
    }
    if (origin == null) {
      return false;
    }
    if (!allowed.isEmpty()) {
      return allowed.contains(origin);
    }
    return host != null && sameOrigin(origin, host);
  }

  /**
   * Compares host and port of the origin with the {@code Host} header. The scheme is left out on
   * purpose: behind a TLS-terminating proxy the page is https and the socket arrives as plain
   * HTTP with the same {@code Host}.
   */
  static boolean sameOrigin(String origin, String host) {
    URI page;
    URI socket;
    try {
      page = new URI(origin);
      socket = new URI("http://" + host);
    } catch (URISyntaxException e) {
      return false;
    }
    if (page.getScheme() == null || page.getHost() == null || socket.getHost() == null) {
      return false;
    }
    int pagePort = page.getPort() != -1 ? page.getPort() : defaultPort(page.getScheme());
    int socketPort = socket.getPort() != -1 ? socket.getPort() : defaultPort(page.getScheme());
    return page.getHost().equalsIgnoreCase(socket.getHost()) && pagePort == socketPort;
  }

  private static int defaultPort(String scheme) {
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "https", "wss" -> 443;
      default -> 80;
    };
  }
}
