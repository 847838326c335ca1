package org.signalbox.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A node's room channels on a Redis Cluster: each subscribed ({@code SSUBSCRIBE}) on the master
 * that owns its slot, one connection per master. A message published on a shard reaches only
 * the subscribers of that shard, so when a shard's connection drops (its master died; the
 * replica that takes over never had the subscriptions) or Redis takes a channel back ({@code
 * sunsubscribe} unasked: its slot moved), the channel is lost: everything published on it since
 * is gone for this node, and its rooms must be given up, never served from a silent channel.
 */
final class ShardChannels implements Channels {

  private final RedisClient client;
  private final IntFunction<RedisClusterNode> masterOfSlot;
  private final Function<RedisClusterNode, RedisURI> uriOf;
  private final RedisPubSubListener<String, String> messages;
  private final Consumer<List<String>> lost;
  private final Runnable refreshTopology;
  private final RedisConnectionStateListener drops;

  private final Object lock = new Object();
  /** Guarded by lock: the connection to each master, by host:port. */
  private final Map<String, Line> lines = new HashMap<>();
  /** Guarded by lock: the line each wanted channel is subscribed on. */
  private final Map<String, Line> wanted = new HashMap<>();
  private boolean closed;

  ShardChannels(RedisClient client, IntFunction<RedisClusterNode> masterOfSlot,
      Function<RedisClusterNode, RedisURI> uriOf, RedisPubSubListener<String, String> messages,
      Consumer<List<String>> lost, Runnable refreshTopology) {
    this.client = client;
    this.masterOfSlot = masterOfSlot;
    this.uriOf = uriOf;
    this.messages = messages;
    this.lost = lost;
    this.refreshTopology = refreshTopology;
    this.drops = new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {}

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        dropped(connection);
      }

      @Override
      public void onRedisExceptionCaught(RedisChannelHandler<?, ?> c, Throwable cause) {}
    };
    // The client outlives this session's channels: the listener goes with them (close).
    client.addListener(drops);
  }

  /** One master's connection and the channels on it. */
  private final class Line {
    final String address;
    final CompletableFuture<StatefulRedisPubSubConnection<String, String>> connection;
    /** Guarded by lock. */
    final Set<String> channels = new HashSet<>();
    /** Guarded by lock: our own unsubscribes not yet confirmed, by channel. */
    final Map<String, Integer> leaving = new HashMap<>();

    Line(String address, RedisURI uri) {
      this.address = address;
      this.connection = client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture()
          .thenApply(c -> {
            c.addListener(new Forward(this));
            return c;
          });
    }
  }

  @Override
  public CompletableFuture<Void> subscribe(String channel) {
    RedisClusterNode master = masterOfSlot.apply(SlotHash.getSlot(channel));
    if (master == null || master.getUri() == null) {
      refreshTopology.run();
      return CompletableFuture.failedFuture(
          new IllegalStateException("no master serves the slot of " + channel));
    }
    RedisURI uri = uriOf.apply(master);
    String address = uri.getHost() + ":" + uri.getPort();
    Line line;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("closed"));
      }
      line = lines.get(address);
      if (line == null || line.connection.isCompletedExceptionally()) {
        line = new Line(address, uri);
        lines.put(address, line);
      }
      line.channels.add(channel);
      wanted.put(channel, line);
    }
    Line on = line;
    return on.connection
        .thenCompose(c -> c.async().ssubscribe(channel).toCompletableFuture())
        .<Void>thenApply(ok -> null)
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            forget(on, channel);
            refreshTopology.run();
          }
        });
  }

  @Override
  public void unsubscribe(String channel) {
    Line line;
    synchronized (lock) {
      line = wanted.remove(channel);
      if (line == null) {
        return;
      }
      line.channels.remove(channel);
      line.leaving.merge(channel, 1, Integer::sum);
    }
    line.connection.thenAccept(c -> c.async().sunsubscribe(channel));
  }

  private void forget(Line line, String channel) {
    synchronized (lock) {
      if (wanted.get(channel) == line) {
        wanted.remove(channel);
        line.channels.remove(channel);
      }
    }
  }

  /** A master's connection closed: every channel on it is lost. */
  private void dropped(Object connection) {
    List<String> gone;
    synchronized (lock) {
      Line line = null;
      for (Line l : lines.values()) {
        if (l.connection.isDone() && !l.connection.isCompletedExceptionally()
            && l.connection.join() == connection) {
          line = l;
        }
      }
      if (line == null) {
        return;
      }
      lines.remove(line.address, line);
      gone = new ArrayList<>(line.channels);
      for (String channel : gone) {
        wanted.remove(channel, line);
      }
      line.channels.clear();
      if (closed) {
        return;
      }
    }
    refreshTopology.run();
    if (!gone.isEmpty()) {
      lost.accept(gone);
    }
  }

  /** Redis said a channel is no longer subscribed: ours to expect, or its slot moved. */
  private void takenBack(Line line, String channel) {
    synchronized (lock) {
      Integer leaving = line.leaving.get(channel);
      if (leaving != null) {
        if (leaving == 1) {
          line.leaving.remove(channel);
        } else {
          line.leaving.put(channel, leaving - 1);
        }
        return;
      }
      if (wanted.get(channel) != line) {
        return;
      }
      wanted.remove(channel);
      line.channels.remove(channel);
    }
    refreshTopology.run();
    lost.accept(List.of(channel));
  }

  @Override
  public void close() {
    List<Line> all;
    synchronized (lock) {
      closed = true;
      client.removeListener(drops);
      all = new ArrayList<>(lines.values());
      lines.clear();
      wanted.clear();
    }
    for (Line line : all) {
      line.connection.thenAccept(StatefulRedisPubSubConnection::closeAsync);
    }
  }

  /** Hands a line's messages on, and watches for the channels Redis takes back. */
  private final class Forward implements RedisPubSubListener<String, String> {
    private final Line line;

    Forward(Line line) {
      this.line = line;
    }

    @Override
    public void smessage(String channel, String message) {
      messages.smessage(channel, message);
    }

    @Override
    public void sunsubscribed(String channel, long count) {
      takenBack(line, channel);
    }

    @Override
    public void message(String channel, String message) {}

    @Override
    public void message(String pattern, String channel, String message) {}

    @Override
    public void subscribed(String channel, long count) {}

    @Override
    public void psubscribed(String pattern, long count) {}

    @Override
    public void unsubscribed(String channel, long count) {}

    @Override
    public void punsubscribed(String pattern, long count) {}
  }
}
