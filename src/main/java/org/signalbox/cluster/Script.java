package org.signalbox.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts that change a room in Redis. Each runs atomically, which is what orders a
 * room's membership events and relays the same way for every node: Redis runs one script at a
 * time and delivers what a script publishes in the order it published.
 */
enum Script {
  JOIN("join"),
  RESUME("resume"),
  LEAVE("leave"),
  LOSE("lose"),
  EXPIRE("expire"),
  RELAY("relay"),
  BROADCAST("broadcast"),
  LOSE_NODE("lose_node"),
  /** The portal removes a member. */
  REMOVE("remove"),
  /** The portal closes a room. */
  CLOSE("close"),
  /** An event pump claims a room's due events. */
  CLAIM("claim"),
  /** An event pump records what it did with its claim. */
  SETTLE("settle"),
  /** Keeps the keys of a room this node serves from expiring. */
  TOUCH("touch"),
  /** Reads a partition's grace index, not a room: no prelude. */
  DUE("due"),
  /** A node's liveness in a partition, and the nodes dead there: no prelude. */
  WATCH("watch"),
  /** Every command the node needs, once, so that a missing ACL permission shows on start. */
  PROBE("probe");

  private final String file;

  Script(String file) {
    this.file = file;
  }

  /**
   * The script's source, with the room prelude (and its constants) in front where needed.
   *
   * @param eventsTtlMs how long a room's undelivered events live ({@link Keys#eventsTtlMs})
   */
  String source(long eventsTtlMs) {
    String body = read(file);
    return this == DUE || this == WATCH || this == PROBE
        ? body
        : "local margin_ms = " + Keys.EXPIRY_MARGIN_MS + "\n"
            + "local events_ttl_ms = " + eventsTtlMs + "\n"
            + read("prelude") + "\n" + body;
  }

  private static String read(String name) {
    try (InputStream in = Script.class.getResourceAsStream(name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("missing script " + name + ".lua");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
