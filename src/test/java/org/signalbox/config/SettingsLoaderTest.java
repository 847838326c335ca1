package org.signalbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsLoaderTest {

  private static Settings load(Map<String, String> values) {
    return SettingsLoader.load(SettingSource.of(values));
  }

  private static InvalidSettingException refused(Map<String, String> values) {
    return assertThrows(InvalidSettingException.class, () -> load(values));
  }

  @Test
  void defaultsAreThoseOfConfigMd() {
    Settings s = Settings.defaults();
    assertEquals(List.of(), s.allowedOrigins());
    assertEquals(AuthMode.OPEN, s.auth());
    assertNull(s.tokenSecret());
    assertEquals(16, s.maxRoomSize());
    assertEquals(65536, s.maxMessageBytes());
    assertEquals(50, s.messagesPerSecond());
    assertEquals(500, s.burst());
    assertEquals(25_000, s.heartbeatMs());
    assertEquals(30_000, s.resumeGraceMs());
    assertEquals(256, s.resumeBuffer());
    assertEquals(1024, s.outboundQueue());
    assertEquals(0, s.maxConnections());
    assertEquals(List.of(), s.stunUrls());
    assertEquals(List.of(), s.turnUrls());
    assertNull(s.turnSecret());
    assertEquals(86_400, s.turnTtlSeconds());
    assertNull(s.redisUrl());
    assertFalse(s.turnEnabled());
    assertEquals(4 * 1024 * 1024, s.outboundBytes());
    assertEquals(1024 * 1024, s.resumeBufferBytes());
    assertEquals(50_000, s.writeTimeoutMs(), "2 x heartbeatMs");
    assertEquals(64, s.maxConnectionsPerAddress());
    assertEquals(List.of(), s.trustedProxies());
    assertEquals(List.of(), s.serverNames());
  }

  @Test
  void theWriteTimeoutFollowsTheHeartbeatUnlessSet() {
    assertEquals(20_000, load(Map.of("heartbeatMs", "10000")).writeTimeoutMs());
    assertEquals(700, load(Map.of("heartbeatMs", "10000", "writeTimeoutMs", "700")).writeTimeoutMs());
  }

  @Test
  void transportsAndPollMsFollowConfigMd() {
    Settings defaults = Settings.defaults();
    assertEquals(java.util.Set.of(Transport.WEBSOCKET, Transport.HTTP), defaults.transports());
    assertEquals(25_000, defaults.pollMs());
    assertEquals(java.util.Set.of(Transport.HTTP), load(Map.of("transports", " HTTP ")).transports());
    assertEquals(java.util.Set.of(Transport.WEBSOCKET),
        load(Map.of("transports", "websocket,websocket")).transports());
    assertEquals("transports", refused(Map.of("transports", "websocket,sse")).setting());
    assertEquals("transports", refused(Map.of("transports", ",")).setting());
    assertEquals("pollMs", refused(Map.of("pollMs", "10")).setting());
    assertTrue(load(Map.of("transports", "http", "pollMs", "1000")).describe()
        .contains("transports=http pollMs=1000"));
  }

  @Test
  void outboundBytesMustHoldOneMaximalRelay() {
    assertEquals("outboundBytes", refused(Map.of("outboundBytes", "65536")).setting());
    assertEquals(70_000, load(Map.of("outboundBytes", "70000")).outboundBytes());
    assertEquals("outboundBytes", refused(Map.of("outboundBytes", "4mb")).setting());
  }

  @Test
  void trustedProxiesAndServerNamesAreChecked() {
    Settings s = load(Map.of("trustedProxies", "10.0.0.0/8, 127.0.0.1,fd00::/8",
        "serverNames", "portal.example.com,portal.example.com:8443,[::1]:8080"));
    assertEquals(List.of("10.0.0.0/8", "127.0.0.1", "fd00::/8"), s.trustedProxies());
    assertEquals(3, s.serverNames().size());
    assertEquals("trustedProxies", refused(Map.of("trustedProxies", "proxy.example.com")).setting());
    assertEquals("trustedProxies", refused(Map.of("trustedProxies", "10.0.0.0/33")).setting());
    assertEquals("serverNames", refused(Map.of("serverNames", "https://portal.example.com")).setting());
  }

  @Test
  void namesFollowTheThreeSpellings() {
    assertEquals("signalbox.maxRoomSize", SettingSource.propertyName("maxRoomSize"));
    assertEquals("SIGNALBOX_MAX_ROOM_SIZE", SettingSource.envName("maxRoomSize"));
    assertEquals("SIGNALBOX_TURN_TTL_SECONDS", SettingSource.envName("turnTtlSeconds"));
    assertEquals("SIGNALBOX_HEARTBEAT_MS", SettingSource.envName("heartbeatMs"));
    assertEquals("SIGNALBOX_REDIS_URL", SettingSource.envName("redisUrl"));
    assertEquals("SIGNALBOX_ALLOWED_ORIGINS", SettingSource.envName("allowedOrigins"));
  }

  @Test
  void systemPropertyWinsOverContextParameter() {
    String key = SettingSource.propertyName("maxRoomSize");
    SettingSource source = SettingSource.standard(name -> name.equals(key) ? "7" : null);
    assertEquals(Optional.of("7"), source.lookup("maxRoomSize"));
    System.setProperty(key, "9");
    try {
      assertEquals(Optional.of("9"), source.lookup("maxRoomSize"));
      assertEquals(9, SettingsLoader.load(source).maxRoomSize());
    } finally {
      System.clearProperty(key);
    }
  }

  @Test
  void contextParameterAppliesWhenNothingElseIsSet() {
    SettingSource source =
        SettingSource.standard(name -> name.equals("signalbox.burst") ? "20" : null);
    assertEquals(20, SettingsLoader.load(source).burst());
  }

  @Test
  void listsAreTrimmedAndSplitOnCommas() {
    Settings s =
        load(Map.of(
            "allowedOrigins", " https://a.example , http://b.example:8080 ",
            "stunUrls", "stun:stun.example.org:3478"));
    assertEquals(List.of("https://a.example", "http://b.example:8080"), s.allowedOrigins());
    assertEquals(List.of("stun:stun.example.org:3478"), s.stunUrls());
  }

  @Test
  void aValueThatDoesNotParseNamesTheSetting() {
    InvalidSettingException e = refused(Map.of("maxRoomSize", "lots"));
    assertEquals("maxRoomSize", e.setting());
    assertTrue(e.getMessage().contains("signalbox.maxRoomSize"), e.getMessage());
    assertTrue(e.getMessage().contains("SIGNALBOX_MAX_ROOM_SIZE"), e.getMessage());
    assertTrue(e.getMessage().contains("lots"), e.getMessage());
  }

  @Test
  void outOfRangeValuesAreRefused() {
    assertEquals("maxRoomSize", refused(Map.of("maxRoomSize", "0")).setting());
    assertEquals("burst", refused(Map.of("burst", "-1")).setting());
    assertEquals("heartbeatMs", refused(Map.of("heartbeatMs", "99999999999999999999")).setting());
    assertEquals("maxConnections", refused(Map.of("maxConnections", "3000000000")).setting());
  }

  @Test
  void outboundQueueMustHoldTwoBursts() {
    InvalidSettingException e = refused(Map.of("burst", "600", "outboundQueue", "1199"));
    assertEquals("outboundQueue", e.setting());
    assertEquals(1200, load(Map.of("burst", "600", "outboundQueue", "1200")).outboundQueue());
  }

  @Test
  void unsetOutboundQueueGrowsWithTheBurst() {
    assertEquals(1024, load(Map.of("burst", "10")).outboundQueue());
    assertEquals(1400, load(Map.of("burst", "700")).outboundQueue());
  }

  @Test
  void authModesLoadAndTokenModeNeedsItsSecret() {
    assertEquals(AuthMode.OPEN, load(Map.of("auth", "open")).auth());
    assertEquals(AuthMode.CONTAINER, load(Map.of("auth", "container")).auth());
    assertEquals(AuthMode.TOKEN,
        load(Map.of("auth", "token", "tokenSecret", "x".repeat(32))).auth());
    assertEquals("tokenSecret", refused(Map.of("auth", "token")).setting());
    assertEquals("tokenSecret", refused(Map.of("auth", "token", "tokenSecret", "x".repeat(31))).setting());
    assertEquals("auth", refused(Map.of("auth", "ldap")).setting());
  }

  @Test
  void shortTokenSecretIsRefused() {
    assertEquals("tokenSecret", refused(Map.of("tokenSecret", "too-short")).setting());
  }

  @Test
  void turnNeedsItsSecretAndProperSchemes() {
    assertEquals("turnSecret", refused(Map.of("turnUrls", "turn:t.example:3478")).setting());
    assertEquals(
        "turnUrls", refused(Map.of("turnUrls", "http://t.example", "turnSecret", "s")).setting());
    assertEquals("stunUrls", refused(Map.of("stunUrls", "turn:t.example")).setting());
    Settings s = load(Map.of("turnUrls", "turns:t.example:5349", "turnSecret", "s"));
    assertTrue(s.turnEnabled());
  }

  @Test
  void originsMustLookLikeOrigins() {
    assertEquals("allowedOrigins", refused(Map.of("allowedOrigins", "portal.example")).setting());
    assertEquals(
        "allowedOrigins", refused(Map.of("allowedOrigins", "https://a.example/path")).setting());
    assertTrue(load(Map.of("allowedOrigins", "*")).anyOrigin());
  }

  @Test
  void redisUrlMustBeARedisUrl() {
    assertEquals("redis://127.0.0.1:6379/0",
        load(Map.of("redisUrl", "redis://127.0.0.1:6379/0")).redisUrl());
    assertEquals("rediss://:pw@redis.example:6380",
        load(Map.of("redisUrl", "rediss://:pw@redis.example:6380")).redisUrl());
    assertEquals("redis-cluster://u:pw@10.0.0.1:7000,10.0.0.2:7000",
        load(Map.of("redisUrl", "redis-cluster://u:pw@10.0.0.1:7000,10.0.0.2:7000")).redisUrl());
    assertEquals("redisUrl", refused(Map.of("redisUrl", "redis-cluster://h1:1,h2:2/1")).setting());
    assertEquals("redisUrl", refused(Map.of("redisUrl", "127.0.0.1:6379")).setting());
    assertEquals("redisUrl", refused(Map.of("redisUrl", "http://127.0.0.1:6379/0")).setting());
    assertEquals("redisUrl", refused(Map.of("redisUrl", "redis://127.0.0.1:6379/zero")).setting());
    InvalidSettingException e = refused(Map.of("redisUrl", "redis://:hunter2@/x"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    // A password holding the URL's own delimiters is masked whole, in errors and in the log line.
    for (String url : List.of("redis://:hun/ter2@redis.example:6379/0",
        "redis://:hun@ter2@redis.example:6379/0", "redis://user:h/u@n:ter2@redis.example/0",
        "redis://hun/ter2@redis.example:6379/x")) {
      InvalidSettingException bad = refused(Map.of("redisUrl", url));
      assertFalse(bad.getMessage().contains("ter2"), bad.getMessage());
      assertFalse(Settings.maskUrlPassword(url).contains("ter2"), Settings.maskUrlPassword(url));
    }
    assertEquals("redis://user:****@redis.example:6379/0",
        Settings.maskUrlPassword("redis://user:s3cr@t/x@redis.example:6379/0"));
    assertEquals("redis://redis.example:6379/0",
        Settings.maskUrlPassword("redis://redis.example:6379/0"));
  }

  @Test
  void thePortalSettingsDefaultAsConfigMdSays() {
    Settings s = Settings.defaults();
    assertEquals(AdminAuth.OFF, s.adminAuth());
    assertNull(s.adminSecret());
    assertEquals(List.of(), s.webhookUrls());
    assertNull(s.webhookSecret());
    assertFalse(s.webhooksEnabled());
    assertEquals(24, s.webhookRetryHours());
    assertEquals(10_000, s.webhookQueue());
  }

  /**
   * adminAuth is off, container or token; token mode needs adminSecret, which is at least 32
   * bytes (UTF-8 bytes, not characters) and never the peers' tokenSecret, in any mode.
   */
  @Test
  void adminAuthAndItsSecretAreChecked() {
    String secret = "an admin secret of thirty-two by";
    assertEquals(32, secret.length());
    assertEquals(AdminAuth.CONTAINER, load(Map.of("adminAuth", "container")).adminAuth());
    assertEquals(AdminAuth.OFF, load(Map.of("adminAuth", " OFF ")).adminAuth());
    Settings token = load(Map.of("adminAuth", "Token", "adminSecret", secret));
    assertEquals(AdminAuth.TOKEN, token.adminAuth());
    assertEquals(secret, token.adminSecret());
    InvalidSettingException ldap = refused(Map.of("adminAuth", "ldap"));
    assertEquals("adminAuth", ldap.setting());
    assertTrue(ldap.getMessage().contains("off, container, token"), ldap.getMessage());

    assertEquals("adminSecret", refused(Map.of("adminAuth", "token")).setting());
    assertEquals("adminSecret", refused(Map.of("adminAuth", "token", "adminSecret", " ")).setting(),
        "blank is unset");
    assertEquals("adminSecret",
        refused(Map.of("adminAuth", "token", "adminSecret", secret.substring(1))).setting());
    // 16 two-byte characters are 32 bytes; 15 and one ASCII character are 31.
    assertEquals(AdminAuth.TOKEN, load(Map.of("adminAuth", "token",
        "adminSecret", "\u00e9".repeat(16))).adminAuth());
    assertEquals("adminSecret", refused(Map.of("adminAuth", "token",
        "adminSecret", "\u00e9".repeat(15) + "x")).setting());
    // A short secret is refused also where it is not used yet (a later switch would expose it).
    assertEquals("adminSecret", refused(Map.of("adminSecret", "short")).setting());
    assertEquals(AdminAuth.CONTAINER, load(Map.of("adminAuth", "container")).adminAuth(),
        "container mode needs no secret");

    InvalidSettingException same = refused(Map.of("auth", "token", "tokenSecret", secret,
        "adminAuth", "token", "adminSecret", " " + secret));
    assertEquals("adminSecret", same.setting(), "a peer's join token must never open the admin API");
    assertFalse(same.getMessage().contains(secret), same.getMessage());
    assertEquals("adminSecret", refused(Map.of("tokenSecret", secret, "adminAuth", "container",
        "adminSecret", secret)).setting());
    assertEquals(AdminAuth.TOKEN, load(Map.of("auth", "token", "tokenSecret", secret + "!",
        "adminAuth", "token", "adminSecret", secret)).adminAuth());
  }

  /**
   * webhookUrls are http(s) URLs with a host, and need webhookSecret: {@code whsec_} and the
   * base64 of a key (Standard Webhooks; at least 24 bytes, what its libraries generate), or at
   * least 32 bytes used as they are.
   */
  @Test
  void webhookUrlsAndTheirSecretAreChecked() {
    String raw = "a webhook secret of 32 bytes ok!";
    assertEquals(32, raw.length());
    Settings s = load(Map.of("webhookUrls", " https://portal.example/hooks , http://10.0.0.5:8080/h",
        "webhookSecret", raw));
    assertEquals(List.of("https://portal.example/hooks", "http://10.0.0.5:8080/h"), s.webhookUrls());
    assertTrue(s.webhooksEnabled());
    assertEquals(raw, s.webhookSecret());

    for (String bad : List.of("portal.example/hooks", "ftp://portal.example/hooks",
        "https:///hooks", "https://portal example/hooks", "ws://portal.example/hooks")) {
      assertEquals("webhookUrls", refused(Map.of("webhookUrls", bad, "webhookSecret", raw))
          .setting(), bad);
    }
    InvalidSettingException masked = refused(Map.of(
        "webhookUrls", "ftp://hooks:hunter2@portal.example/h", "webhookSecret", raw));
    assertFalse(masked.getMessage().contains("hunter2"), masked.getMessage());

    assertEquals("webhookSecret", refused(Map.of("webhookUrls", "https://portal.example/h"))
        .setting(), "required with webhookUrls");
    assertEquals("webhookSecret", refused(Map.of("webhookUrls", "https://portal.example/h",
        "webhookSecret", raw.substring(1))).setting());
    String base64Of24 = java.util.Base64.getEncoder().encodeToString(new byte[24]);
    String base64Of23 = java.util.Base64.getEncoder().encodeToString(new byte[23]);
    assertEquals("whsec_" + base64Of24, load(Map.of("webhookUrls", "https://portal.example/h",
        "webhookSecret", "whsec_" + base64Of24)).webhookSecret());
    for (String bad : List.of("whsec_" + base64Of23, "whsec_not base64 at all, though long enough")) {
      InvalidSettingException e = refused(Map.of("webhookUrls", "https://portal.example/h",
          "webhookSecret", bad));
      assertEquals("webhookSecret", e.setting(), bad);
      assertFalse(e.getMessage().contains(bad), "the secret is not repeated: " + e.getMessage());
    }
  }

  @Test
  void webhookRetryHoursAndQueueAreWholeNumbersInRange() {
    assertEquals(0, load(Map.of("webhookRetryHours", "0")).webhookRetryHours(), "no retries");
    assertEquals(72, load(Map.of("webhookRetryHours", "72")).webhookRetryHours());
    assertEquals("webhookRetryHours", refused(Map.of("webhookRetryHours", "-1")).setting());
    assertEquals("webhookRetryHours", refused(Map.of("webhookRetryHours", "1.5")).setting());
    assertEquals(1, load(Map.of("webhookQueue", "1")).webhookQueue());
    assertEquals("webhookQueue", refused(Map.of("webhookQueue", "0")).setting());
    assertEquals("webhookQueue", refused(Map.of("webhookQueue", "3000000000")).setting());
  }

  @Test
  void describeMasksThePortalSecrets() {
    String line = load(Map.of("adminAuth", "token", "adminSecret", "hunter2-admin-secret-of-32-bytes",
        "webhookUrls", "https://hooks:hunter3@portal.example/h",
        "webhookSecret", "hunter4-webhook-secret-of-32-byte")).describe();
    for (String secret : List.of("hunter2", "hunter3", "hunter4")) {
      assertFalse(line.contains(secret), line);
    }
    assertTrue(line.contains("adminAuth=token adminSecret=****"), line);
    assertTrue(line.contains("webhookSecret=****"), line);
    assertTrue(line.contains("portal.example/h"), line);
  }

  @Test
  void describeMasksSecrets() {
    Settings s =
        load(Map.of("turnUrls", "turn:t.example", "turnSecret", "hunter2-turn-secret"));
    String line = s.describe();
    assertFalse(line.contains("hunter2"), line);
    assertTrue(line.contains("turnSecret=****"), line);
    assertTrue(line.contains("maxRoomSize=16"), line);
  }
}
