package org.signalbox.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.signalbox.config.InvalidSettingException;
import org.signalbox.config.Settings;

/**
 * Who may open the socket (PROTOCOL.md, Authentication), as a function of one request's facts so
 * that the WebSocket handshake and, later, the HTTP binding ask the same question.
 *
 * <ul>
 *   <li>Where {@code serverNames} is set, a {@code Host} outside it is refused whatever the
 *       {@code Origin}, {@code *} included: a DNS-rebinding page has an {@code Origin} that agrees
 *       with its {@code Host}, so only the name tells it apart.
 *   <li>{@code allowedOrigins=*} lets anyone in, also without an {@code Origin}.
 *   <li>An allow-list is matched exactly.
 *   <li>Otherwise only the same origin: the same scheme family ({@code http}/{@code ws} or
 *       {@code https}/{@code wss}), host and port, each missing port its own scheme's default.
 *       The request's scheme is the container's, or {@code X-Forwarded-Proto} from a trusted
 *       proxy ({@link ClientAddresses#secure}).
 * </ul>
 */
public final class OriginPolicy {

  private final boolean any;
  private final Set<String> allowed;
  private final List<HostPort> serverNames;
  private final ClientAddresses clients;

  public OriginPolicy(Settings settings, ClientAddresses clients) {
    this.any = settings.anyOrigin();
    this.allowed = Set.copyOf(settings.allowedOrigins());
    this.serverNames = settings.serverNames().stream().map(OriginPolicy::serverName).toList();
    this.clients = clients;
  }

  /**
   * SettingsLoader checks the form of the names, but not every port: one that matched no Host
   * would be dropped silently and, were it the only one, leave every Host served.
   */
  private static HostPort serverName(String text) {
    HostPort name = HostPort.parse(text);
    if (name == null) {
      throw new InvalidSettingException(
          "serverNames", "'" + text + "' is not a host name with an optional port 1-65535");
    }
    return name;
  }

  /** Why the request may not open a connection (the 403's reason), or null when it may. */
  public String refusal(RequestFacts request) {
    return refusal(request, true);
  }

  /**
   * As {@link #refusal(RequestFacts)}, for a request that may come without an {@code Origin}
   * (browsers send none on a same-origin {@code GET}): its {@code Origin} is checked when it has
   * one, its {@code Host} always.
   */
  public String readRefusal(RequestFacts request) {
    return refusal(request, request.origin() != null);
  }

  private String refusal(RequestFacts request, boolean originChecked) {
    boolean secure = clients.secure(request);
    if (!serverNames.isEmpty() && !served(HostPort.parse(request.host()), secure)) {
      return "host not served: " + request.host();
    }
    String origin = request.origin();
    if (any || !originChecked) {
      return null;
    }
    if (origin == null) {
      return "no Origin header";
    }
    if (!allowed.isEmpty()) {
      return allowed.contains(origin) ? null : "origin not allowed: " + origin;
    }
    return sameOrigin(origin, request.host(), secure) ? null : "origin not allowed: " + origin;
  }

  private boolean served(HostPort host, boolean secure) {
    if (host == null) {
      return false;
    }
    for (HostPort name : serverNames) {
      if (name.sameAs(host, secure)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a page at {@code origin} is of the same origin as a request for {@code host} that
   * arrived over TLS or not ({@code secure}).
   */
  static boolean sameOrigin(String origin, String host, boolean secure) {
    HostPort socket = HostPort.parse(host);
    if (socket == null) {
      return false;
    }
    URI page;
    try {
      page = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    if (page.getScheme() == null || page.getRawAuthority() == null || page.getRawUserInfo() != null) {
      return false;
    }
    Boolean pageSecure = switch (page.getScheme().toLowerCase(Locale.ROOT)) {
      case "https", "wss" -> true;
      case "http", "ws" -> false;
      default -> null;
    };
    if (pageSecure == null || pageSecure != secure) {
      return false;
    }
    HostPort pageHost = HostPort.parse(page.getRawAuthority());
    // Each side's missing port is its own scheme's default; the schemes agree by now.
    return pageHost != null && pageHost.sameAs(socket, secure);
  }
}
