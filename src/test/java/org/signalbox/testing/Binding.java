package org.signalbox.testing;

/** The bindings of PROTOCOL.md a test client can connect over. */
public enum Binding {
  WEBSOCKET,
  HTTP
}
