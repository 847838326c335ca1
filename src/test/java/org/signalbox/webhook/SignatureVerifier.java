package org.signalbox.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check of {@code webhook-signature}, written from PORTAL.md's text and sharing no
 * code with {@link WebhookSigner}, so that the tests catch a signer that agrees only with itself.
 */
final class SignatureVerifier {

  private final byte[] key;

  /** PORTAL.md: base64 after {@code whsec_}, else the secret's UTF-8 bytes. */
  SignatureVerifier(String secret) {
    this.key = secret.startsWith("whsec_")
        ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
        : secret.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code v1,} and base64 of HMAC-SHA256(key, id.timestamp.body). */
  String expected(String id, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest =
          mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** True when one of the space-separated signatures of the header is the expected one. */
  boolean verifies(String id, String timestamp, String body, String header) {
    byte[] want = expected(id, timestamp, body).getBytes(StandardCharsets.US_ASCII);
    for (String candidate : header.split(" ")) {
      if (MessageDigest.isEqual(want, candidate.getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }
}
