package org.signalbox.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster (Debian's {@code redis-server}, 7.0) of {@code masters} shards with
 * {@code replicasPerMaster} replicas each, on free loopback ports: the sharded store of the
 * cluster tests. Each node has a fresh directory under {@code target/redis/} and logs to
 * {@code target/redis-<name>-<port>.log}; {@code redis-cli --cluster create} logs to
 * {@code target/redis-<name>-create.log}.
 *
 * <p>Settings chosen so that a failover test is deterministic:
 * <ul>
 *   <li>{@code cluster-replica-validity-factor 0} and {@code cluster-replica-no-failover no}: a
 *       replica of a killed master always stands for election, however long its link was down.
 *   <li>{@code cluster-require-full-coverage no}: while a shard has no master only its own slots
 *       are unavailable; the other shards serve throughout, so a test can assert that what lives
 *       there never notices. (With the default yes every node answers CLUSTERDOWN for every slot
 *       from the moment the dead master is marked FAIL until the promotion, a window whose start
 *       depends on gossip timing.)
 *   <li>{@code cluster-allow-reads-when-down no} (the default): a node that considers the cluster
 *       down never serves a read, so no test reads stale data.
 *   <li>{@code repl-diskless-sync-delay 0}: the default waits 5 s for more replicas before the
 *       first full sync, which would be most of the start time.
 *   <li>{@code cluster-port} chosen free: the default bus port, port + 10000, may be taken or above
 *       65535 for a port from the ephemeral range.
 * </ul>
 *
 * <p>Topology is read live from {@code CLUSTER NODES} (one bulk string, easy to parse without a
 * client library). A test can kill a master ({@link #killMaster}) or move one slot with its keys
 * to another master ({@link #moveSlot}, resharding). Every wait is bounded; {@link #close} kills
 * every process it started.
 */
public final class RedisCluster implements AutoCloseable {

  public static final String SERVER = RedisServer.BINARY;
  public static final String CLI = "/usr/bin/redis-cli";
  public static final int SLOTS = 16384;
  private static final Duration PING_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(2);
  /** Bound of a whole {@link #moveSlot}: its key batches, then until every node agrees. */
  private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(30);
  /** MIGRATE's own timeout, as {@code redis-cli --cluster reshard} passes it by default. */
  private static final Duration MIGRATE_TIMEOUT = Duration.ofSeconds(5);
  /** Keys per MIGRATE; redis-cli's default {@code --cluster-pipeline} is 10, a test slot has few. */
  private static final int MIGRATE_BATCH = 100;
  /** Bound on MIGRATE batches of one slot: ten thousand times its batch is more than a test has. */
  private static final int MAX_BATCHES = 10_000;
  /** Polling interval for a child process's state, for which there is no event. */
  private static final long POLL_MS = 20;
  private static final System.Logger LOG = System.getLogger(RedisCluster.class.getName());

  private final String name;
  /** Port to node process, in the order given to {@code redis-cli --cluster create}. */
  private final Map<Integer, Process> processes;
  private final List<Integer> startMasters;
  /** Set by {@link #killMaster}: what the dead master served, for {@link #awaitFailover}. */
  private final Map<Integer, Killed> killed = new LinkedHashMap<>();

  /** One line of {@code CLUSTER NODES}. */
  public record Node(String id, int port, Set<String> flags, String masterId, List<SlotRange> slots) {
    public boolean isMaster() {
      return flags.contains("master");
    }

    /** Marked failing (PFAIL or FAIL) or without an address by the node that was asked. */
    public boolean isFailing() {
      return flags.contains("fail") || flags.contains("fail?") || flags.contains("noaddr");
    }

    public boolean owns(int slot) {
      return slots.stream().anyMatch(r -> r.contains(slot));
    }
  }

  /** An inclusive range of hash slots. */
  public record SlotRange(int from, int to) {
    public boolean contains(int slot) {
      return slot >= from && slot <= to;
    }

    @Override
    public String toString() {
      return from + "-" + to;
    }
  }

  private record Killed(String id, List<SlotRange> slots, Set<String> replicaIds, long atNanos) {}

  private RedisCluster(String name, Map<Integer, Process> processes, List<Integer> startMasters) {
    this.name = name;
    this.processes = processes;
    this.startMasters = startMasters;
  }

  /**
   * Starts {@code masters * (1 + replicasPerMaster)} nodes, joins them with
   * {@code redis-cli --cluster create}, and waits until every node sees every other one healthy,
   * says {@code cluster_state:ok}, and every replica's link to its master is up.
   */
  public static RedisCluster start(String name, int masters, int replicasPerMaster, long nodeTimeoutMs)
      throws Exception {
    if (masters < 3) {
      throw new IllegalArgumentException("redis-cli --cluster create wants at least 3 masters");
    }
    Path target = Path.of(System.getProperty("signalbox.it.basedir", ".")).resolve("target");
    int count = masters * (1 + replicasPerMaster);
    Set<Integer> taken = new HashSet<>();
    Map<Integer, Process> processes = new LinkedHashMap<>();
    RedisCluster cluster = new RedisCluster(name, processes, new ArrayList<>());
    try {
      for (int i = 0; i < count; i++) {
        int port = freshPort(taken);
        int busPort = freshPort(taken);
        processes.put(port, startNode(target, name, port, busPort, nodeTimeoutMs));
      }
      for (int port : processes.keySet()) {
        cluster.awaitPing(port);
      }
      cluster.create(target, replicasPerMaster);
      cluster.awaitReady(masters, replicasPerMaster);
      cluster.startMasters.addAll(cluster.masterPorts());
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private static int freshPort(Set<Integer> taken) {
    // Two calls may hand out the same ephemeral port once it is closed again: ask until new.
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = EmbeddedServer.freePort();
      if (taken.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no fresh free port in 100 attempts");
  }

  private static Process startNode(Path target, String name, int port, int busPort, long nodeTimeoutMs)
      throws IOException {
    Path dir = target.resolve("redis").resolve(name + "-" + port);
    FileTrees.delete(dir);
    Files.createDirectories(dir);
    Path log = target.resolve("redis-" + name + "-" + port + ".log");
    Files.deleteIfExists(log);
    List<String> command = List.of(SERVER,
        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--protected-mode", "yes",
        "--dir", dir.toString(), "--daemonize", "no", "--logfile", "",
        "--appendonly", "no", "--save", "",
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-port", Integer.toString(busPort),
        "--cluster-node-timeout", Long.toString(nodeTimeoutMs),
        "--cluster-replica-validity-factor", "0", "--cluster-replica-no-failover", "no",
        "--cluster-require-full-coverage", "no", "--cluster-allow-reads-when-down", "no",
        "--repl-diskless-sync-delay", "0");
    return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  private void awaitPing(int port) throws Exception {
    long deadline = System.nanoTime() + PING_TIMEOUT.toNanos();
    while (!ping(port)) {
      Process process = processes.get(port);
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server :" + port + " exited with "
            + process.exitValue() + ", see target/redis-" + name + "-" + port + ".log");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server :" + port + " did not answer PING within "
            + PING_TIMEOUT);
      }
      Thread.sleep(POLL_MS); // a child process's port: there is no event to await
    }
  }

  private void create(Path target, int replicasPerMaster) throws Exception {
    List<String> command = new ArrayList<>(List.of(CLI, "--cluster", "create"));
    processes.keySet().forEach(port -> command.add("127.0.0.1:" + port));
    command.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
    Path log = target.resolve("redis-" + name + "-create.log");
    Files.deleteIfExists(log);
    Process cli = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!cli.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      cli.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new IllegalStateException("redis-cli --cluster create did not end within " + CREATE_TIMEOUT);
    }
    if (cli.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create exited with " + cli.exitValue()
          + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
  }

  /**
   * Until every node sees every node, none failing, the masters each with their replicas (a
   * node learns of the replicas' CLUSTER REPLICATE by gossip, after redis-cli has returned),
   * says cluster_state:ok, and, on a replica, has its link to the master up.
   */
  private void awaitReady(int masters, int replicasPerMaster) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last;
    while ((last = notReady(masters, replicasPerMaster)) != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("cluster " + name + " not ready within " + READY_TIMEOUT
            + ": " + last);
      }
      Thread.sleep(POLL_MS); // cluster gossip and replication: nothing to subscribe to
    }
  }

  /** Why the cluster is not ready yet, or null when it is. */
  private String notReady(int masters, int replicasPerMaster) {
    for (int port : processes.keySet()) {
      try {
        if (!clusterStateOk(port)) {
          return ":" + port + " cluster_state is not ok";
        }
        List<Node> nodes = nodes(port);
        List<Node> owners = nodes.stream().filter(n -> n.isMaster() && !n.slots().isEmpty()).toList();
        boolean complete = nodes.size() == processes.size() && owners.size() == masters
            && nodes.stream().noneMatch(Node::isFailing)
            && owners.stream().allMatch(m -> nodes.stream()
                .filter(n -> m.id().equals(n.masterId()) && !n.isMaster()).count() == replicasPerMaster);
        if (!complete) {
          return ":" + port + " sees " + nodes;
        }
        Node self = nodes.stream().filter(n -> n.flags().contains("myself")).findFirst().orElseThrow();
        if (!self.isMaster() && !info(port, "replication").contains("master_link_status:up")) {
          return ":" + port + " has no link to its master yet";
        }
      } catch (IOException e) {
        return ":" + port + " " + e;
      }
    }
    return null;
  }

  /** {@code redis-cluster://127.0.0.1:p1,...}: the masters at start, in slot order. */
  public String url() {
    return "redis-cluster://" + hosts();
  }

  /** {@code redis-cluster://user:password@127.0.0.1:p1,...}. */
  public String url(String user, String password) {
    return "redis-cluster://" + user + ":" + password + "@" + hosts();
  }

  private String hosts() {
    return startMasters.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** Every node's port, masters and replicas, alive or killed. */
  public List<Integer> ports() {
    return List.copyOf(processes.keySet());
  }

  public boolean isAlive(int port) {
    return processes.get(port).isAlive();
  }

  /**
   * The hash slot of {@code key}: CRC16 (XMODEM) of the key, or of the part between its first
   * {@code {} and the next {@code }} when that part is not empty, modulo 16384.
   */
  public static int slotOf(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int open = indexOf(bytes, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(bytes, (byte) '}', open + 1);
      if (close > open + 1) {
        bytes = Arrays.copyOfRange(bytes, open + 1, close);
      }
    }
    return crc16(bytes) & (SLOTS - 1);
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** CRC16-XMODEM (polynomial 0x1021, initial 0), as Redis Cluster's key hashing uses. */
  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xffff;
  }

  /** The port of the master that owns {@code slot} now, as a live node sees it. */
  public int masterPortForSlot(int slot) throws IOException {
    return topology().stream().filter(n -> n.isMaster() && n.owns(slot)).mapToInt(Node::port)
        .findFirst().orElseThrow(() -> new IllegalStateException("no master owns slot " + slot));
  }

  /** The ports of the masters that own slots now, ordered by their first slot. */
  public List<Integer> masterPorts() throws IOException {
    return topology().stream().filter(n -> n.isMaster() && !n.slots().isEmpty())
        .sorted(Comparator.comparingInt(n -> n.slots().get(0).from()))
        .map(Node::port).toList();
  }

  /** The port of a replica of the master on {@code masterPort}, as a live node sees it now. */
  public int replicaPortOf(int masterPort) throws IOException {
    List<Node> nodes = topology();
    String id = nodes.stream().filter(n -> n.port() == masterPort).map(Node::id).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node on " + masterPort));
    return nodes.stream().filter(n -> id.equals(n.masterId()) && !n.isFailing()).mapToInt(Node::port)
        .findFirst().orElseThrow(() -> new IllegalStateException(masterPort + " has no replica"));
  }

  /** {@code CLUSTER NODES} as the first live node (in start order) sees it. */
  public List<Node> topology() throws IOException {
    for (int port : processes.keySet()) {
      if (processes.get(port).isAlive()) {
        return nodes(port);
      }
    }
    throw new IllegalStateException("no node of " + name + " is alive");
  }

  /** {@code CLUSTER NODES} as the node on {@code port} sees it. */
  public List<Node> nodes(int port) throws IOException {
    Object reply = call(port, "CLUSTER", "NODES");
    if (!(reply instanceof String text) || text.startsWith("-")) {
      throw new IOException("CLUSTER NODES answered " + reply);
    }
    List<Node> nodes = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        nodes.add(parseNode(line.trim()));
      }
    }
    return nodes;
  }

  // <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
  private static Node parseNode(String line) {
    String[] f = line.split(" ");
    String address = f[1];
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('@')));
    List<SlotRange> slots = new ArrayList<>();
    for (int i = 8; i < f.length; i++) {
      if (f[i].startsWith("[")) {
        continue; // a slot being imported or migrated: not owned yet
      }
      int dash = f[i].indexOf('-');
      slots.add(dash < 0
          ? new SlotRange(Integer.parseInt(f[i]), Integer.parseInt(f[i]))
          : new SlotRange(Integer.parseInt(f[i].substring(0, dash)), Integer.parseInt(f[i].substring(dash + 1))));
    }
    return new Node(f[0], port, Set.of(f[2].split(",")), "-".equals(f[3]) ? null : f[3], List.copyOf(slots));
  }

  /**
   * SIGKILL of the master on {@code port}, after noting which slots it served and which replicas
   * it had, for {@link #awaitFailover}.
   */
  public void killMaster(int port) throws Exception {
    List<Node> nodes = nodes(port);
    Node master = nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
    if (!master.isMaster()) {
      throw new IllegalStateException(port + " is not a master: " + master.flags());
    }
    Set<String> replicas = nodes.stream().filter(n -> master.id().equals(n.masterId()))
        .map(Node::id).collect(Collectors.toSet());
    Process process = processes.get(port);
    process.destroyForcibly(); // SIGKILL on Linux: no shutdown, no goodbye on the bus
    long at = System.nanoTime();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("redis-server :" + port + " did not die on SIGKILL");
    }
    killed.put(port, new Killed(master.id(), master.slots(), replicas, at));
  }

  /**
   * Waits until one of the replicas the killed master had is a master that owns all its slots in
   * the view of every live node, and every live node says {@code cluster_state:ok}. Returns the
   * time from the kill to then.
   */
  public Duration awaitFailover(int deadPort, Duration bound) throws Exception {
    Killed dead = killed.get(deadPort);
    if (dead == null) {
      throw new IllegalStateException(deadPort + " was not killed by killMaster");
    }
    long deadline = System.nanoTime() + bound.toNanos();
    String last;
    while ((last = notFailedOver(dead)) != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no failover of :" + deadPort + " within " + bound + ": " + last);
      }
      Thread.sleep(POLL_MS); // election and gossip: nothing to subscribe to
    }
    Duration took = Duration.ofNanos(System.nanoTime() - dead.atNanos());
    LOG.log(System.Logger.Level.INFO, () -> "failover of :" + deadPort + " took " + took.toMillis() + " ms");
    return took;
  }

  private String notFailedOver(Killed dead) {
    for (Map.Entry<Integer, Process> e : processes.entrySet()) {
      if (!e.getValue().isAlive()) {
        continue;
      }
      int port = e.getKey();
      try {
        if (!clusterStateOk(port)) {
          return ":" + port + " cluster_state is not ok";
        }
        List<Node> nodes = nodes(port);
        boolean promoted = nodes.stream().anyMatch(n -> dead.replicaIds().contains(n.id())
            && n.isMaster() && !n.isFailing()
            && dead.slots().stream().allMatch(r -> n.owns(r.from()) && n.owns(r.to())));
        if (!promoted) {
          return ":" + port + " sees no replica of the dead master owning " + dead.slots();
        }
      } catch (IOException ex) {
        return ":" + port + " " + ex;
      }
    }
    return null;
  }

  /**
   * Moves {@code slot}, with its keys, from the master that owns it to the master on {@code
   * toMasterPort}, the way {@code redis-cli --cluster reshard} moves each slot (which picks the
   * slots itself, hence by hand here): the target imports it from the source, the source migrates
   * it to the target, its keys go over in batches ({@code MIGRATE}, TTLs kept) until the source
   * has none left, then every master is told the target owns it, the target first (it bumps its
   * config epoch, so gossip makes the change stick), then the source (which forgets the slot and
   * takes back its shard channels with an unasked {@code sunsubscribe}), then the others. Returns
   * when every live node agrees ({@link #awaitSlotOwner}). A slot is all of a hash tag's keys.
   */
  public void moveSlot(int slot, int toMasterPort) throws Exception {
    int fromPort = masterPortForSlot(slot);
    if (fromPort == toMasterPort) {
      throw new IllegalArgumentException("slot " + slot + " is on :" + toMasterPort + " already");
    }
    String sourceId = idOf(fromPort);
    String targetId = idOf(toMasterPort);
    expectOk(toMasterPort, "CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", sourceId);
    expectOk(fromPort, "CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", targetId);
    long deadline = System.nanoTime() + MOVE_TIMEOUT.toNanos();
    int moved = 0;
    for (int batch = 0; ; batch++) {
      Object reply = call(fromPort, "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot),
          Integer.toString(MIGRATE_BATCH));
      if (!(reply instanceof List<?> keys)) {
        throw new IOException("CLUSTER GETKEYSINSLOT on :" + fromPort + " answered " + reply);
      }
      if (keys.isEmpty()) {
        break;
      }
      if (batch >= MAX_BATCHES || System.nanoTime() > deadline) {
        throw new IllegalStateException("slot " + slot + " still has keys on :" + fromPort
            + " after " + batch + " batches (" + moved + " keys moved) and " + MOVE_TIMEOUT);
      }
      List<String> words = new ArrayList<>(List.of("MIGRATE", "127.0.0.1",
          Integer.toString(toMasterPort), "", "0", Long.toString(MIGRATE_TIMEOUT.toMillis()), "KEYS"));
      keys.forEach(k -> words.add((String) k));
      // MIGRATE answers once the target has restored the batch, within its own timeout.
      Object migrated = call(fromPort, REPLY_TIMEOUT.plus(MIGRATE_TIMEOUT), words.toArray(String[]::new));
      if (!"OK".equals(migrated) && !"NOKEY".equals(migrated)) {
        throw new IOException("MIGRATE of " + keys.size() + " keys of slot " + slot + " from :"
            + fromPort + " to :" + toMasterPort + " answered " + migrated);
      }
      moved += keys.size();
    }
    List<Integer> order = new ArrayList<>(List.of(toMasterPort, fromPort));
    for (Node n : nodes(toMasterPort)) {
      if (n.isMaster() && !n.isFailing() && !order.contains(n.port())
          && processes.containsKey(n.port()) && processes.get(n.port()).isAlive()) {
        order.add(n.port());
      }
    }
    for (int port : order) {
      expectOk(port, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
    }
    Duration agreed = awaitSlotOwner(slot, toMasterPort, MOVE_TIMEOUT);
    int keysMoved = moved;
    LOG.log(System.Logger.Level.INFO, () -> "slot " + slot + " moved from :" + fromPort + " to :"
        + toMasterPort + " with " + keysMoved + " keys; every node agreed " + agreed.toMillis()
        + " ms after the last SETSLOT");
  }

  /**
   * Waits until every live node says the master on {@code port} owns {@code slot} and no other
   * node does, in {@code CLUSTER NODES} (with no slot of it still marked importing or migrating)
   * and in {@code CLUSTER SLOTS}, and says {@code cluster_state:ok}. Returns how long it took.
   */
  public Duration awaitSlotOwner(int slot, int port, Duration bound) throws Exception {
    long start = System.nanoTime();
    long deadline = start + bound.toNanos();
    String last;
    while ((last = notOwnedBy(slot, port)) != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("slot " + slot + " not owned by :" + port
            + " in every node's view within " + bound + ": " + last);
      }
      Thread.sleep(POLL_MS); // cluster gossip: nothing to subscribe to
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Why some live node does not (yet) say that {@code port} alone owns {@code slot}, or null. */
  private String notOwnedBy(int slot, int port) {
    for (Map.Entry<Integer, Process> e : processes.entrySet()) {
      if (!e.getValue().isAlive()) {
        continue;
      }
      int asked = e.getKey();
      try {
        if (!clusterStateOk(asked)) {
          return ":" + asked + " cluster_state is not ok";
        }
        Object text = call(asked, "CLUSTER", "NODES");
        if (text instanceof String t && (t.contains("[" + slot + "->-") || t.contains("[" + slot + "-<-"))) {
          return ":" + asked + " still has slot " + slot + " importing or migrating";
        }
        List<Integer> owners = nodes(asked).stream().filter(n -> n.isMaster() && n.owns(slot))
            .map(Node::port).toList();
        if (!owners.equals(List.of(port))) {
          return ":" + asked + " says slot " + slot + " is owned by " + owners + " (CLUSTER NODES)";
        }
        List<Integer> served = slotsOwners(asked, slot);
        if (!served.equals(List.of(port))) {
          return ":" + asked + " says slot " + slot + " is served by " + served + " (CLUSTER SLOTS)";
        }
      } catch (IOException ex) {
        return ":" + asked + " " + ex;
      }
    }
    return null;
  }

  /** The master port of each range of {@code CLUSTER SLOTS} on {@code port} that holds {@code slot}. */
  private List<Integer> slotsOwners(int port, int slot) throws IOException {
    Object reply = call(port, "CLUSTER", "SLOTS");
    if (!(reply instanceof List<?> ranges)) {
      throw new IOException("CLUSTER SLOTS answered " + reply);
    }
    List<Integer> owners = new ArrayList<>();
    for (Object r : ranges) {
      // [from, to, [host, port, id, ...] of the master, then the replicas]
      List<?> range = (List<?>) r;
      if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
        owners.add(((Long) ((List<?>) range.get(2)).get(1)).intValue());
      }
    }
    return owners;
  }

  /** The node id of the node on {@code port}, as it says itself. */
  public String idOf(int port) throws IOException {
    return nodes(port).stream().filter(n -> n.flags().contains("myself")).map(Node::id).findFirst()
        .orElseThrow(() -> new IOException(":" + port + " lists no node as myself"));
  }

  private void expectOk(int port, String... words) throws IOException {
    String reply = command(port, words);
    if (!"+OK".equals(reply)) {
      throw new IOException(String.join(" ", words) + " on :" + port + " answered " + reply);
    }
  }

  /** {@code ACL SETUSER args...} on every live node: ACLs are per node and not replicated. */
  public void aclSetUser(String... args) throws IOException {
    String[] words = new String[args.length + 2];
    words[0] = "ACL";
    words[1] = "SETUSER";
    System.arraycopy(args, 0, words, 2, args.length);
    for (Map.Entry<Integer, Process> e : processes.entrySet()) {
      if (e.getValue().isAlive()) {
        String reply = command(e.getKey(), words);
        if (!"+OK".equals(reply)) {
          throw new IOException("ACL SETUSER on :" + e.getKey() + " answered " + reply);
        }
      }
    }
  }

  public boolean ping(int port) {
    try {
      return "+PONG".equals(command(port, "PING"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends one command as the default user and returns the first line of the reply
   * ({@code +OK}, {@code :1}, {@code -MOVED 42 127.0.0.1:7001}, {@code $5} for a bulk).
   */
  public String command(int port, String... words) throws IOException {
    try (Socket socket = open(port)) {
      socket.getOutputStream().write(Resp.request(words));
      return Resp.line(socket.getInputStream());
    }
  }

  /**
   * {@code SET key value} and then {@code WAIT 1} on the same connection, asked again (at most
   * {@code tries} times, 1 s each) until one replica has the write: the WAIT reply. WAIT counts
   * replicas against the last write of its own connection, so on a fresh one it answers at once.
   */
  public String setOnMasterAndReplica(int port, String key, String value, int tries) throws IOException {
    try (Socket socket = open(port)) {
      socket.getOutputStream().write(Resp.request("SET", key, value));
      String set = Resp.line(socket.getInputStream());
      if (!"+OK".equals(set)) {
        return set;
      }
      String acknowledged = ":0";
      for (int i = 0; i < tries && !acknowledged.equals(":1"); i++) {
        socket.getOutputStream().write(Resp.request("WAIT", "1", "1000"));
        acknowledged = Resp.line(socket.getInputStream());
      }
      return acknowledged;
    }
  }

  /**
   * {@code AUTH user password} then the command, on one connection: the first line of the
   * command's reply, or the AUTH error ({@code -WRONGPASS ...}) when AUTH fails.
   */
  public String commandAs(int port, String user, String password, String... words) throws IOException {
    try (Socket socket = open(port)) {
      socket.getOutputStream().write(Resp.request("AUTH", user, password));
      String auth = Resp.line(socket.getInputStream());
      if (!"+OK".equals(auth)) {
        return auth;
      }
      socket.getOutputStream().write(Resp.request(words));
      return Resp.line(socket.getInputStream());
    }
  }

  /**
   * Sends one command and returns the whole reply: a simple or bulk string as {@link String}, an
   * error as its line with the leading {@code -}, an integer as {@link Long}, an array as a
   * {@link List}, nil as null.
   */
  public Object call(int port, String... words) throws IOException {
    return call(port, REPLY_TIMEOUT, words);
  }

  private Object call(int port, Duration replyTimeout, String... words) throws IOException {
    try (Socket socket = open(port)) {
      socket.setSoTimeout((int) replyTimeout.toMillis());
      socket.getOutputStream().write(Resp.request(words));
      return Resp.read(socket.getInputStream());
    }
  }

  /** The text of {@code INFO section}. */
  public String info(int port, String section) throws IOException {
    Object reply = call(port, "INFO", section);
    if (!(reply instanceof String text) || text.startsWith("-")) {
      throw new IOException("INFO answered " + reply);
    }
    return text;
  }

  /** {@code role:master} or {@code role:slave} from INFO replication. */
  public String role(int port) throws IOException {
    return info(port, "replication").lines().filter(l -> l.startsWith("role:")).findFirst()
        .map(l -> l.substring(5).trim()).orElseThrow();
  }

  private boolean clusterStateOk(int port) throws IOException {
    Object reply = call(port, "CLUSTER", "INFO");
    return reply instanceof String text && text.contains("cluster_state:ok");
  }

  /**
   * CPU time (user + system) the node on {@code port} has used, from /proc/<pid>/stat, in clock
   * ticks of 10 ms (the usual USER_HZ of 100); -1 where /proc is not readable.
   */
  public long cpuTicks(int port) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(processes.get(port).pid()), "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** SIGKILL of every node still running, each waited for (bounded); logs and dirs stay. */
  @Override
  public void close() {
    for (Process process : processes.values()) {
      process.destroyForcibly();
    }
    for (Map.Entry<Integer, Process> e : processes.entrySet()) {
      try {
        if (!e.getValue().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.log(System.Logger.Level.WARNING, "redis-server :" + e.getKey() + " outlived SIGKILL");
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Socket open(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
    return socket;
  }
}
