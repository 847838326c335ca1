package org.signalbox.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/** Mints the tokens a portal back end would, good and bad, for the token tests. */
public final class Tokens {

  public static final String SECRET = "portal-and-signalbox-share-this-32+-byte-secret";

  /** The admin API's {@code adminSecret} in tests: never the join tokens' secret. */
  public static final String ADMIN_SECRET = "the-portal-back-end-alone-holds-this-admin-secret";

  private Tokens() {}

  /** An admin token: {@code admin: true}, subject {@code sub}, valid for five minutes. */
  public static String admin(String sub) {
    return sign(adminClaims(sub).claim("admin", true).build(), ADMIN_SECRET, JWSAlgorithm.HS256);
  }

  /** Claims with subject {@code sub} and {@code exp} five minutes from now, nothing else. */
  public static JWTClaimsSet.Builder adminClaims(String sub) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().subject(sub)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  /** A claims set for {@code room} and subject {@code sub}, valid for five minutes from now. */
  public static JWTClaimsSet.Builder claims(String room, String sub) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().subject(sub).claim("room", room)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  public static String sign(JWTClaimsSet claims) {
    return sign(claims, SECRET, JWSAlgorithm.HS256);
  }

  public static String sign(JWTClaimsSet claims, String secret, JWSAlgorithm algorithm) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured JWT ({@code "alg":"none"}, empty signature) with these claims. */
  public static String unsigned(JWTClaimsSet claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
  }
}
