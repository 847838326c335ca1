package org.signalbox.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The effective configuration of one node, immutable once loaded (CONFIG.md). Build it with {@link
 * SettingsLoader}, which parses and validates every value.
 *
 * @param allowedOrigins exact {@code Origin} values allowed; empty means same origin only, {@code
 *     ["*"]} means any
 * @param tokenSecret HS256 secret for {@code auth=token}, or {@code null}
 * @param turnSecret coturn {@code static-auth-secret}, or {@code null}
 * @param redisUrl the cluster's Redis, or {@code null} for a single node
 * @param outboundBytes UTF-8 bytes queued for one connection and not yet written before 1008
 * @param resumeBufferBytes UTF-8 bytes held for a peer in its grace before {@code undeliverable}
 * @param writeTimeoutMs how long the oldest queued frame may wait unwritten while the client still
 *     sends before the connection is closed with 1008
 * @param maxConnectionsPerAddress live connections from one client address; 0 for no limit
 * @param trustedProxies proxy addresses or CIDRs whose {@code X-Forwarded-*} headers are believed
 * @param serverNames the {@code Host} values this service answers to; empty for any
 * @param adminAuth who may use the admin API (PORTAL.md)
 * @param adminSecret HS256 secret of admin tokens, or {@code null}
 * @param webhookUrls where room events are posted; empty for none
 * @param webhookSecret the Standard Webhooks secret as configured ({@code whsec_…} or raw), or
 *     {@code null}
 * @param webhookRetryHours how long an undelivered event is retried
 * @param webhookQueue events a single node holds before it drops the oldest
 * @param transports the bindings of PROTOCOL.md this node serves, never empty
 * @param pollMs how long an HTTP poll waits for a frame
 */
public record Settings(
    List<String> allowedOrigins,
    AuthMode auth,
    String tokenSecret,
    int maxRoomSize,
    int maxMessageBytes,
    int messagesPerSecond,
    int burst,
    long heartbeatMs,
    long resumeGraceMs,
    int resumeBuffer,
    int outboundQueue,
    int maxConnections,
    List<String> stunUrls,
    List<String> turnUrls,
    String turnSecret,
    long turnTtlSeconds,
    String redisUrl,
    int outboundBytes,
    int resumeBufferBytes,
    long writeTimeoutMs,
    int maxConnectionsPerAddress,
    List<String> trustedProxies,
    List<String> serverNames,
    AdminAuth adminAuth,
    String adminSecret,
    List<String> webhookUrls,
    String webhookSecret,
    long webhookRetryHours,
    int webhookQueue,
    Set<Transport> transports,
    long pollMs) {

  public static final String ANY_ORIGIN = "*";

  public Settings {
    allowedOrigins = List.copyOf(allowedOrigins);
    stunUrls = List.copyOf(stunUrls);
    turnUrls = List.copyOf(turnUrls);
    trustedProxies = List.copyOf(trustedProxies);
    serverNames = List.copyOf(serverNames);
    webhookUrls = List.copyOf(webhookUrls);
    transports = transports.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(transports));
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(adminAuth, "adminAuth");
  }

  /** Every setting at its CONFIG.md default. */
  public static Settings defaults() {
    return SettingsLoader.load(SettingSource.of(Map.of()));
  }

  /** True when TURN credentials go into {@code welcome.iceServers}. */
  public boolean turnEnabled() {
    return !turnUrls.isEmpty() && turnSecret != null;
  }

  /** Whether this node serves the binding {@code transport}. */
  public boolean serves(Transport transport) {
    return transports.contains(transport);
  }

  /** True when room events are posted to webhooks. */
  public boolean webhooksEnabled() {
    return !webhookUrls.isEmpty();
  }

  /** Whether {@code *} is in the allow-list: any origin, and none, may connect. */
  public boolean anyOrigin() {
    return allowedOrigins.contains(ANY_ORIGIN);
  }

  /**
   * The settings as one log line, secrets masked: the secret's presence is useful to an operator,
   * its value never is.
   */
  public String describe() {
    return "allowedOrigins="
        + (allowedOrigins.isEmpty() ? "(same origin)" : String.join(",", allowedOrigins))
        + " auth=" + auth.wire()
        + " tokenSecret=" + mask(tokenSecret)
        + " maxRoomSize=" + maxRoomSize
        + " maxMessageBytes=" + maxMessageBytes
        + " messagesPerSecond=" + messagesPerSecond
        + " burst=" + burst
        + " heartbeatMs=" + heartbeatMs
        + " resumeGraceMs=" + resumeGraceMs
        + " resumeBuffer=" + resumeBuffer
        + " outboundQueue=" + outboundQueue
        + " maxConnections=" + maxConnections
        + " stunUrls=" + String.join(",", stunUrls)
        + " turnUrls=" + String.join(",", turnUrls)
        + " turnSecret=" + mask(turnSecret)
        + " turnTtlSeconds=" + turnTtlSeconds
        + " redisUrl=" + (redisUrl == null ? "(single node)" : maskUrlPassword(redisUrl))
        + " outboundBytes=" + outboundBytes
        + " resumeBufferBytes=" + resumeBufferBytes
        + " writeTimeoutMs=" + writeTimeoutMs
        + " maxConnectionsPerAddress=" + maxConnectionsPerAddress
        + " trustedProxies=" + String.join(",", trustedProxies)
        + " serverNames=" + (serverNames.isEmpty() ? "(any)" : String.join(",", serverNames))
        + " adminAuth=" + adminAuth.wire()
        + " adminSecret=" + mask(adminSecret)
        + " webhookUrls=" + webhookUrls.stream().map(Settings::maskUrlPassword).toList()
        + " webhookSecret=" + mask(webhookSecret)
        + " webhookRetryHours=" + webhookRetryHours
        + " webhookQueue=" + webhookQueue
        + " transports=" + Transport.list(transports)
        + " pollMs=" + pollMs;
  }

  private static String mask(String secret) {
    return secret == null ? "(none)" : "****";
  }

  /**
   * A URL with its password, if any, masked: for log lines and messages. The user part runs to
   * the last {@code @}, so a password holding {@code /} or {@code @} is masked whole; a URL that
   * does not parse is masked the same way, since its error message shows it.
   */
  public static String maskUrlPassword(String url) {
    int start = url.indexOf("://");
    if (start < 0) {
      return url;
    }
    start += 3;
    int at = url.lastIndexOf('@');
    if (at < start) {
      return url;
    }
    String userInfo = url.substring(start, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
    // Without a colon the whole user part may be a password (redis://secret@host): mask it too.
    String masked = colon < 0 ? "****" : user + ":****";
    return url.substring(0, start) + masked + url.substring(at);
  }
}
