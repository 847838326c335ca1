package org.signalbox.webhook;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.signalbox.config.SettingsLoader;

/**
 * The {@code webhook-signature} header of PORTAL.md, computed by the Standard Webhooks reference
 * library so that a receiver's own Standard Webhooks library accepts it. Thread-safe: the library
 * makes a new {@code Mac} for every signature.
 */
public final class WebhookSigner {

  private final Webhook webhook;

  /**
   * @param secret {@code webhookSecret} as configured: {@code whsec_} and base64 of the key, or
   *     the key itself as text
   */
  public WebhookSigner(String secret) {
    this.webhook = new Webhook(key(secret));
  }

  /**
   * The HMAC key. The library's own string constructor base64-decodes a secret without the
   * prefix too, while CONFIG.md takes such a secret as its UTF-8 bytes, so the key is derived
   * here and the library gets bytes.
   */
  static byte[] key(String secret) {
    if (secret.startsWith(SettingsLoader.WEBHOOK_SECRET_PREFIX)) {
      return Base64.getDecoder()
          .decode(secret.substring(SettingsLoader.WEBHOOK_SECRET_PREFIX.length()));
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}.
   *
   * @param timestampSeconds the {@code webhook-timestamp} sent with this attempt
   */
  public String sign(String id, long timestampSeconds, String body) {
    try {
      return webhook.sign(id, timestampSeconds, body);
    } catch (WebhookSigningException e) {
      // Only thrown when the JDK lacks HmacSHA256, which every Java SE runtime must provide.
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "WebhookSigner";
  }
}
