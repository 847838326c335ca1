package org.signalbox.transport;

import jakarta.json.spi.JsonProvider;
import java.security.Principal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.signalbox.config.Settings;

/**
 * The node's sessions of the HTTP binding, by their ids: opens them, finds them for each request,
 * and forgets each once it is over. The HTTP adapter (a servlet) only parses requests and writes
 * answers; everything a session does is here and in {@link HttpSession}.
 */
public final class HttpSessions {

  /** Looked up once: {@code Json.create…} looks the provider up on every call. */
  static final JsonProvider JSON = JsonProvider.provider();

  /** Session ids carry this many random bits (PROTOCOL.md: at least 128). */
  private static final int ID_BYTES = 18;

  private final Hub hub;
  private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  /** Names sessions in the log. */
  private final AtomicLong opened = new AtomicLong();

  public HttpSessions(Hub hub) {
    this.hub = hub;
  }

  /**
   * Opens a session for a client that is allowed to connect, and returns the open answer:
   * {@code {"session":S,"frames":[welcome],"pollMs":P}}. A node that refuses the connection
   * answers with the {@code closed} frame in place of {@code welcome}, and the session is over.
   */
  public String open(Principal user, String clientAddress) {
    Settings settings = hub.settings();
    String id = newId();
    HttpWire wire = new HttpWire("http-" + opened.incrementAndGet(), user, clientAddress, settings.outboundQueue(),
        settings.outboundBytes(), settings.pollMs(), hub.blockingExecutor(), hub.timers());
    Connection connection = hub.open(overflow -> {
      wire.overflowTo(overflow);
      return wire;
    });
    // Ids are never drawn twice, so removing by id alone removes this session.
    HttpSession session = new HttpSession(id, wire, connection, settings.maxMessageBytes(),
        () -> sessions.remove(id));
    wire.onFinished(code -> {
      sessions.remove(id);
      connection.onClose(code);
    });
    // Registered before its frames are read: a session that ends meanwhile removes itself.
    sessions.put(id, session);
    String frames = wire.firstFrames();
    if (wire.endsAtOnce()) {
      wire.finish();
    }
    return "{\"session\":\"" + id + "\",\"frames\":" + frames + ",\"pollMs\":"
        + settings.pollMs() + "}";
  }

  /** The live session {@code id}, or null. */
  public HttpSession get(String id) {
    return id == null ? null : sessions.get(id);
  }

  /** Open sessions, for the metrics. */
  public int size() {
    return sessions.size();
  }

  private String newId() {
    byte[] bits = new byte[ID_BYTES];
    random.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }
}
