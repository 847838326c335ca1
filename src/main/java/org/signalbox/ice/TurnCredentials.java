package org.signalbox.ice;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived TURN credentials in the TURN REST API form that coturn's {@code use-auth-secret}
 * checks: {@code username = "<unix expiry seconds>:<peerId>"}, {@code credential =
 * base64(HMAC-SHA1(secret, username))}. Thread-safe: a {@link Mac} is made per call because it is
 * not.
 */
public final class TurnCredentials {

  private static final String HMAC = "HmacSHA1";

  private final SecretKeySpec key;
  private final long ttlSeconds;

  public TurnCredentials(String sharedSecret, long ttlSeconds) {
    this.key = new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), HMAC);
    this.ttlSeconds = ttlSeconds;
  }

  /** A username and credential for {@code peerId}, valid until {@code now + ttl}. */
  public Credential issue(String peerId, Instant now) {
    String username = (now.getEpochSecond() + ttlSeconds) + ":" + peerId;
    return new Credential(username, sign(username));
  }

  /** The credential coturn expects for {@code username}. */
  public String sign(String username) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      byte[] digest = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      // HmacSHA1 is required of every Java platform; reaching this means a broken JRE.
      throw new IllegalStateException("HmacSHA1 is unavailable", e);
    }
  }

  public record Credential(String username, String credential) {}
}
