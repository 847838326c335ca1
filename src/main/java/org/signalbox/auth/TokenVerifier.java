package org.signalbox.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.signalbox.protocol.InboundCodec;

/**
 * Checks {@code join.token} in {@code auth=token} mode (PROTOCOL.md, Authentication): a JWT
 * signed with HS256 and the {@code tokenSecret}, with {@code exp} and {@code sub}, {@code nbf}
 * honoured, for this room or {@code "*"}. Parsing and the signature are Nimbus JOSE+JWT's; the
 * rules it shares with admin tokens are {@link Hs256Jwt}'s, the join's own are here. Every
 * failure is a {@link TokenRejected} whose message says which rule failed, for the log and the
 * {@code unauthorized} answer.
 */
public final class TokenVerifier {

  /** Clock skew allowed between the portal that mints tokens and this node. */
  static final Duration SKEW = Hs256Jwt.SKEW;

  private final Hs256Jwt jwt;

  /**
   * @param secret the {@code tokenSecret}; its UTF-8 bytes are the HMAC key (at least 32)
   */
  public TokenVerifier(String secret, Clock clock) {
    this.jwt = new Hs256Jwt(secret, "tokenSecret", clock);
  }

  /** Why a token was not accepted. */
  public static final class TokenRejected extends Exception {
    private static final long serialVersionUID = 1L;

    TokenRejected(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * What a token proves.
   *
   * @param subject its {@code sub}: the identity a resume must match
   * @param name the display name: its {@code name} claim, else its {@code sub}
   * @param timely false when only its {@code exp} or {@code nbf} window failed, which a resume
   *     allows (PROTOCOL.md, Authentication) and a fresh join does not
   */
  public record Verified(String subject, String name, boolean timely, Map<String, Object> claims) {

    public Verified {
      claims = claims == null ? Map.of() : Collections.unmodifiableMap(claims);
    }
  }

  /**
   * The display name a valid token gives for joining {@code room}: its {@code name} claim, else
   * its {@code sub}.
   *
   * @throws TokenRejected when the token is missing, malformed, not HS256, badly signed,
   *     expired, not yet valid, for another room, or lacks {@code sub} or {@code exp}
   */
  public String nameFor(String token, String room) throws TokenRejected {
    return verify(token, room, false).name();
  }

  /**
   * Checks {@code token} for joining {@code room}.
   *
   * @param forResume whether the join carries a resume token: then a token whose only fault is
   *     its time window is returned with {@code timely} false instead of refused
   * @throws TokenRejected when any rule fails (the time window too, unless {@code forResume})
   */
  public Verified verify(String token, String room, boolean forResume) throws TokenRejected {
    JWTClaimsSet claims = jwt.signedClaims(token);
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new TokenRejected("no sub");
    }
    Object tokenRoom = claims.getClaim("room");
    if (!(tokenRoom instanceof String r) || !(r.equals(room) || r.equals("*"))) {
      throw new TokenRejected("not for room '" + room + "'");
    }
    Object claimed = claims.getClaim("name");
    if (claimed != null && !(claimed instanceof String)) {
      throw new TokenRejected("name is not a string");
    }
    String name = InboundCodec.displayNameOrNull(claimed != null ? (String) claimed : subject);
    if (name == null) {
      throw new TokenRejected("its name is not a valid display name");
    }
    String untimely = jwt.timeFault(claims);
    if (untimely != null && !forResume) {
      throw new TokenRejected(untimely);
    }
    return new Verified(subject, name, untimely == null, claims.toJSONObject());
  }
}
