package org.signalbox.transport;

/**
 * What the checks of PROTOCOL.md (Authentication) need to know about one HTTP request: a
 * WebSocket handshake now, a request of the HTTP binding later. Gathered where the request is
 * visible (a servlet listener or filter); the checks themselves never see a servlet type.
 *
 * @param origin the {@code Origin} header, or null
 * @param host the {@code Host} header, or null
 * @param secure whether the container received the request over TLS ({@code isSecure()})
 * @param peer the TCP peer's address as the container reports it, or null when unknown
 * @param forwardedFor every {@code X-Forwarded-For} value joined by commas, or null
 * @param forwardedProto every {@code X-Forwarded-Proto} value joined by commas, or null
 */
public record RequestFacts(
    String origin,
    String host,
    boolean secure,
    String peer,
    String forwardedFor,
    String forwardedProto) {

  /** The same request with the {@code Origin} the WebSocket container handed to the check. */
  public RequestFacts withOrigin(String origin) {
    return new RequestFacts(origin, host, secure, peer, forwardedFor, forwardedProto);
  }
}
