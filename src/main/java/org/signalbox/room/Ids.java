package org.signalbox.room;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random identifiers, base64url without padding. Peer ids carry 128 random bits (PROTOCOL.md asks
 * for at least 96), so they are unique across nodes without coordination; resume tokens carry 256
 * because they are bearer secrets.
 */
public final class Ids {

  private static final int PEER_ID_BYTES = 16;
  private static final int RESUME_TOKEN_BYTES = 32;

  private final SecureRandom random = new SecureRandom();
  private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

  public String peerId() {
    return next(PEER_ID_BYTES);
  }

  public String resumeToken() {
    return next(RESUME_TOKEN_BYTES);
  }

  private String next(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return encoder.encodeToString(b);
  }
}
