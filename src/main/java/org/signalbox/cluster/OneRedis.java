package org.signalbox.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.signalbox.config.RedisUrl;

/**
 * One Redis server. Lettuce's own reconnect is off: when any of a session's connections drops,
 * the session is over (its channels saw publishes it missed), and the connector starts another.
 */
final class OneRedis implements RedisBackend {

  private final RedisURI uri;
  private final RedisClient client;
  private final RedisPubSubListener<String, String> messages;

  OneRedis(RedisUrl url, ClientResources resources, RedisPubSubListener<String, String> messages,
      Events events) {
    this.uri = uri(url, url.hosts().get(0));
    this.uri.setDatabase(url.database());
    this.messages = messages;
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(RedisConnector.REQUEST_QUEUE)
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
        .socketOptions(socketOptions())
        .build());
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {}

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        events.sessionConnectionClosed(connection);
      }

      @Override
      public void onRedisExceptionCaught(RedisChannelHandler<?, ?> c, Throwable cause) {}
    });
  }

  /** The URI of one server of {@code url}, with its credentials and TLS. */
  static RedisURI uri(RedisUrl url, RedisUrl.Address address) {
    RedisURI.Builder b = RedisURI.builder().withHost(address.host()).withPort(address.port())
        .withSsl(url.tls()).withTimeout(RedisConnector.COMMAND_TIMEOUT);
    if (url.password() != null && url.user() != null) {
      b.withAuthentication(url.user(), url.password().toCharArray());
    } else if (url.password() != null) {
      b.withPassword(url.password().toCharArray());
    }
    return b.build();
  }

  static SocketOptions socketOptions() {
    return SocketOptions.builder().connectTimeout(RedisConnector.CONNECT_TIMEOUT).keepAlive(true)
        .build();
  }

  @Override
  public int partitions() {
    return 1;
  }

  @Override
  public Connections open() {
    StatefulRedisConnection<String, String> commands = null;
    StatefulRedisPubSubConnection<String, String> pubsub = null;
    StatefulRedisConnection<String, String> health = null;
    try {
      commands = client.connect(StringCodec.UTF8);
      pubsub = client.connectPubSub(StringCodec.UTF8);
      health = client.connect(StringCodec.UTF8);
      pubsub.addListener(messages);
      return new Connections(commands, commands.async(), health, health.async(),
          new OneConnection(pubsub));
    } catch (RuntimeException e) {
      if (health != null) {
        health.closeAsync();
      }
      if (pubsub != null) {
        pubsub.closeAsync();
      }
      if (commands != null) {
        commands.closeAsync();
      }
      throw e;
    }
  }

  @Override
  public CompletableFuture<List<String>> time(Connections connections) {
    return connections.healthCommands().time().toCompletableFuture();
  }

  @Override
  public boolean sharded() {
    return false;
  }

  @Override
  public String where() {
    return uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public void shutdown() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /** Every channel on the session's one pub/sub connection. */
  private record OneConnection(StatefulRedisPubSubConnection<String, String> pubsub)
      implements Channels {

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
      return pubsub.async().ssubscribe(channel).toCompletableFuture().thenApply(ok -> null);
    }

    @Override
    public void unsubscribe(String channel) {
      pubsub.async().sunsubscribe(channel);
    }

    @Override
    public void close() {
      pubsub.closeAsync();
    }

    @Override
    public boolean dependsOn(Object connection) {
      return pubsub == connection;
    }
  }
}
