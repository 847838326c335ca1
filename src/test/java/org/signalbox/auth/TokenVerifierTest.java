package org.signalbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** The token rules of PROTOCOL.md, Authentication, one attack or mistake at a time. */
class TokenVerifierTest {

  private final TokenVerifier verifier = new TokenVerifier(Tokens.SECRET, Clock.systemUTC());

  private String rejected(String token, String room) {
    return assertThrows(TokenVerifier.TokenRejected.class, () -> verifier.nameFor(token, room))
        .getMessage();
  }

  @Test
  void aValidTokenGivesItsNameClaimElseItsSubject() throws Exception {
    assertEquals("Alice Doe", verifier.nameFor(
        Tokens.sign(Tokens.claims("standup", "alice").claim("name", "  Alice Doe ").build()), "standup"));
    assertEquals("bob", verifier.nameFor(Tokens.sign(Tokens.claims("standup", "bob").build()), "standup"));
    assertEquals("carol", verifier.nameFor(Tokens.sign(Tokens.claims("*", "carol").build()), "any-room"));
  }

  @Test
  void expiredBeyondTheSkewIsRefusedWithinItAccepted() throws Exception {
    Instant now = Instant.now();
    String expired = Tokens.sign(Tokens.claims("r", "a").expirationTime(Date.from(now.minusSeconds(61))).build());
    assertEquals("expired", rejected(expired, "r"));
    String justExpired = Tokens.sign(Tokens.claims("r", "a").expirationTime(Date.from(now.minusSeconds(30))).build());
    assertEquals("a", verifier.nameFor(justExpired, "r"));
  }

  @Test
  void notYetValidBeyondTheSkewIsRefused() throws Exception {
    Instant now = Instant.now();
    assertEquals("not valid yet", rejected(
        Tokens.sign(Tokens.claims("r", "a").notBeforeTime(Date.from(now.plusSeconds(120))).build()), "r"));
    assertEquals("a", verifier.nameFor(
        Tokens.sign(Tokens.claims("r", "a").notBeforeTime(Date.from(now.plusSeconds(30))).build()), "r"));
  }

  @Test
  void aTokenForAnotherRoomIsRefused() {
    assertTrue(rejected(Tokens.sign(Tokens.claims("other", "a").build()), "standup").contains("room"));
    assertTrue(rejected(Tokens.sign(new JWTClaimsSet.Builder(Tokens.claims("r", "a").build())
        .claim("room", null).build()), "r").contains("room"));
  }

  @Test
  void aWrongSignatureIsRefused() {
    String forged = Tokens.sign(Tokens.claims("r", "a").build(),
        "an-attacker-guessed-a-different-32-byte-secret", JWSAlgorithm.HS256);
    assertEquals("bad signature", rejected(forged, "r"));
    String good = Tokens.sign(Tokens.claims("r", "a").build());
    String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
    assertEquals("bad signature", rejected(tampered, "r"));
  }

  @Test
  void algNoneIsRefused() {
    assertEquals("not a signed JWT", rejected(Tokens.unsigned(Tokens.claims("r", "a").build()), "r"));
  }

  @Test
  void otherAlgorithmsAreRefusedEvenWithTheRightSecret() throws Exception {
    String hs512 = Tokens.sign(Tokens.claims("r", "a").build(), Tokens.SECRET + Tokens.SECRET, JWSAlgorithm.HS512);
    assertTrue(rejected(hs512, "r").contains("HS512"));
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    SignedJWT rs256 = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), Tokens.claims("r", "a").build());
    rs256.sign(new RSASSASigner(rsa));
    assertTrue(rejected(rs256.serialize(), "r").contains("RS256"));
  }

  @Test
  void missingTokenGarbageAndMissingClaimsAreRefused() {
    assertEquals("a token is required", rejected(null, "r"));
    assertEquals("a token is required", rejected("", "r"));
    assertEquals("not a signed JWT", rejected("garbage", "r"));
    assertEquals("not a signed JWT", rejected("a.b.c", "r"));
    assertEquals("no exp", rejected(Tokens.sign(new JWTClaimsSet.Builder().subject("a").claim("room", "r").build()), "r"));
    assertEquals("no sub", rejected(Tokens.sign(new JWTClaimsSet.Builder().claim("room", "r")
        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build()), "r"));
    assertTrue(rejected(Tokens.sign(Tokens.claims("r", "a").claim("name", "bad\u0007name").build()), "r")
        .contains("display name"));
    assertTrue(rejected(Tokens.sign(Tokens.claims("r", "a").claim("name", 42).build()), "r")
        .contains("not a string"));
  }
}
