package org.signalbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** Admin tokens (PORTAL.md): the join tokens' JWT rules, then {@code admin: true}. */
class AdminTokenVerifierTest {

  private final AdminTokenVerifier verifier =
      new AdminTokenVerifier(Tokens.ADMIN_SECRET, Clock.systemUTC());

  private String rejected(String token) {
    return assertThrows(TokenVerifier.TokenRejected.class, () -> verifier.verify(token))
        .getMessage();
  }

  private static String admin(JWTClaimsSet.Builder claims) {
    return Tokens.sign(claims.claim("admin", true).build(), Tokens.ADMIN_SECRET, JWSAlgorithm.HS256);
  }

  @Test
  void aValidAdminTokenNamesItsSubject() throws Exception {
    AdminTokenVerifier.AdminClaims claims = verifier.verify(Tokens.admin("ops"));
    assertTrue(claims.admin());
    assertEquals("ops", claims.subject());
    JWTClaimsSet.Builder noSub = new JWTClaimsSet.Builder()
        .expirationTime(Date.from(Instant.now().plusSeconds(60)));
    AdminTokenVerifier.AdminClaims anonymous = verifier.verify(admin(noSub));
    assertTrue(anonymous.admin(), "sub is not required");
    assertNull(anonymous.subject());
  }

  @Test
  void onlyTheJsonBooleanTrueMakesAnAdmin() throws Exception {
    String sign = Tokens.sign(Tokens.adminClaims("a").build(), Tokens.ADMIN_SECRET, JWSAlgorithm.HS256);
    assertFalse(verifier.verify(sign).admin(), "no admin claim");
    for (Object notTrue : new Object[] {"true", 1, false}) {
      String token = Tokens.sign(Tokens.adminClaims("a").claim("admin", notTrue).build(),
          Tokens.ADMIN_SECRET, JWSAlgorithm.HS256);
      assertFalse(verifier.verify(token).admin(), "admin: " + notTrue);
    }
  }

  @Test
  void theTimeWindowHasTheSkewOfJoinTokens() throws Exception {
    Instant now = Instant.now();
    assertEquals("expired", rejected(admin(Tokens.adminClaims("a")
        .expirationTime(Date.from(now.minusSeconds(120))))));
    assertTrue(verifier.verify(admin(Tokens.adminClaims("a")
        .expirationTime(Date.from(now.minusSeconds(30))))).admin(), "within the 60 s skew");
    assertEquals("not valid yet", rejected(admin(Tokens.adminClaims("a")
        .notBeforeTime(Date.from(now.plusSeconds(120))))));
  }

  @Test
  void badSignaturesOtherAlgorithmsAndMissingPartsAreRefused() {
    assertEquals("bad signature", rejected(Tokens.sign(
        Tokens.adminClaims("a").claim("admin", true).build(), Tokens.SECRET, JWSAlgorithm.HS256)),
        "a token signed with another secret (the join tokens') opens nothing");
    assertTrue(rejected(Tokens.sign(Tokens.adminClaims("a").claim("admin", true).build(),
        Tokens.ADMIN_SECRET + Tokens.ADMIN_SECRET, JWSAlgorithm.HS512)).contains("HS512"));
    assertEquals("not a signed JWT",
        rejected(Tokens.unsigned(Tokens.adminClaims("a").claim("admin", true).build())));
    assertEquals("no exp", rejected(admin(new JWTClaimsSet.Builder().subject("a"))));
    assertEquals("a token is required", rejected(null));
    assertEquals("not a signed JWT", rejected("garbage"));
  }
}
