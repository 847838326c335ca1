package org.signalbox.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses and checks every setting of CONFIG.md. A value that does not parse, or that breaks a
 * relation between settings, throws {@link InvalidSettingException}: never a silent default.
 */
public final class SettingsLoader {

  /** HS256 needs a key at least as long as its 256-bit output (RFC 7518, 3.2). */
  static final int MIN_TOKEN_SECRET_BYTES = 32;

  static final int DEFAULT_OUTBOUND_QUEUE = 1024;

  /** Standard Webhooks' prefix of a base64 secret. */
  public static final String WEBHOOK_SECRET_PREFIX = "whsec_";

  /**
   * A {@code whsec_} key shorter than this is refused. The reference libraries generate 24 to
   * 32 bytes; 24 bytes (192 bits) is already far beyond guessing.
   */
  static final int MIN_WEBHOOK_KEY_BYTES = 24;

  /**
   * Queue plus grace buffer of one connection stay within about 5 MiB whatever its peers send
   * (PROTOCOL.md, Limits in detail): 64 maximal frames queued, 16 buffered.
   */
  static final int DEFAULT_OUTBOUND_BYTES = 4 * 1024 * 1024;

  static final int DEFAULT_RESUME_BUFFER_BYTES = 1024 * 1024;

  /** A queued frame unwritten for two heartbeat intervals: the receiver does not read. */
  static final int WRITE_TIMEOUT_HEARTBEATS = 2;

  static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;

  /**
   * What a relay adds around a client's {@code data}: the envelope ({@code type}, {@code from},
   * {@code to}) and JSON escaping of the peer ids. A queue must take at least one maximal relay.
   */
  static final int RELAY_ENVELOPE_BYTES = 512;

  private final SettingSource source;

  private SettingsLoader(SettingSource source) {
    this.source = source;
  }

  /** Reads every setting from {@code source}, applying CONFIG.md's defaults. */
  public static Settings load(SettingSource source) {
    return new SettingsLoader(source).load();
  }

  private Settings load() {
    List<String> allowedOrigins = list("allowedOrigins");
    AuthMode auth = choice("auth", AuthMode.OPEN);
    String tokenSecret = text("tokenSecret");
    int maxRoomSize = integer("maxRoomSize", 16, 1);
    int maxMessageBytes = integer("maxMessageBytes", 65536, 256);
    int messagesPerSecond = integer("messagesPerSecond", 50, 1);
    int burst = integer("burst", 500, 1);
    long heartbeatMs = longValue("heartbeatMs", 25_000, 10);
    long resumeGraceMs = longValue("resumeGraceMs", 30_000, 0);
    int resumeBuffer = integer("resumeBuffer", 256, 0);
    // Unset, the queue grows with the burst so that raising burst alone never fails a deployment.
    int outboundQueue = integer("outboundQueue", Math.max(DEFAULT_OUTBOUND_QUEUE, 2 * burst), 1);
    int maxConnections = integer("maxConnections", 0, 0);
    List<String> stunUrls = list("stunUrls");
    List<String> turnUrls = list("turnUrls");
    String turnSecret = text("turnSecret");
    long turnTtlSeconds = longValue("turnTtlSeconds", 86_400, 1);
    String redisUrl = text("redisUrl");
    int outboundBytes = integer("outboundBytes", DEFAULT_OUTBOUND_BYTES, 1);
    int resumeBufferBytes = integer("resumeBufferBytes", DEFAULT_RESUME_BUFFER_BYTES, 0);
    long writeTimeoutMs =
        longValue("writeTimeoutMs", WRITE_TIMEOUT_HEARTBEATS * heartbeatMs, 10);
    int maxConnectionsPerAddress =
        integer("maxConnectionsPerAddress", DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 0);
    List<String> trustedProxies = list("trustedProxies");
    List<String> serverNames = list("serverNames");
    AdminAuth adminAuth = choice("adminAuth", AdminAuth.OFF);
    String adminSecret = text("adminSecret");
    List<String> webhookUrls = list("webhookUrls");
    String webhookSecret = text("webhookSecret");
    long webhookRetryHours = longValue("webhookRetryHours", 24, 0);
    int webhookQueue = integer("webhookQueue", 10_000, 1);
    Set<Transport> transports = transports();
    long pollMs = longValue("pollMs", 25_000, 100);

    for (String origin : allowedOrigins) {
      if (!origin.equals(Settings.ANY_ORIGIN) && !looksLikeOrigin(origin)) {
        throw new InvalidSettingException(
            "allowedOrigins", "'" + origin + "' is not an origin like https://portal.example.com");
      }
    }
    if (outboundQueue < 2 * burst) {
      // PROTOCOL.md: a receiver that keeps reading must never be cut off by what its peers may
      // legally send in one burst.
      throw new InvalidSettingException(
          "outboundQueue", outboundQueue + " is less than 2 x burst (" + 2 * burst + ")");
    }
    if (outboundBytes < maxMessageBytes + RELAY_ENVELOPE_BYTES) {
      // A receiver must be able to take at least one maximal relay, or nobody could send one.
      throw new InvalidSettingException(
          "outboundBytes", outboundBytes + " is less than maxMessageBytes + "
              + RELAY_ENVELOPE_BYTES + " (" + (maxMessageBytes + RELAY_ENVELOPE_BYTES) + ")");
    }
    for (String proxy : trustedProxies) {
      if (!AddressRange.isValid(proxy)) {
        throw new InvalidSettingException(
            "trustedProxies", "'" + proxy + "' is not an IP address or CIDR like 10.0.0.0/8");
      }
    }
    for (String name : serverNames) {
      if (!name.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?")) {
        throw new InvalidSettingException(
            "serverNames", "'" + name + "' is not a host name with an optional :port");
      }
    }
    if (auth == AuthMode.TOKEN && tokenSecret == null) {
      throw new InvalidSettingException("tokenSecret", "is required with auth=token");
    }
    if (tokenSecret != null
        && tokenSecret.getBytes(StandardCharsets.UTF_8).length < MIN_TOKEN_SECRET_BYTES) {
      throw new InvalidSettingException(
          "tokenSecret", "must be at least " + MIN_TOKEN_SECRET_BYTES + " bytes");
    }
    requireSchemes("stunUrls", stunUrls, "stun:", "stuns:");
    requireSchemes("turnUrls", turnUrls, "turn:", "turns:");
    if (!turnUrls.isEmpty() && turnSecret == null) {
      throw new InvalidSettingException(
          "turnSecret", "is required when turnUrls is set (coturn's static-auth-secret)");
    }
    if (redisUrl != null) {
      try {
        RedisUrl.parse(redisUrl);
      } catch (IllegalArgumentException e) {
        throw new InvalidSettingException(
            "redisUrl", "'" + Settings.maskUrlPassword(redisUrl) + "': " + e.getMessage());
      }
    }
    if (adminAuth == AdminAuth.TOKEN && adminSecret == null) {
      throw new InvalidSettingException("adminSecret", "is required with adminAuth=token");
    }
    if (adminSecret != null
        && adminSecret.getBytes(StandardCharsets.UTF_8).length < MIN_TOKEN_SECRET_BYTES) {
      throw new InvalidSettingException(
          "adminSecret", "must be at least " + MIN_TOKEN_SECRET_BYTES + " bytes");
    }
    if (adminSecret != null && adminSecret.equals(tokenSecret)) {
      // A peer's join token must never open the admin API.
      throw new InvalidSettingException("adminSecret", "must differ from tokenSecret");
    }
    for (String url : webhookUrls) {
      if (!looksLikeHttpUrl(url)) {
        throw new InvalidSettingException(
            "webhookUrls", "'" + Settings.maskUrlPassword(url) + "' is not an http(s) URL");
      }
    }
    if (!webhookUrls.isEmpty() && webhookSecret == null) {
      throw new InvalidSettingException("webhookSecret", "is required when webhookUrls is set");
    }
    if (webhookSecret != null) {
      checkWebhookSecret(webhookSecret);
    }
    return new Settings(
        allowedOrigins, auth, tokenSecret, maxRoomSize, maxMessageBytes, messagesPerSecond, burst,
        heartbeatMs, resumeGraceMs, resumeBuffer, outboundQueue, maxConnections, stunUrls,
        turnUrls, turnSecret, turnTtlSeconds, redisUrl, outboundBytes, resumeBufferBytes,
        writeTimeoutMs, maxConnectionsPerAddress, trustedProxies, serverNames, adminAuth,
        adminSecret, webhookUrls, webhookSecret, webhookRetryHours, webhookQueue, transports,
        pollMs);
  }

  /** Standard Webhooks: {@code whsec_} and base64 of the key, else the key's UTF-8 bytes. */
  private static void checkWebhookSecret(String secret) {
    if (secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
      byte[] key;
      try {
        key = java.util.Base64.getDecoder().decode(secret.substring(WEBHOOK_SECRET_PREFIX.length()));
      } catch (IllegalArgumentException e) {
        throw new InvalidSettingException("webhookSecret", "the part after whsec_ is not base64");
      }
      if (key.length < MIN_WEBHOOK_KEY_BYTES) {
        throw new InvalidSettingException(
            "webhookSecret", "the key after whsec_ must be at least " + MIN_WEBHOOK_KEY_BYTES
                + " bytes");
      }
    } else if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_TOKEN_SECRET_BYTES) {
      throw new InvalidSettingException(
          "webhookSecret", "must be whsec_ and base64, or at least " + MIN_TOKEN_SECRET_BYTES
              + " bytes");
    }
  }

  private static boolean looksLikeHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * One of an enum's constants by its lower-case name ({@code auth=token}), or {@code fallback}
   * when unset.
   */
  private <E extends Enum<E>> E choice(String setting, E fallback) {
    String raw = text(setting);
    if (raw == null) {
      return fallback;
    }
    E[] choices = fallback.getDeclaringClass().getEnumConstants();
    for (E choice : choices) {
      if (choice.name().toLowerCase(Locale.ROOT).equals(raw.toLowerCase(Locale.ROOT))) {
        return choice;
      }
    }
    throw new InvalidSettingException(setting, "'" + raw + "' is not one of " + String.join(", ",
        Arrays.stream(choices).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()));
  }

  /** The trimmed raw value, or null when unset or blank. */
  private String text(String setting) {
    return source.lookup(setting).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
  }

  /** {@code transports}: a non-empty comma list of binding names, websocket and http by default. */
  private Set<Transport> transports() {
    if (text("transports") == null) {
      return EnumSet.allOf(Transport.class);
    }
    EnumSet<Transport> chosen = EnumSet.noneOf(Transport.class);
    for (String name : list("transports")) {
      Transport match = null;
      for (Transport t : Transport.values()) {
        if (t.wire().equals(name.toLowerCase(Locale.ROOT))) {
          match = t;
        }
      }
      if (match == null) {
        throw new InvalidSettingException("transports", "'" + name + "' is not one of "
            + Transport.list(EnumSet.allOf(Transport.class)));
      }
      chosen.add(match);
    }
    if (chosen.isEmpty()) {
      throw new InvalidSettingException("transports", "names no binding: serve websocket, http"
          + " or both");
    }
    return chosen;
  }

  private List<String> list(String setting) {
    String raw = text(setting);
    if (raw == null) {
      return List.of();
    }
    return Arrays.stream(raw.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  private int integer(String setting, int fallback, int min) {
    long value = longValue(setting, fallback, min);
    if (value > Integer.MAX_VALUE) {
      throw new InvalidSettingException(setting, value + " is too large");
    }
    return (int) value;
  }

  private long longValue(String setting, long fallback, long min) {
    String raw = text(setting);
    if (raw == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new InvalidSettingException(setting, "'" + raw + "' is not a whole number");
    }
    if (value < min) {
      throw new InvalidSettingException(setting, value + " is below the minimum of " + min);
    }
    return value;
  }

  private static void requireSchemes(String setting, List<String> urls, String... schemes) {
    for (String url : urls) {
      if (Arrays.stream(schemes).noneMatch(url::startsWith)) {
        throw new InvalidSettingException(
            setting, "'" + url + "' does not start with " + String.join(" or ", schemes));
      }
    }
  }

  private static boolean looksLikeOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      return uri.getScheme() != null
          && uri.getHost() != null
          && (uri.getPath() == null || uri.getPath().isEmpty())
          && uri.getQuery() == null
          && uri.getFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
