package org.signalbox.room;

/** What became of a relay to one peer. */
public enum Delivery {
  /** Queued on the peer's live connection. */
  SENT,
  /** Held for a peer in its resume grace, to be sent when it resumes. */
  BUFFERED,
  /** The peer is in its grace and its buffer is full: {@code undeliverable}. */
  BUFFER_FULL,
  /** No such peer in the room any more (it left, or its connection is being closed). */
  GONE,
  /** The cluster's shared store could not be reached: the frame was dropped. */
  UNREACHABLE
}
