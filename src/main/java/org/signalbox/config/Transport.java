package org.signalbox.config;

import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/** A binding of PROTOCOL.md that carries a connection: a WebSocket, or HTTP long-polling. */
public enum Transport {
  WEBSOCKET,
  HTTP;

  /** The spelling of the {@code transports} setting, the admin API and the join policy. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code transports} as the setting spells it, in declaration order. */
  public static String list(Collection<Transport> transports) {
    return transports.stream().sorted().map(Transport::wire).collect(Collectors.joining(","));
  }
}
