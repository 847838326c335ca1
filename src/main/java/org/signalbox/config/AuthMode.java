package org.signalbox.config;

import java.util.Locale;

/** How a peer proves it may join a room (PROTOCOL.md, Authentication). */
public enum AuthMode {
  OPEN,
  TOKEN,
  CONTAINER;

  /** The configuration spelling: {@code open}, {@code token}, {@code container}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
