package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.signalbox.config.InvalidSettingException;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;

class OriginPolicyTest {

  /** A TCP peer that is never a trusted proxy in these tests. */
  private static final String CLIENT = "198.51.100.7";
  private static final String PROXY = "10.0.0.5";

  private static OriginPolicy policy(String... settings) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < settings.length; i += 2) {
      map.put(settings[i], settings[i + 1]);
    }
    var loaded = SettingsLoader.load(SettingSource.of(map));
    return new OriginPolicy(loaded, new ClientAddresses(loaded));
  }

  /** A plain-HTTP request straight from a client. */
  private static RequestFacts http(String origin, String host) {
    return new RequestFacts(origin, host, false, CLIENT, null, null);
  }

  /** A request the container received over TLS. */
  private static RequestFacts tls(String origin, String host) {
    return new RequestFacts(origin, host, true, CLIENT, null, null);
  }

  /** A plain-HTTP request from {@code peer} carrying {@code X-Forwarded-Proto}. */
  private static RequestFacts forwarded(String origin, String host, String peer, String proto) {
    return new RequestFacts(origin, host, false, peer, null, proto);
  }

  private static void allowed(OriginPolicy p, RequestFacts r) {
    assertNull(p.refusal(r), r.toString());
  }

  private static void refused(OriginPolicy p, RequestFacts r) {
    assertNotNull(p.refusal(r), r.toString());
  }

  @Test
  void sameOriginByDefault() {
    OriginPolicy p = policy();
    allowed(p, http("http://localhost:8080", "localhost:8080"));
    allowed(p, tls("https://portal.example", "portal.example"));
    allowed(p, http("http://portal.example", "PORTAL.example:80"));
    allowed(p, http("http://[::1]:8080", "[::1]:8080"));
    refused(p, http("http://localhost:8081", "localhost:8080"));
    refused(p, http("http://evil.example:8080", "localhost:8080"));
    refused(p, tls("https://portal.example", "portal.example:8443"));
    refused(p, http("null", "localhost:8080"));
  }

  @Test
  void theSchemeIsPartOfTheOrigin() {
    OriginPolicy p = policy();
    // An http page (a network attacker can inject one) may not open the socket of a wss page.
    refused(p, tls("http://portal.example", "portal.example"));
    refused(p, tls("http://portal.example:443", "portal.example:443"));
    refused(p, http("https://portal.example:8080", "portal.example:8080"));
    // ws and wss are the same families as http and https.
    allowed(p, tls("wss://portal.example", "portal.example"));
    allowed(p, http("ws://portal.example", "portal.example"));
    refused(p, http("ftp://portal.example", "portal.example"));
  }

  @Test
  void eachMissingPortIsItsOwnSchemesDefault() {
    OriginPolicy p = policy();
    allowed(p, tls("https://portal.example", "portal.example:443"));
    allowed(p, tls("https://portal.example:443", "portal.example"));
    allowed(p, http("http://portal.example:80", "portal.example"));
    // Port 80 is the default of http only: an https page without a port is on 443.
    refused(p, tls("https://portal.example", "portal.example:80"));
    refused(p, http("http://portal.example", "portal.example:443"));
  }

  @Test
  void forwardedProtoIsBelievedOnlyFromATrustedProxy() {
    OriginPolicy trusting = policy("trustedProxies", "10.0.0.0/8");
    // Behind a TLS-terminating proxy: the container sees http, the proxy says https.
    allowed(trusting, forwarded("https://portal.example", "portal.example", PROXY, "https"));
    refused(trusting, forwarded("http://portal.example", "portal.example", PROXY, "https"));
    // The last value is the one the nearest proxy wrote.
    allowed(trusting, forwarded("http://portal.example", "portal.example", PROXY, "https, http"));
    // From a peer outside trustedProxies the header is anyone's: the container's scheme counts.
    refused(trusting, forwarded("https://portal.example", "portal.example", CLIENT, "https"));
    allowed(trusting, forwarded("http://portal.example", "portal.example", CLIENT, "https"));
    refused(policy(), forwarded("https://portal.example", "portal.example", PROXY, "https"));
  }

  @Test
  void serverNamesRefuseADnsRebindingHostWhateverTheOrigin() {
    OriginPolicy p = policy("serverNames", "signal.example,signal.example:8443,[::1]:8080");
    // A rebinding page: its Origin and Host agree, so only the name gives it away.
    refused(p, tls("https://rebind.attacker.example", "rebind.attacker.example"));
    refused(p, http("http://127.0.0.1:8080", "127.0.0.1:8080"));
    allowed(p, tls("https://signal.example", "signal.example"));
    allowed(p, tls("https://signal.example", "signal.example:443"));
    allowed(p, tls("https://signal.example:8443", "SIGNAL.example:8443"));
    allowed(p, http("http://[::1]:8080", "[::1]:8080"));
    refused(p, tls("https://signal.example:9443", "signal.example:9443"));
    refused(p, tls("https://signal.example", null));
    // Even with allowedOrigins=*: the Host decides first.
    OriginPolicy any = policy("serverNames", "signal.example", "allowedOrigins", "*");
    refused(any, http(null, "rebind.attacker.example"));
    allowed(any, http(null, "signal.example"));
    allowed(any, http("https://elsewhere.example", "signal.example:80"));
  }

  @Test
  void aServerNameWhosePortCannotBeIsRefusedAtStart() {
    InvalidSettingException e = assertThrows(
        InvalidSettingException.class, () -> policy("serverNames", "signal.example:99999"));
    assertEquals("serverNames", e.setting());
  }

  @Test
  void malformedHeadersAreRefused() {
    OriginPolicy p = policy();
    refused(p, http("http://localhost:8080", "localhost:8080/path"));
    refused(p, http("http://localhost:8080", "user@localhost:8080"));
    refused(p, http("http://localhost:8080", "localhost:99999"));
    refused(p, http("http://localhost:8080", "localhost:"));
    refused(p, http("http://localhost:8080", ""));
    refused(p, http("http://user@localhost:8080", "localhost:8080"));
    refused(p, http("http:// localhost", "localhost"));
    refused(p, http("localhost:8080", "localhost:8080"));
    // A malformed X-Forwarded-Proto is no scheme: the container's own counts.
    OriginPolicy trusting = policy("trustedProxies", PROXY);
    allowed(trusting, forwarded("http://portal.example", "portal.example", PROXY, "gopher"));
    allowed(trusting, forwarded("http://portal.example", "portal.example", PROXY, ""));
    OriginPolicy named = policy("serverNames", "signal.example");
    refused(named, http("http://signal.example", "signal.example, evil.example"));
  }

  @Test
  void missingOriginOrUnknownHostIsRefusedUnlessAnyOrigin() {
    refused(policy(), http(null, "localhost:8080"));
    refused(policy(), http("http://localhost:8080", null));
    refused(policy("allowedOrigins", "https://portal.example"), http(null, "portal.example"));
    allowed(policy("allowedOrigins", "*"), http(null, null));
    allowed(policy("allowedOrigins", "*"), http("http://anything.example", "localhost"));
  }

  @Test
  void allowListIsExact() {
    OriginPolicy p = policy("allowedOrigins", "https://portal.example,http://localhost:3000");
    allowed(p, tls("https://portal.example", "signal.example"));
    allowed(p, http("http://localhost:3000", "localhost:8080"));
    refused(p, tls("https://portal.example:443", "signal.example"));
    refused(p, tls("http://portal.example", "signal.example"));
    refused(p, tls("https://evil.portal.example", "signal.example"));
    // The list replaces the same-origin default rather than adding to it.
    refused(p, http("http://localhost:8080", "localhost:8080"));
  }

  @Test
  void theRefusalSaysWhy() {
    assertEquals("origin not allowed: http://evil.example",
        policy().refusal(http("http://evil.example", "localhost")));
    assertEquals("host not served: evil.example",
        policy("serverNames", "signal.example").refusal(http("http://evil.example", "evil.example")));
    assertEquals("no Origin header", policy().refusal(http(null, "localhost")));
  }
}
