package org.signalbox.room;

import org.signalbox.spi.RoomEvent;

/**
 * Where the rooms put their events (PORTAL.md): one stream per node for a single node, fed by
 * {@link Room} under its lock, so an implementation must only queue, never block or call back.
 */
@FunctionalInterface
public interface RoomEventSink {

  /** Drops every event: for tests and benchmarks that do not look at them. */
  RoomEventSink NONE = event -> {};

  void emit(RoomEvent event);
}
