package org.signalbox.protocol;

import jakarta.json.JsonValue;

/**
 * A valid client-to-server message (PROTOCOL.md, Messages), after decoding and field checks.
 * Each type hands itself to its own method of a {@link Handler}, so a new type cannot be left
 * unhandled: the compiler asks for its {@code dispatch} and for the handler's method.
 */
public sealed interface Inbound {

  /** What a connection does with each type of message; {@code ref} is the message's own. */
  interface Handler {
    void join(Join join, JsonValue ref) throws ProtocolException;

    void leave(JsonValue ref) throws ProtocolException;

    void signal(Signal signal, JsonValue ref) throws ProtocolException;

    void message(Message message, JsonValue ref) throws ProtocolException;

    void ping(JsonValue ref) throws ProtocolException;
  }

  /** Hands this message to {@code handler}'s method for its type. */
  void dispatch(Handler handler, JsonValue ref) throws ProtocolException;

  /** The {@code type} on the wire, for metrics. */
  String type();

  /**
   * @param name the trimmed display name, or null when absent
   * @param token the JWT for token mode, or null
   * @param resume the last {@code resumeToken}, or null
   */
  record Join(String room, String name, String token, String resume) implements Inbound {
    @Override
    public void dispatch(Handler handler, JsonValue ref) throws ProtocolException {
      handler.join(this, ref);
    }

    @Override
    public String type() {
      return "join";
    }
  }

  record Leave() implements Inbound {
    @Override
    public void dispatch(Handler handler, JsonValue ref) throws ProtocolException {
      handler.leave(ref);
    }

    @Override
    public String type() {
      return "leave";
    }
  }

  /** Relay {@code data} (always an object, as sent) to peer {@code to}. */
  record Signal(String to, JsonText data) implements Inbound {
    @Override
    public void dispatch(Handler handler, JsonValue ref) throws ProtocolException {
      handler.signal(this, ref);
    }

    @Override
    public String type() {
      return "signal";
    }
  }

  /** Relay {@code data} (any JSON as sent, null included) to {@code to}, or to the room when to is null. */
  record Message(String to, JsonText data) implements Inbound {
    @Override
    public void dispatch(Handler handler, JsonValue ref) throws ProtocolException {
      handler.message(this, ref);
    }

    @Override
    public String type() {
      return "message";
    }
  }

  record Ping() implements Inbound {
    @Override
    public void dispatch(Handler handler, JsonValue ref) throws ProtocolException {
      handler.ping(ref);
    }

    @Override
    public String type() {
      return "ping";
    }
  }
}
