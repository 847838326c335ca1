package org.signalbox.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.signalbox.auth.TokenVerifier.TokenRejected;

/**
 * The JWT rules that join tokens and admin tokens share, written once: a signed JWT, HS256 and
 * nothing else (checked before the key is used), a good signature, {@code exp} required, and a
 * time window with {@link #SKEW} either side. What the claims must say beyond that is each
 * verifier's own business. Immutable and thread-safe.
 */
final class Hs256Jwt {

  /** Clock skew allowed between the portal that mints tokens and this node. */
  static final Duration SKEW = Duration.ofSeconds(60);

  private final MACVerifier verifier;
  private final Clock clock;

  /**
   * @param secret its UTF-8 bytes are the HMAC key (at least 32)
   * @param setting the setting's name, for the message when the key is unusable
   */
  Hs256Jwt(String secret, String setting, Clock clock) {
    try {
      this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          setting + " is not a usable HS256 key: " + e.getMessage(), e);
    }
    this.clock = clock;
  }

  /**
   * The claims of a token that is present, a signed JWT, HS256, well signed and has {@code exp};
   * its time window is not checked here ({@link #timeFault}).
   *
   * @throws TokenRejected naming the first rule that failed
   */
  JWTClaimsSet signedClaims(String token) throws TokenRejected {
    if (token == null || token.isEmpty()) {
      throw new TokenRejected("a token is required");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      // Only a signed JWT parses here: "alg":"none" (a PlainJWT) and encrypted ones fail.
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | IllegalArgumentException e) {
      throw new TokenRejected("not a signed JWT");
    }
    // The header's algorithm is checked before the key is used, so no other algorithm is ever
    // tried with this secret.
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      throw new TokenRejected("algorithm " + jwt.getHeader().getAlgorithm() + " is not HS256");
    }
    try {
      if (!jwt.verify(verifier)) {
        throw new TokenRejected("bad signature");
      }
    } catch (JOSEException e) {
      throw new TokenRejected("bad signature");
    }
    if (claims.getExpirationTime() == null) {
      throw new TokenRejected("no exp");
    }
    return claims;
  }

  /** Why the claims are outside their time window ({@code exp}, {@code nbf}), or null. */
  String timeFault(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    Date nbf = claims.getNotBeforeTime();
    if (now.isAfter(exp.toInstant().plus(SKEW))) {
      return "expired";
    }
    if (nbf != null && now.plus(SKEW).isBefore(nbf.toInstant())) {
      return "not valid yet";
    }
    return null;
  }
}
