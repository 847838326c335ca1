package org.signalbox.room;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random identifiers, base64url without padding. Peer ids carry 128 random bits (PROTOCOL.md asks
 * for at least 96), so they are unique across nodes without coordination; resume tokens carry 256
 * because they are bearer secrets.
 *
 * <p>Every connection draws an id and every join a token, from whichever container thread serves
 * it. The default {@code NativePRNG} serializes all its instances on one process-wide lock around
 * a read of {@code /dev/urandom}; under a join storm on one core, threads queued behind a holder
 * that was descheduled. So ids come from several independently seeded DRBGs (NIST SP 800-90A,
 * each with its own lock), picked by thread: no lock is shared by most threads, and nothing is
 * left on a container's threads when the application is undeployed.
 */
public final class Ids {

  private static final int PEER_ID_BYTES = 16;
  private static final int RESUME_TOKEN_BYTES = 32;

  /** A power of two, more than the cores of a typical node. */
  private static final int STRIPES = 16;

  private final SecureRandom[] randoms = new SecureRandom[STRIPES];
  private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

  public Ids() {
    for (int i = 0; i < STRIPES; i++) {
      randoms[i] = drbg();
    }
  }

  public String peerId() {
    return next(PEER_ID_BYTES);
  }

  /** A room event's id, the {@code webhook-id} of its deliveries: {@code msg_} and 128 bits. */
  public String eventId() {
    return "msg_" + next(PEER_ID_BYTES);
  }

  public String resumeToken() {
    return next(RESUME_TOKEN_BYTES);
  }

  private String next(int bytes) {
    byte[] b = new byte[bytes];
    randoms[(int) Thread.currentThread().getId() & (STRIPES - 1)].nextBytes(b);
    return encoder.encodeToString(b);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      // Every JDK since 9 has DRBG; a platform that removed it still has a default.
      return new SecureRandom();
    }
  }
}
