package org.signalbox.ice;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.signalbox.config.AuthMode;
import org.signalbox.config.Settings;
import org.signalbox.protocol.Outbound.IceServer;

/**
 * Builds {@code iceServers} from the settings. TURN credentials are a resource (PROTOCOL.md,
 * Authentication): in {@code token} and {@code container} mode only an admitted peer gets them, in
 * {@code joined}; {@code welcome} then holds STUN only. They are fresh on every issue.
 */
public final class IceServers {

  private final List<String> stunUrls;
  private final List<String> turnUrls;
  private final TurnCredentials turn;
  private final Clock clock;
  /** TURN goes into welcome too: only in open mode, where anyone who passes the origin joins. */
  private final boolean turnBeforeJoin;

  public IceServers(Settings settings, Clock clock) {
    this.turnBeforeJoin = settings.auth() == AuthMode.OPEN;
    this.stunUrls = settings.stunUrls();
    this.turnUrls = settings.turnUrls();
    this.turn =
        settings.turnEnabled()
            ? new TurnCredentials(settings.turnSecret(), settings.turnTtlSeconds())
            : null;
    this.clock = clock;
  }

  /** {@code welcome.iceServers}: STUN, and TURN in {@code open} mode only. */
  public List<IceServer> forWelcome(String peerId) {
    return build(peerId, turnBeforeJoin);
  }

  /** {@code joined.iceServers}: the whole list, TURN credentials fresh, for an admitted peer. */
  public List<IceServer> forJoined(String peerId) {
    return build(peerId, true);
  }

  private List<IceServer> build(String peerId, boolean withTurn) {
    List<IceServer> servers = new ArrayList<>(2);
    if (!stunUrls.isEmpty()) {
      servers.add(new IceServer(stunUrls, null, null));
    }
    if (withTurn && turn != null) {
      TurnCredentials.Credential c = turn.issue(peerId, clock.instant());
      servers.add(new IceServer(turnUrls, c.username(), c.credential()));
    }
    return List.copyOf(servers);
  }
}
