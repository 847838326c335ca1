package org.signalbox.ice;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.signalbox.config.Settings;
import org.signalbox.protocol.Outbound.IceServer;

/** Builds {@code welcome.iceServers} from the settings; TURN credentials are fresh per welcome. */
public final class IceServers {

  private final List<String> stunUrls;
  private final List<String> turnUrls;
  private final TurnCredentials turn;
  private final Clock clock;

  public IceServers(Settings settings, Clock clock) {
    this.stunUrls = settings.stunUrls();
    this.turnUrls = settings.turnUrls();
    this.turn =
        settings.turnEnabled()
            ? new TurnCredentials(settings.turnSecret(), settings.turnTtlSeconds())
            : null;
    this.clock = clock;
  }

  public List<IceServer> forPeer(String peerId) {
    List<IceServer> servers = new ArrayList<>(2);
    if (!stunUrls.isEmpty()) {
      servers.add(new IceServer(stunUrls, null, null));
    }
    if (turn != null) {
      TurnCredentials.Credential c = turn.issue(peerId, clock.instant());
      servers.add(new IceServer(turnUrls, c.username(), c.credential()));
    }
    return List.copyOf(servers);
  }
}
