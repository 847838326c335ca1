package org.signalbox.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  /**
   * The reference vector of the Standard Webhooks libraries (standard-webhooks repository,
   * libraries/go/webhook_test.go TestWebhookSign; the same in the JavaScript, C# and PHP tests).
   */
  private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long VECTOR_TIMESTAMP = 1614265330;
  private static final String VECTOR_BODY = "{\"test\": 2432232314}";
  private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static final String ID = "evt_2f1c9e";
  private static final long TIMESTAMP = 1796220185;
  private static final String BODY = "{\"type\":\"room.started\",\"data\":{\"room\":\"r1\"}}";

  @Test
  void signsTheStandardWebhooksReferenceVector() {
    assertEquals(
        VECTOR_SIGNATURE,
        new WebhookSigner(VECTOR_SECRET).sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY));
  }

  @Test
  void theTestsVerifierAgreesWithTheReferenceVector() {
    assertTrue(new SignatureVerifier(VECTOR_SECRET)
        .verifies(VECTOR_ID, Long.toString(VECTOR_TIMESTAMP), VECTOR_BODY, VECTOR_SIGNATURE));
  }

  @Test
  void aWhsecSecretSignsWithItsBase64DecodedKey() {
    byte[] key = new byte[32];
    new Random(7).nextBytes(key);
    String secret = "whsec_" + Base64.getEncoder().encodeToString(key);

    String signature = new WebhookSigner(secret).sign(ID, TIMESTAMP, BODY);

    assertTrue(signature.startsWith("v1,"), signature);
    assertTrue(new SignatureVerifier(secret).verifies(ID, Long.toString(TIMESTAMP), BODY, signature));
  }

  @Test
  void aSecretWithoutThePrefixSignsWithItsUtf8Bytes() {
    // Valid base64 on purpose: the library's own String constructor would decode it.
    String secret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    String signature = new WebhookSigner(secret).sign(ID, TIMESTAMP, BODY);

    assertTrue(new SignatureVerifier(secret).verifies(ID, Long.toString(TIMESTAMP), BODY, signature));
    assertNotEquals(new WebhookSigner("whsec_" + secret).sign(ID, TIMESTAMP, BODY), signature);
  }

  @Test
  void eachPartOfTheSignedTextCounts() {
    String secret = "a-raw-secret-that-is-at-least-32-bytes-long";
    WebhookSigner signer = new WebhookSigner(secret);
    String signature = signer.sign(ID, TIMESTAMP, BODY);
    SignatureVerifier verifier = new SignatureVerifier(secret);

    assertFalse(verifier.verifies(ID + "x", Long.toString(TIMESTAMP), BODY, signature));
    assertFalse(verifier.verifies(ID, Long.toString(TIMESTAMP + 1), BODY, signature));
    assertFalse(verifier.verifies(ID, Long.toString(TIMESTAMP), BODY + " ", signature));
    assertFalse(new SignatureVerifier(secret + "x")
        .verifies(ID, Long.toString(TIMESTAMP), BODY, signature));
  }

  @Test
  void neverShowsTheSecret() {
    String secret = "a-raw-secret-that-is-at-least-32-bytes-long";
    assertFalse(new WebhookSigner(secret).toString().contains(secret));
  }
}
