package org.signalbox.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.resource.ClientResources;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.signalbox.config.RedisUrl;

/**
 * A Redis Cluster. Commands go through Lettuce's cluster connection, which routes each by its
 * first key's slot and follows the topology (refreshed periodically, and at once when a
 * connection to a shard keeps failing or Redis answers MOVED). Channels are subscribed on the
 * shard that owns their slot ({@link ShardChannels}).
 *
 * <p>Unlike one Redis, a connection that drops here does not end the node's session: Lettuce
 * reconnects to the shard, or to the replica that took its place. Only the rooms of a shard that
 * failed over are affected ({@link Events#channelsLost}); the node stops serving only when no
 * shard answers its health ping.
 */
final class ShardedRedis implements RedisBackend {

  private static final System.Logger LOG = System.getLogger(ShardedRedis.class.getName());

  /**
   * How often the topology is read even when nothing went wrong. A failover is usually found
   * sooner, by the adaptive triggers and by the shard's channels closing.
   */
  static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(5);
  /** At most one adaptive refresh per this long. */
  private static final Duration ADAPTIVE_REFRESH_GAP = Duration.ofMillis(500);

  private final RedisUrl url;
  private final RedisClusterClient client;
  /**
   * The health ping and the liveness scripts have a client, and an I/O thread, of their own: a
   * cluster connection opens one socket per shard, and on the command client's threads they would
   * be read behind relays (a node whose liveness refreshes wait is taken for dead by the others).
   */
  private final LettuceResources healthResources;
  private final RedisClusterClient healthClient;
  private final RedisClient shardClient;
  private final RedisPubSubListener<String, String> messages;
  private final Events events;

  ShardedRedis(RedisUrl url, ClientResources resources,
      RedisPubSubListener<String, String> messages, Events events) {
    this.url = url;
    this.messages = messages;
    this.events = events;
    List<RedisURI> seeds = new ArrayList<>();
    for (RedisUrl.Address a : url.hosts()) {
      seeds.add(OneRedis.uri(url, a));
    }
    this.client = RedisClusterClient.create(resources, seeds);
    client.setOptions(options());
    this.healthResources = new LettuceResources(1, 1);
    this.healthClient = RedisClusterClient.create(healthResources.resources(), seeds);
    healthClient.setOptions(options());
    // The channels' own connections, one per shard, never reconnect: a shard's channels that
    // drop saw publishes they missed, so their rooms are given up and joined again.
    this.shardClient = RedisClient.create(resources);
    shardClient.setOptions(ClientOptions.builder()
        .autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(OneRedis.socketOptions())
        .build());
  }

  private static ClusterClientOptions options() {
    return ClusterClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(RedisConnector.REQUEST_QUEUE)
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
        .socketOptions(OneRedis.socketOptions())
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(TOPOLOGY_REFRESH)
            .enableAllAdaptiveRefreshTriggers()
            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_GAP)
            .refreshTriggersReconnectAttempts(2)
            .build())
        .build();
  }

  @Override
  public int partitions() {
    return Keys.CLUSTER_PARTITIONS;
  }

  @Override
  public Connections open() {
    StatefulRedisClusterConnection<String, String> commands = null;
    StatefulRedisClusterConnection<String, String> health = null;
    try {
      commands = client.connect(StringCodec.UTF8);
      health = healthClient.connect(StringCodec.UTF8);
      StatefulRedisClusterConnection<String, String> topology = commands;
      ShardChannels channels = new ShardChannels(shardClient,
          slot -> topology.getPartitions().getMasterBySlot(slot),
          node -> OneRedis.uri(url, new RedisUrl.Address(node.getUri().getHost(),
              node.getUri().getPort())),
          messages, events::channelsLost, this::refresh);
      return new Connections(commands, commands.async(), health, health.async(), channels);
    } catch (RuntimeException e) {
      if (health != null) {
        health.closeAsync();
      }
      if (commands != null) {
        commands.closeAsync();
      }
      throw e;
    }
  }

  /** Reads the topology again now: a shard's channels dropped, or a subscription failed. */
  void refresh() {
    client.refreshPartitionsAsync().whenComplete((ok, failure) -> {
      if (failure != null) {
        LOG.log(Level.DEBUG, () -> "topology refresh failed: " + failure);
      }
    });
  }

  @Override
  public CompletableFuture<List<String>> time(Connections connections) {
    StatefulRedisClusterConnection<String, String> health =
        (StatefulRedisClusterConnection<String, String>) connections.health();
    List<RedisClusterNode> masters = new ArrayList<>();
    for (RedisClusterNode n : health.getPartitions()) {
      if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.is(RedisClusterNode.NodeFlag.FAIL)) {
        masters.add(n);
      }
    }
    CompletableFuture<List<String>> first = new CompletableFuture<>();
    if (masters.isEmpty()) {
      first.completeExceptionally(new IllegalStateException("no shard is known"));
      return first;
    }
    AtomicInteger failures = new AtomicInteger();
    for (RedisClusterNode n : masters) {
      health.getConnectionAsync(n.getUri().getHost(), n.getUri().getPort())
          .thenCompose(c -> c.async().time().toCompletableFuture())
          .whenComplete((time, failure) -> {
            if (failure == null) {
              first.complete(time);
            } else if (failures.incrementAndGet() == masters.size()) {
              first.completeExceptionally(failure);
            }
          });
    }
    return first;
  }

  @Override
  public boolean sharded() {
    return true;
  }

  @Override
  public String where() {
    return "Redis Cluster " + url.where();
  }

  @Override
  public void shutdown() {
    shardClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    healthClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    healthResources.shutdown();
  }
}
