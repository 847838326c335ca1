package org.signalbox.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The effective configuration of one node, immutable once loaded (CONFIG.md). Build it with {@link
 * SettingsLoader}, which parses and validates every value.
 *
 * @param allowedOrigins exact {@code Origin} values allowed; empty means same origin only, {@code
 *     ["*"]} means any
 * @param tokenSecret HS256 secret for {@code auth=token}, or {@code null}
 * @param turnSecret coturn {@code static-auth-secret}, or {@code null}
 * @param redisUrl the cluster's Redis, or {@code null} for a single node
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
    String redisUrl) {

  public static final String ANY_ORIGIN = "*";

  public Settings {
    allowedOrigins = List.copyOf(allowedOrigins);
    stunUrls = List.copyOf(stunUrls);
    turnUrls = List.copyOf(turnUrls);
    Objects.requireNonNull(auth, "auth");
  }

  /** Every setting at its CONFIG.md default. */
  public static Settings defaults() {
    return SettingsLoader.load(SettingSource.of(Map.of()));
  }

  /** True when TURN credentials go into {@code welcome.iceServers}. */
  public boolean turnEnabled() {
    return !turnUrls.isEmpty() && turnSecret != null;
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
        + " redisUrl=" + (redisUrl == null ? "(single node)" : maskUrlPassword(redisUrl));
  }

  private static String mask(String secret) {
    return secret == null ? "(none)" : "****";
  }

  /** A URL with its password, if any, masked: for log lines and messages. */
  public static String maskUrlPassword(String url) {
    return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:****@");
  }
}
