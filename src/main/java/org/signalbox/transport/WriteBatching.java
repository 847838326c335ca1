package org.signalbox.transport;

import jakarta.websocket.Session;

/**
 * Which containers gather frames sent in batch mode ({@code RemoteEndpoint.setBatchingAllowed})
 * into one socket write and complete each batched send at once. The API lets a container ignore
 * batching, or complete a batched send only when it is flushed; the {@link Outbox} writes one
 * frame at a time and waits for each completion, so on such a container batch mode could hold a
 * backlog until the next flush. Only the containers checked against that are listed; the others
 * write frame by frame as before.
 */
final class WriteBatching {

  /** Session classes, by name prefix, of the containers that gather batched frames. */
  private static final String[] GATHERING = {
    "org.apache.tomcat.websocket.", // Tomcat: copies into its output buffer, completes inline
    "org.eclipse.jetty.", // Jetty: aggregates into its batch buffer, completes inline
  };

  private WriteBatching() {}

  static boolean gathers(Session session) {
    String type = session.getClass().getName();
    for (String prefix : GATHERING) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
