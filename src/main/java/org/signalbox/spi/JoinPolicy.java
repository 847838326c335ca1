package org.signalbox.spi;

import java.util.Map;
import java.util.Objects;

/**
 * Decides every fresh join (PORTAL.md, Join policy and listeners): called after the token or
 * container check and before the room's size check. Found with {@link java.util.ServiceLoader} on
 * the web application's class path; with several, each is asked in turn and the first that does
 * not allow unchanged decides.
 *
 * <p>The joining connection waits for the answer. A policy that throws, or takes more than 2 s,
 * is a denial and is logged. A resume is not asked again: the peer was admitted when it joined.
 */
public interface JoinPolicy {

  Decision decide(JoinRequest request);

  /**
   * One fresh join.
   *
   * @param room the room asked for
   * @param name the display name it would have (from the join, the token or the principal)
   * @param identity the token's {@code sub} or the principal's name; null in open mode
   * @param claims the token's claims in token mode (JSON values as Java strings, numbers,
   *     booleans, lists and maps), else empty
   * @param clientAddress the client's address as {@code trustedProxies} lets the node believe it,
   *     or null when the container did not tell
   * @param transport {@code websocket} or {@code http}
   */
  record JoinRequest(
      String room,
      String name,
      String identity,
      Map<String, Object> claims,
      String clientAddress,
      String transport) {
    public JoinRequest {
      claims = claims == null ? Map.of() : Map.copyOf(claims);
    }
  }

  /** Allow, allow under another display name, or deny with a message. */
  sealed interface Decision {

    static Decision allow() {
      return Allow.INSTANCE;
    }

    static Decision rename(String name) {
      return new Rename(name);
    }

    static Decision deny(String message) {
      return new Deny(message);
    }

    /** Allowed as asked. */
    record Allow() implements Decision {
      static final Allow INSTANCE = new Allow();
    }

    /** Allowed under {@code name} instead of the name asked for. */
    record Rename(String name) implements Decision {
      public Rename {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
          throw new IllegalArgumentException("a display name must not be blank");
        }
      }
    }

    /** Refused: the client gets {@code unauthorized} with this message. */
    record Deny(String message) implements Decision {
      public Deny {
        message = message == null || message.isBlank() ? "refused by the join policy" : message;
      }
    }
  }
}
