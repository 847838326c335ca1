package org.signalbox;

import jakarta.json.spi.JsonProvider;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.security.CodeSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.signalbox.auth.JoinPolicies;
import org.signalbox.auth.TokenVerifier;
import org.signalbox.config.AuthMode;
import org.signalbox.config.Settings;
import org.signalbox.config.Transport;
import org.signalbox.events.EventDelivery;
import org.signalbox.events.EventPump;
import org.signalbox.events.EventStore;
import org.signalbox.events.MemoryEventStore;
import org.signalbox.events.RoomEventMetrics;
import org.signalbox.ice.IceServers;
import org.signalbox.webhook.Webhooks;
import org.signalbox.metrics.NodeMetrics;
import org.signalbox.protocol.InboundCodec;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.room.Ids;
import org.signalbox.room.Membership;
import org.signalbox.room.RoomRegistry;
import org.signalbox.spi.RoomListener;
import org.signalbox.transport.AddressCounts;
import org.signalbox.transport.ClientAddresses;
import org.signalbox.transport.Connection;
import org.signalbox.transport.HttpSessions;
import org.signalbox.transport.Hub;
import org.signalbox.transport.OriginPolicy;
import org.signalbox.transport.Wire;

/**
 * One running signaling node, and the composition root: it builds the settings' parts (rooms,
 * events, connections, the threads that serve them) and hands each what it needs. One serves each
 * web application: its lifecycle listener puts it in the servlet context, where servlets find it
 * and where each socket's handshake takes it from ({@code HandshakeRequestListener}).
 * Started and stopped by the web application's lifecycle listener, or directly by an embedding
 * test.
 */
public final class Signalbox implements Hub {

  /** {@code welcome.protocol}. */
  public static final int PROTOCOL_VERSION = Hub.PROTOCOL_VERSION;

  /** How often a cluster node looks for room events other nodes produced. */
  private static final long CLUSTER_EVENT_POLL_MS = 250;

  /** A single node's pump waits for a wake-up, or for this long at most. */
  private static final long LOCAL_EVENT_POLL_MS = 5_000;

  private static final System.Logger LOG = System.getLogger(Signalbox.class.getName());

  /** Heartbeat checks per interval: a lost connection is noticed within 2.25 intervals. */
  private static final int HEARTBEAT_CHECKS_PER_INTERVAL = 4;

  /** How long a stop waits for close frames to be written. */
  private static final long STOP_GRACE_MS = 2_000;


  private final Settings settings;
  private final InboundCodec inbound;
  private final OutboundCodec outbound;
  private final OriginPolicy originPolicy;
  private final ClientAddresses clientAddresses;
  /** Live connections per client address (maxConnectionsPerAddress). */
  private final AddressCounts perAddress;
  /** The client address each registered connection holds a slot for (absent: not counted). */
  private final Map<Connection, String> addressOf = new ConcurrentHashMap<>();
  private final IceServers iceServers;
  private final Outbound.Limits limits;
  private final Ids ids = new Ids();
  private final ScheduledExecutorService timers;
  private final ExecutorService blocking;
  /** Set once by {@link #start}, before the first connection. */
  private volatile Membership membership;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  /** The sessions of the HTTP binding (each also one of {@link #connections}). */
  private final HttpSessions httpSessions = new HttpSessions(this);
  /** Every thread the node started, so that stop can wait until each has really exited. */
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionCount = new AtomicInteger();

  private final JsonProvider json;
  private final NodeMetrics metrics;
  /** Checks join tokens in auth=token mode; null in the other modes. */
  private final TokenVerifier tokens;
  private final JoinPolicies joinPolicies;
  private final List<RoomListener> roomListeners;
  /** The single node's room events; unused by a cluster, whose events live in Redis. */
  private final MemoryEventStore localEvents;
  private final EventDelivery delivery;
  /** Set once by {@link #start}, with the membership. */
  private volatile EventPump pump;

  private Signalbox(Settings settings) {
    this.json = JsonProvider.provider();
    this.settings = settings;
    this.inbound = new InboundCodec(json);
    this.outbound = new OutboundCodec(json);
    this.clientAddresses = new ClientAddresses(settings);
    this.originPolicy = new OriginPolicy(settings, clientAddresses);
    this.perAddress = new AddressCounts(settings.maxConnectionsPerAddress());
    this.tokens = settings.auth() == AuthMode.TOKEN
        ? new TokenVerifier(settings.tokenSecret(), Clock.systemUTC()) : null;
    this.iceServers = new IceServers(settings, Clock.systemUTC());
    this.limits =
        new Outbound.Limits(
            settings.maxMessageBytes(), settings.maxRoomSize(), settings.messagesPerSecond(),
            settings.burst(), settings.resumeGraceMs());
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("signalbox-timer"));
    // Unbounded on purpose: it runs pings and closes, which block on a stalled socket; a bounded
    // pool would let stalled receivers delay everyone else's heartbeats. Work handed to it after
    // stop() is dropped rather than thrown back into a room's delivery loop.
    this.blocking =
        new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
            daemon("signalbox-io"), new ThreadPoolExecutor.DiscardPolicy());
    this.metrics = new NodeMetrics(
        connectionCount::get, () -> membership.roomCount(), () -> membership.peerCount(),
        () -> connections.stream().mapToLong(Connection::pending).sum(),
        () -> connections.stream().mapToLong(Connection::pendingBytes).sum(),
        () -> membership.bufferedBytes(),
        transport -> (int) connections.stream()
            .filter(c -> c.transport().wire().equals(transport)).count());
    ClassLoader loader = classLoader();
    this.joinPolicies = JoinPolicies.load(loader, blocking);
    List<RoomListener> listeners = new ArrayList<>();
    listeners.add(new RoomEventMetrics(metrics.registry()));
    ServiceLoader.load(RoomListener.class, loader).forEach(listeners::add);
    if (listeners.size() > 1) {
      LOG.log(Level.INFO, () -> "room listeners: " + listeners.stream().skip(1)
          .map(l -> l.getClass().getName()).toList());
    }
    this.roomListeners = List.copyOf(listeners);
    this.delivery = settings.webhooksEnabled()
        ? Webhooks.start(settings, metrics.registry()) : EventDelivery.NONE;
    this.localEvents = new MemoryEventStore(
        settings.webhookQueue(), delivery::dropped, () -> {
          EventPump p = pump;
          if (p != null) {
            p.wake();
          }
        });
  }

  /** The web application's class loader: where ServiceLoader looks for the portal's SPI. */
  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : Signalbox.class.getClassLoader();
  }

  /**
   * Starts the node of this web application: rooms in memory, or shared through Redis when
   * {@code redisUrl} is set. Only then are the cluster's classes (and its Redis client) loaded.
   */
  public static Signalbox start(Settings settings) {
    return start(
        settings, settings.redisUrl() == null ? Signalbox::inMemory : ClusterLoader::membership);
  }

  /** Starts the node with the given rooms (a test's, or a decorated default). */
  public static Signalbox start(Settings settings, Function<Signalbox, Membership> rooms) {
    Signalbox node = new Signalbox(settings);
    try {
      node.membership = rooms.apply(node);
    } catch (RuntimeException e) {
      node.delivery.stop();
      node.stopThreads();
      throw e;
    }
    EventStore events = node.membership.events();
    boolean local = events == null;
    node.pump = new EventPump(local ? node.localEvents : events, node.roomListeners,
        node.delivery, Clock.systemUTC(), local ? LOCAL_EVENT_POLL_MS : CLUSTER_EVENT_POLL_MS,
        node.daemon("signalbox-events"));
    node.pump.start();
    // The write timeout is checked on the same beat, so the beat follows the shorter of the two.
    long beat = Math.min(settings.heartbeatMs(), settings.writeTimeoutMs());
    if (settings.serves(Transport.HTTP)) {
      beat = Math.min(beat, settings.pollMs()); // a session without polls is lost after 2 x pollMs
    }
    long period = Math.max(1, beat / HEARTBEAT_CHECKS_PER_INTERVAL);
    node.timers.scheduleAtFixedRate(node::heartbeat, period, period, TimeUnit.MILLISECONDS);
    LOG.log(Level.INFO, () -> "Signalbox started: " + settings.describe());
    // Full servers bring their own JSON-P beside the one the WAR bundles for Tomcat; which one a
    // deployment ended up with is the first question when JSON behaves differently on one server.
    LOG.log(Level.INFO, () -> "JSON-P: API " + origin(JsonProvider.class)
        + ", implementation " + origin(node.json.getClass()));
    return node;
  }

  private static String origin(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    return type.getName() + " from " + (location == null ? "the platform" : location);
  }

  /** The single node's rooms, in memory, feeding the node's own event queue. */
  public static Membership inMemory(Signalbox node) {
    return new RoomRegistry(node.settings, node.outbound, node.timers, node.ids,
        node.localEvents::emit, Clock.systemUTC());
  }

  /** Closes every connection with 1001 and stops the node's threads. */
  public void stop() {
    connections.forEach(Connection::shutdown);
    membership.stop();
    if (pump != null) {
      pump.stop();
    }
    stopThreads();
    LOG.log(Level.INFO, "Signalbox stopped");
  }

  /**
   * Registers a new connection and welcomes it, or refuses it with 1013 past maxConnections or
   * past maxConnectionsPerAddress for its client address.
   */
  @Override
  public Connection open(Wire.Factory wires) {
    Connection connection = new Connection(this, wires, ids.peerId());
    int max = settings.maxConnections();
    if (connectionCount.incrementAndGet() > max && max > 0) {
      connectionCount.decrementAndGet();
      connection.refuse("node at its connection limit");
      return connection;
    }
    if (!membership.available()) {
      connectionCount.decrementAndGet();
      connection.refuse("cluster unavailable, try again later");
      return connection;
    }
    if (settings.auth() == AuthMode.CONTAINER && connection.user() == null) {
      // The handshake check refuses these with 403; a container that skipped it still gets no
      // anonymous member.
      connectionCount.decrementAndGet();
      connection.refuseUnauthenticated();
      return connection;
    }
    // Taken last, so that no refusal above has a slot to give back; released in closed().
    String address = connection.clientAddress();
    if (!perAddress.tryAcquire(address)) {
      connectionCount.decrementAndGet();
      connection.refuse("too many connections from this address, try again later");
      return connection;
    }
    if (address != null) {
      addressOf.put(connection, address);
    }
    connections.add(connection);
    try {
      connection.start();
    } catch (RuntimeException e) {
      // The endpoint never gets this connection, so no onClose would give its slots back.
      closed(connection);
      throw e;
    }
    return connection;
  }

  @Override
  public void closed(Connection connection) {
    if (connections.remove(connection)) {
      connectionCount.decrementAndGet();
      perAddress.release(addressOf.remove(connection));
    }
  }

  @Override
  public Settings settings() {
    return settings;
  }

  @Override
  public InboundCodec inbound() {
    return inbound;
  }

  @Override
  public OutboundCodec outbound() {
    return outbound;
  }

  @Override
  public OriginPolicy originPolicy() {
    return originPolicy;
  }

  /** Who a request comes from, as trustedProxies lets the node believe. */
  @Override
  public ClientAddresses clientAddresses() {
    return clientAddresses;
  }

  /** Live connections per client address. */
  @Override
  public AddressCounts connectionsPerAddress() {
    return perAddress;
  }

  @Override
  public IceServers iceServers() {
    return iceServers;
  }

  @Override
  public Outbound.Limits limits() {
    return limits;
  }

  @Override
  public Membership membership() {
    return membership;
  }

  /** The sessions of the HTTP binding. */
  public HttpSessions httpSessions() {
    return httpSessions;
  }

  /** Draws peer ids and resume tokens. */
  public Ids ids() {
    return ids;
  }

  /**
   * Closes every connection with 1001 without changing any membership: the node cannot serve
   * them now (it lost its cluster store), and their clients resume elsewhere or later.
   */
  public void closeAllGoingAway(String why) {
    for (Connection c : connections) {
      c.goingAway(why);
    }
  }

  @Override
  public NodeMetrics metrics() {
    return metrics;
  }

  @Override
  public TokenVerifier tokens() {
    return tokens;
  }

  @Override
  public JoinPolicies joinPolicies() {
    return joinPolicies;
  }

  /** The single node's queue of room events (a cluster's are in Redis). */
  public MemoryEventStore localEvents() {
    return localEvents;
  }

  /** The node's one timer thread: only short tasks, never a blocking call. */
  @Override
  public ScheduledExecutorService timers() {
    return timers;
  }

  /** Runs the calls that may block on a stalled socket (pings, closes). */
  @Override
  public ExecutorService blockingExecutor() {
    return blocking;
  }

  public int connectionCount() {
    return connectionCount.get();
  }

  private void heartbeat() {
    long now = System.nanoTime();
    long interval = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatMs());
    for (Connection c : connections) {
      c.heartbeat(now, interval);
    }
  }

  // Waits for the threads to end, not only asks: a container checks for threads left behind by an
  // undeployed application right after its listeners return (Tomcat warns of a leak).
  private void stopThreads() {
    timers.shutdownNow();
    blocking.shutdown();
    try {
      if (!blocking.awaitTermination(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
        blocking.shutdownNow();
      }
      timers.awaitTermination(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
      // An executor counts as terminated a moment before its last thread has exited; Tomcat
      // looks at the threads themselves, so wait for those too.
      for (Thread t : threads) {
        t.join(STOP_GRACE_MS);
      }
    } catch (InterruptedException e) {
      blocking.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      threads.removeIf(old -> !old.isAlive()); // idle I/O threads come and go; keep the live
      threads.add(t);
      return t;
    };
  }
}
