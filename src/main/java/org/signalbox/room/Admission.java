package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.List;
import java.util.function.Function;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.Outbound.IceServer;
import org.signalbox.protocol.ProtocolException;

/**
 * Who a {@code join} admits, as the connection's checks decided: the id a fresh join takes, the
 * display name, the identity a resume must match, and what {@code joined} hands out.
 *
 * @param peerId the connection's own id, taken by a fresh join
 * @param name the display name of a fresh join (a resumed peer keeps the name the room knows)
 * @param identity the token's {@code sub} or the container's principal; null in {@code open} mode,
 *     where the resume token alone proves who resumes. A resume under another identity is a fresh
 *     join (PROTOCOL.md, Authentication).
 * @param freshAllowed false when the token is good only for a resume (its {@code exp} or {@code
 *     nbf} window has passed): a join that cannot resume is then {@code unauthorized}
 * @param iceServers {@code joined.iceServers} for the peer id the join ends with, or null for none
 * @param gate asked once the join is known to be fresh (not a resume): the portal's join policy
 */
public record Admission(
    String peerId,
    String name,
    String identity,
    boolean freshAllowed,
    Function<String, List<IceServer>> iceServers,
    Gate gate) {

  /** A join in {@code open} mode that hands out no ICE servers: for tests and benchmarks. */
  public static Admission open(String peerId, String name) {
    return new Admission(peerId, name, null, true, null, null);
  }

  public Admission(
      String peerId,
      String name,
      String identity,
      boolean freshAllowed,
      Function<String, List<IceServer>> iceServers) {
    this(peerId, name, identity, freshAllowed, iceServers, null);
  }

  /**
   * The admission of a fresh join to {@code room}, as the gate decides: this one, or one under
   * another display name.
   *
   * @throws ProtocolException {@code unauthorized} when the gate refuses
   */
  public Admission forFreshJoin(String room, JsonValue ref) throws ProtocolException {
    if (!freshAllowed) {
      throw new ProtocolException(
          ErrorCode.UNAUTHORIZED, "token refused: expired, and there is no peer to resume", ref);
    }
    if (gate == null) {
      return this;
    }
    String granted = gate.nameFor(room, this, ref);
    return granted.equals(name)
        ? this
        : new Admission(peerId, granted, identity, true, iceServers, null);
  }

  /** Decides a fresh join, after the token or container check and before the room's size. */
  @FunctionalInterface
  public interface Gate {

    /**
     * @return the display name the join is allowed under
     * @throws ProtocolException {@code unauthorized} when it is refused
     */
    String nameFor(String room, Admission admission, JsonValue ref) throws ProtocolException;
  }

  /** True when a peer joined under {@code earlier} may be resumed by this admission. */
  public boolean mayResume(String earlier) {
    return identity == null ? earlier == null : identity.equals(earlier);
  }

  /** {@code joined.iceServers} for {@code peerId}, or null. */
  public List<IceServer> iceServersFor(String peerId) {
    return iceServers == null ? null : iceServers.apply(peerId);
  }
}
