package org.signalbox.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import org.signalbox.auth.TokenVerifier.TokenRejected;

/**
 * Checks the bearer token of an admin request in {@code adminAuth=token} mode (PORTAL.md): a JWT
 * signed with HS256 and the {@code adminSecret}, under the same rules as join tokens (HS256 only,
 * checked before the key; {@code exp} required; {@code nbf} honoured; 60 s of skew), and then
 * whether it claims {@code admin: true}. The two outcomes are kept apart because the API answers
 * them differently: a token that fails a rule is 401, a valid token without the claim is 403.
 * Immutable and thread-safe.
 */
public final class AdminTokenVerifier {

  private final Hs256Jwt jwt;

  /**
   * @param secret the {@code adminSecret}; its UTF-8 bytes are the HMAC key (at least 32)
   */
  public AdminTokenVerifier(String secret, Clock clock) {
    this.jwt = new Hs256Jwt(secret, "adminSecret", clock);
  }

  /**
   * What a valid admin token says.
   *
   * @param subject its {@code sub}, or null: who made the call, for the log
   * @param admin true only when it claims {@code admin} as the JSON boolean {@code true}
   */
  public record AdminClaims(String subject, boolean admin) {}

  /**
   * Checks {@code token}.
   *
   * @throws TokenRejected naming the rule that failed: missing, not a signed JWT, not HS256, bad
   *     signature, no exp, expired, not valid yet
   */
  public AdminClaims verify(String token) throws TokenRejected {
    JWTClaimsSet claims = jwt.signedClaims(token);
    String untimely = jwt.timeFault(claims);
    if (untimely != null) {
      throw new TokenRejected(untimely);
    }
    return new AdminClaims(claims.getSubject(), Boolean.TRUE.equals(claims.getClaim("admin")));
  }
}
