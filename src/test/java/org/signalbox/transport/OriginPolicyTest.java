package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;

class OriginPolicyTest {

  private static OriginPolicy policy(String allowedOrigins) {
    return new OriginPolicy(
        SettingsLoader.load(SettingSource.of(
            allowedOrigins == null ? Map.of() : Map.of("allowedOrigins", allowedOrigins))));
  }

  @Test
  void sameOriginByDefault() {
    OriginPolicy p = policy(null);
    assertTrue(p.allows("http://localhost:8080", "localhost:8080"));
    assertTrue(p.allows("https://portal.example", "portal.example"));
    assertTrue(p.allows("http://portal.example", "PORTAL.example:80"));
    assertFalse(p.allows("http://localhost:8081", "localhost:8080"));
    assertFalse(p.allows("http://evil.example:8080", "localhost:8080"));
    assertFalse(p.allows("https://portal.example", "portal.example:8443"));
    assertFalse(p.allows("null", "localhost:8080"));
  }

  @Test
  void missingOriginOrUnknownHostIsRefusedUnlessAnyOrigin() {
    assertFalse(policy(null).allows(null, "localhost:8080"));
    assertFalse(policy(null).allows("http://localhost:8080", null));
    assertFalse(policy("https://portal.example").allows(null, "portal.example"));
    assertTrue(policy("*").allows(null, null));
    assertTrue(policy("*").allows("http://anything.example", "localhost"));
  }

  @Test
  void allowListIsExact() {
    OriginPolicy p = policy("https://portal.example,http://localhost:3000");
    assertTrue(p.allows("https://portal.example", "signal.example"));
    assertTrue(p.allows("http://localhost:3000", "localhost:8080"));
    assertFalse(p.allows("https://portal.example:443", "signal.example"));
    assertFalse(p.allows("http://portal.example", "signal.example"));
    assertFalse(p.allows("https://evil.portal.example", "signal.example"));
    // The list replaces the same-origin default rather than adding to it.
    assertFalse(p.allows("http://localhost:8080", "localhost:8080"));
  }
}
