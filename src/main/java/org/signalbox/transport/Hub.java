package org.signalbox.transport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.signalbox.auth.JoinPolicies;
import org.signalbox.auth.TokenVerifier;
import org.signalbox.config.Settings;
import org.signalbox.ice.IceServers;
import org.signalbox.metrics.NodeMetrics;
import org.signalbox.protocol.InboundCodec;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.room.Membership;

/**
 * What a connection needs of the node that serves it. The node (the composition root) implements
 * it and hands it over; the transport never reaches back for the node itself.
 */
public interface Hub {

  /** {@code welcome.protocol}. */
  int PROTOCOL_VERSION = 1;

  Settings settings();

  InboundCodec inbound();

  OutboundCodec outbound();

  IceServers iceServers();

  Outbound.Limits limits();

  Membership membership();

  /** The join-token check of auth=token mode, or null when joins are not token-checked. */
  TokenVerifier tokens();

  /** The portal's join policies (possibly none). */
  JoinPolicies joinPolicies();

  NodeMetrics metrics();

  /** Runs the calls that may block on a stalled socket (pings, closes). */
  ExecutorService blockingExecutor();

  /** The node's one timer thread: only short tasks, never a blocking call. */
  ScheduledExecutorService timers();

  OriginPolicy originPolicy();

  /** Who a request comes from, as trustedProxies lets the node believe. */
  ClientAddresses clientAddresses();

  /** Live connections per client address. */
  AddressCounts connectionsPerAddress();

  /** Registers a new connection on the wire {@code wires} makes, and welcomes it or refuses it. */
  Connection open(Wire.Factory wires);

  /** Called once per connection the node registered, when the container reports its close. */
  void closed(Connection connection);
}
