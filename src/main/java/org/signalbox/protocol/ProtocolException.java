package org.signalbox.protocol;

import jakarta.json.JsonValue;

/**
 * A client frame that must be answered with an {@code error} and otherwise has no effect. Thrown
 * on the inbound path only; it carries no stack trace because it is an answer, not a fault.
 */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient JsonValue ref;

  /**
   * @param ref the frame's {@code id} to echo as {@code ref}, or null when it had none (or an
   *     invalid one)
   */
  public ProtocolException(ErrorCode code, String message, JsonValue ref) {
    super(message, null, false, false);
    this.code = code;
    this.ref = ref;
  }

  public ErrorCode code() {
    return code;
  }

  public JsonValue ref() {
    return ref;
  }

  /** The error frame that answers this. */
  public Outbound.Error toError() {
    return new Outbound.Error(code, getMessage(), ref);
  }
}
