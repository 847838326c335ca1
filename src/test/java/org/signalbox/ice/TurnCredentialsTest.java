package org.signalbox.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;
import org.signalbox.protocol.Outbound.IceServer;

class TurnCredentialsTest {

  /**
   * Computed outside Java, the way coturn checks it:
   * {@code printf '1767225600:p_x' | openssl dgst -sha1 -hmac north-wind-secret -binary | base64}.
   */
  private static final String KNOWN_CREDENTIAL = "t0uEIxNorgW12eU4/ODnqK+zqAM=";

  @Test
  void signsTheKnownVector() {
    assertEquals(
        KNOWN_CREDENTIAL, new TurnCredentials("north-wind-secret", 60).sign("1767225600:p_x"));
  }

  @Test
  void usernameIsExpiryThenPeerId() {
    TurnCredentials turn = new TurnCredentials("north-wind-secret", 86_400);
    TurnCredentials.Credential c = turn.issue("p_x", Instant.ofEpochSecond(1_767_139_200L));
    assertEquals("1767225600:p_x", c.username());
    assertEquals(KNOWN_CREDENTIAL, c.credential());
  }

  @Test
  void iceServersListStunThenTurnWithFreshCredentials() {
    IceServers servers =
        new IceServers(
            SettingsLoader.load(SettingSource.of(Map.of(
                "stunUrls", "stun:stun.example.org:3478",
                "turnUrls", "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349",
                "turnSecret", "north-wind-secret",
                "turnTtlSeconds", "86400"))),
            Clock.fixed(Instant.ofEpochSecond(1_767_139_200L), ZoneOffset.UTC));
    List<IceServer> list = servers.forWelcome("p_x");
    assertEquals(2, list.size());
    assertEquals(List.of("stun:stun.example.org:3478"), list.get(0).urls());
    assertNull(list.get(0).username());
    assertEquals(
        List.of("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"),
        list.get(1).urls());
    assertEquals("1767225600:p_x", list.get(1).username());
    assertEquals(KNOWN_CREDENTIAL, list.get(1).credential());
  }

  @Test
  void noIceServersByDefault() {
    IceServers servers =
        new IceServers(SettingsLoader.load(SettingSource.of(Map.of())), Clock.systemUTC());
    assertEquals(List.of(), servers.forWelcome("p_x"));
  }
}
