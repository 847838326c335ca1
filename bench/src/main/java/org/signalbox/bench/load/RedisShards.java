package org.signalbox.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of {@code n} masters and no replicas on loopback, every process pinned to the
 * same cores, for the shards scenario. Built by hand rather than with {@code redis-cli --cluster
 * create}, which wants three masters at least: each node gets its config epoch and an even range
 * of the 16384 slots, then meets the first. One master then owns every slot: the same cluster
 * mode, one shard.
 */
final class RedisShards implements AutoCloseable {

  static final int SLOTS = 16384;
  /** The partitions Signalbox spreads rooms over on a Redis Cluster (its Keys). */
  static final int PARTITIONS = 256;
  private static final long READY_SECONDS = 30;

  /** One master: its process, and the slots it owns ({@code from..to}, inclusive). */
  record Shard(ServerProcess process, int from, int to) {
    boolean owns(int slot) {
      return slot >= from && slot <= to;
    }
  }

  final List<Shard> shards;

  private RedisShards(List<Shard> shards) {
    this.shards = shards;
  }

  /**
   * Starts {@code count} masters on {@code port}, {@code port + 1}, ... (cluster bus on {@code
   * busPort}, ...), pinned to {@code cores}, and waits until every one says the cluster is ok and
   * knows every slot's owner.
   */
  static RedisShards start(int count, int port, int busPort, String cores, Path work)
      throws IOException, InterruptedException {
    List<Shard> shards = new ArrayList<>();
    RedisShards cluster = new RedisShards(shards);
    try {
      for (int i = 0; i < count; i++) {
        int p = port + i;
        Path dir = work.resolve("redis-shard-" + p);
        deleteTree(dir);
        Files.createDirectories(dir);
        // No persistence and no replicas: the bench measures the relay, not the disk or the
        // replication stream. A node that is slow to answer is not failed over (there is no
        // replica to take over anyway).
        List<String> command = List.of("taskset", "-c", cores, "redis-server",
            "--bind", "127.0.0.1", "--port", Integer.toString(p), "--dir", dir.toString(),
            "--save", "", "--appendonly", "no", "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf", "--cluster-port", Integer.toString(busPort + i),
            "--cluster-node-timeout", "15000", "--cluster-require-full-coverage", "no");
        ServerProcess process = ServerProcess.start("Redis shard " + (i + 1), command, p,
            work.resolve("redis-shard-" + p + ".log"), ServerProcess.Runtime.OTHER, null);
        shards.add(new Shard(process, i * SLOTS / count, (i + 1) * SLOTS / count - 1));
      }
      for (int i = 0; i < count; i++) {
        Shard s = shards.get(i);
        // Distinct epochs, as redis-cli gives them: no collision for the cluster to settle.
        RedisWire.call(s.process().address, "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
        RedisWire.call(s.process().address, "CLUSTER", "ADDSLOTSRANGE", Integer.toString(s.from()),
            Integer.toString(s.to()));
      }
      for (int i = 1; i < count; i++) {
        RedisWire.call(shards.get(i).process().address, "CLUSTER", "MEET", "127.0.0.1",
            Integer.toString(port), Integer.toString(busPort));
      }
      cluster.awaitReady(count);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void awaitReady(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = notReady(count);
      if (last == null) {
        return;
      }
      Thread.sleep(50); // cluster gossip: nothing to subscribe to
    }
    throw new IllegalStateException("Redis Cluster of " + count + " not ready within "
        + READY_SECONDS + " s: " + last);
  }

  private String notReady(int count) {
    for (Shard s : shards) {
      String info = RedisWire.text(s.process().address, "CLUSTER", "INFO");
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + count + "\r")
          || !info.contains("cluster_slots_ok:" + SLOTS + "\r")) {
        return s.process().name + ": " + info.replace("\r\n", " ");
      }
    }
    return null;
  }

  /** {@code redis-cluster://127.0.0.1:p1,...}: Signalbox's redisUrl for this cluster. */
  String url() {
    return "redis-cluster://" + shards.stream()
        .map(s -> "127.0.0.1:" + s.process().address.getPort()).collect(Collectors.joining(","));
  }

  /** The shard that holds Signalbox's partition {@code p} (hash tag {@code {p}}). */
  int shardOfPartition(int p) {
    int slot = slot(Integer.toString(p));
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).owns(slot)) {
        return i;
      }
    }
    throw new IllegalStateException("no shard owns slot " + slot);
  }

  /** The shard that holds {@code room}: partition CRC16(room) mod 256, as Signalbox's Keys. */
  int shardOfRoom(String room) {
    return shardOfPartition(slot(room) % PARTITIONS);
  }

  /** How many of the 256 partitions each shard holds. */
  int[] partitionsPerShard() {
    int[] counts = new int[shards.size()];
    for (int p = 0; p < PARTITIONS; p++) {
      counts[shardOfPartition(p)]++;
    }
    return counts;
  }

  /** Redis Cluster's hash slot of a key without a hash tag: CRC16-XMODEM mod 16384. */
  static int slot(String key) {
    int crc = 0;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      crc ^= (b & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xffff & (SLOTS - 1);
  }

  @Override
  public void close() throws InterruptedException {
    for (Shard s : shards) {
      s.process().close();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
