package org.signalbox.bench.loadtest;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.HdrHistogram.Histogram;

/**
 * One load test run: ramp-up (peers opened at the connect rate, each joining its room), the
 * measured phase (relay scheduled open-loop, churn), the drain, and the closes. Every wait is
 * bounded; {@link #stop} ends the phases early (Ctrl-C).
 */
final class Run {

  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final Duration DRAIN = Duration.ofSeconds(10);
  private static final Duration CLOSE = Duration.ofSeconds(10);
  /** Peers per HTTP client: each client has one selector thread. */
  private static final int PEERS_PER_CLIENT = 128;
  /** Throwaway connections per warm-up round. */
  private static final int WARMUP_PEERS = 8;
  /** How long one warm-up round relays before its connections close. */
  private static final Duration WARMUP_RELAY = Duration.ofMillis(750);

  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

  private final Options options;
  private final PrintStream log;
  private final Stats stats = new Stats();
  private final AtomicReferenceArray<LoadPeer> peers;
  private final String[] tokenCache;
  private final Tokens tokens;
  private final List<HttpClient> clients = new ArrayList<>();
  private final LoadPeer.Context context;
  private final ExecutorService reopener;
  /**
   * The clients' one executor: a fixed pool, one thread a core. The JDK's default is a cached
   * pool per client, which grew to some 30 threads for 40 peers, each new thread a cold start on
   * the path of a handshake or a join.
   */
  private final ExecutorService callbacks;
  private final AtomicBoolean limitsChecked = new AtomicBoolean();
  private final long epoch = System.nanoTime();

  private volatile boolean stopping;
  private volatile String phase = "warm-up";
  private volatile long rampUpNanos = -1;
  private volatile long warmupNanos;
  private volatile long measuredStart = -1;
  private volatile long measuredEnd = -1;
  private volatile long receivedAtEnd = -1;
  private volatile long cpuAtStart = -1;
  private volatile long cpuAtEnd = -1;
  private volatile int joinedAtRampUp = -1;

  Run(Options options, PrintStream log) {
    this.options = options;
    this.log = log;
    this.peers = new AtomicReferenceArray<>(options.totalPeers());
    this.tokenCache = new String[options.totalPeers()];
    this.tokens = Tokens.of(options);
    this.context = new LoadPeer.Context(options, stats, epoch, "x".repeat(options.size()),
        this::checkLimits, options.joins() > 0);
    int cores = Runtime.getRuntime().availableProcessors();
    AtomicInteger threads = new AtomicInteger();
    this.callbacks = Executors.newFixedThreadPool(Math.max(2, cores), r -> {
      Thread t = new Thread(r, "load-test-http-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    int count = Math.max(1, Math.min(cores,
        (options.totalPeers() + PEERS_PER_CLIENT - 1) / PEERS_PER_CLIENT));
    for (int i = 0; i < count; i++) {
      HttpClient.Builder builder = HttpClient.newBuilder().executor(callbacks)
          .connectTimeout(LoadPeer.CONNECT_TIMEOUT);
      if (options.insecure()) {
        builder.sslContext(trustingEveryone());
      }
      clients.add(builder.build());
    }
    this.reopener = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "load-test-rejoin");
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs every phase and returns the summary. */
  Summary run() throws InterruptedException {
    Thread progress = daemon("load-test-progress", this::progressLoop);
    progress.start();
    try {
      warmUp();
      phase = "ramp-up";
      rampUp();
      if (joinedAtRampUp == 0) {
        log.println("load-test: no peer joined; nothing to measure");
      } else if (!stopping) {
        measure();
      }
      phase = "drain";
      awaitUntil(this::churnSettled, SETTLE);
      awaitUntil(() -> drained(peers, stats), DRAIN);
      phase = "closing";
      closeAll(); // before the summary, which counts the closes
      return summary(false);
    } finally {
      stopping = true;
      progress.interrupt();
      closeAll();
    }
  }

  /** Ends the phases early; the summary so far is {@link #summary}'s. */
  void stop() {
    stopping = true;
  }

  private void rampUp() throws InterruptedException {
    long start = System.nanoTime();
    int total = options.totalPeers();
    for (int slot = 0; slot < total && !stopping; slot++) {
      long due = start + (long) (slot / options.connectRate() * 1e9);
      sleepUntil(due);
      if (stopping) {
        break;
      }
      open(slot);
    }
    awaitUntil(() -> {
      for (int i = 0; i < total; i++) {
        LoadPeer p = peers.get(i);
        if (p != null && p.state() == LoadPeer.State.CONNECTING) {
          return false;
        }
      }
      return true;
    }, SETTLE);
    rampUpNanos = System.nanoTime() - start;
    joinedAtRampUp = stats.joinedNow.get();
    if (joinedAtRampUp < total && joinedAtRampUp > 0) {
      log.printf(Locale.ROOT, "load-test: only %d of %d peers joined; measuring with those%n",
          joinedAtRampUp, total);
    }
  }

  private void open(int slot) {
    open(slot, context, peers);
  }

  /** Opens slot's peer with {@code peerContext}'s stats into {@code into}. */
  private void open(int slot, LoadPeer.Context peerContext, AtomicReferenceArray<LoadPeer> into) {
    int room = slot / options.peers();
    int index = slot % options.peers();
    String name = options.room(room);
    String token;
    synchronized (tokenCache) {
      token = tokenCache[slot];
      if (token == null) {
        try {
          token = tokens.token(name, index);
          tokenCache[slot] = token;
        } catch (Tokens.TokenException e) {
          peerContext.stats().failure("token: " + e.getMessage());
          return;
        }
      }
    }
    LoadPeer peer = new LoadPeer(peerContext, clients.get(slot % clients.size()), slot, name, index,
        token);
    into.set(slot, peer);
    peer.open();
  }

  /**
   * Warm-up: rounds of a few throwaway connections, counted in stats of their own and then
   * dropped, each round opening (at the connect rate), joining, relaying at the per-peer rate and
   * closing. The generator's first handshakes, joins and relays are its slowest by far (class
   * loading, JIT, thread start); here they are nobody's measurement. They use the first slots'
   * rooms and tokens, so no extra token is needed; each round's sockets are closed (the server
   * has answered the close) before the next round or the ramp-up, so no room fills up.
   */
  private void warmUp() throws InterruptedException {
    long start = System.nanoTime();
    long end = start + (long) (options.warmup() * 1e9);
    int count = Math.min(WARMUP_PEERS, options.totalPeers());
    double rate = options.rate() / options.totalPeers() * count;
    while (!stopping && System.nanoTime() < end) {
      Stats scratch = new Stats();
      LoadPeer.Context warm = new LoadPeer.Context(options, scratch, epoch, context.padding(),
          limits -> { }, false);
      AtomicReferenceArray<LoadPeer> round = new AtomicReferenceArray<>(options.totalPeers());
      long roundStart = System.nanoTime();
      for (int slot = 0; slot < count && !stopping; slot++) {
        sleepUntil(roundStart + (long) (slot / options.connectRate() * 1e9));
        open(slot, warm, round);
      }
      awaitUntil(() -> System.nanoTime() >= end || none(round, LoadPeer.State.CONNECTING), SETTLE);
      if (scratch.joins.sum() > 0) {
        long relayStart = System.nanoTime();
        relayLoop(round, rate, relayStart,
            Math.min(end, relayStart + WARMUP_RELAY.toNanos()), scratch);
      }
      awaitUntil(() -> drained(round, scratch), DRAIN);
      closeAll(round);
      if (scratch.joins.sum() == 0) {
        break; // nobody could join (a wrong token, say): the ramp-up will say why
      }
    }
    warmupNanos = System.nanoTime() - start;
  }

  private static boolean none(AtomicReferenceArray<LoadPeer> in, LoadPeer.State state) {
    for (int i = 0; i < in.length(); i++) {
      LoadPeer p = in.get(i);
      if (p != null && p.state() == state) {
        return false;
      }
    }
    return true;
  }

  private void measure() throws InterruptedException {
    phase = "load";
    cpuAtStart = OS.getProcessCpuTime();
    measuredStart = System.nanoTime();
    long end = measuredStart + (long) (options.duration() * 1e9);
    Thread relay = daemon("load-test-relay",
        () -> relayLoop(peers, options.rate(), measuredStart, end, stats));
    Thread churn = daemon("load-test-churn", () -> churnLoop(measuredStart, end));
    relay.start();
    if (options.joins() > 0) {
      churn.start();
    }
    long waitMillis = (long) (options.duration() * 1000) + 5_000;
    relay.join(waitMillis);
    churn.join(5_000);
    stopping |= relay.isAlive();
    measuredEnd = Math.min(System.nanoTime(), end);
    receivedAtEnd = stats.received.sum();
    cpuAtEnd = OS.getProcessCpuTime();
  }

  /**
   * Open-loop: message k is due at start + k / rate whatever happened to the ones before, and
   * carries its due time, so a server that stalls shows as latency (no coordinated omission).
   */
  private void relayLoop(AtomicReferenceArray<LoadPeer> peers, double rate, long start, long end,
      Stats stats) {
    if (rate <= 0) {
      sleepUntil(end);
      return;
    }
    int total = peers.length();
    int cursor = 0;
    for (long k = 0; !stopping; ) {
      long due = start + (long) (k / rate * 1e9);
      if (due >= end) {
        return;
      }
      long now = System.nanoTime();
      if (due > now) {
        LockSupport.parkNanos(due - now);
        continue;
      }
      boolean sent = false;
      for (int a = 0; a < total && !sent; a++) {
        LoadPeer p = peers.get(cursor);
        cursor = (cursor + 1) % total;
        sent = p != null && p.relay(due);
      }
      if (!sent) {
        stats.noTarget.increment();
      }
      k++;
    }
  }

  /** Churn: one joined peer in turn leaves, closes, and its slot opens a fresh connection. */
  private void churnLoop(long start, long end) {
    int total = options.totalPeers();
    int cursor = 0;
    for (long k = 1; !stopping; k++) {
      long due = start + (long) (k / options.joins() * 1e9);
      if (due >= end) {
        return;
      }
      sleepUntil(due);
      if (stopping) {
        return;
      }
      for (int a = 0; a < total; a++) {
        LoadPeer p = peers.get(cursor);
        cursor = (cursor + 1) % total;
        if (p != null && p.state() == LoadPeer.State.JOINED) {
          int slot = p.slot;
          p.leaveAndClose(() -> {
            if (!stopping && measuredEnd < 0) {
              reopener.execute(() -> {
                stats.rejoins.increment();
                open(slot);
              });
            }
          });
          break;
        }
      }
    }
  }

  private boolean churnSettled() {
    for (int i = 0; i < peers.length(); i++) {
      LoadPeer p = peers.get(i);
      if (p != null && (p.state() == LoadPeer.State.LEAVING || p.state() == LoadPeer.State.CONNECTING)) {
        return false;
      }
    }
    return true;
  }

  private static boolean drained(AtomicReferenceArray<LoadPeer> peers, Stats stats) {
    for (int i = 0; i < peers.length(); i++) {
      LoadPeer p = peers.get(i);
      if (p != null && p.queued() > 0) {
        return false;
      }
    }
    return stats.missing() <= 0;
  }

  private void closeAll() {
    reopener.shutdownNow();
    closeAll(peers);
  }

  private void closeAll(AtomicReferenceArray<LoadPeer> peers) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < peers.length(); i++) {
      LoadPeer p = peers.get(i);
      if (p != null && !p.done().isDone()) {
        p.close();
        done.add(p.done());
      }
    }
    try {
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
          .get(CLOSE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      log.println("load-test: some sockets did not close within " + CLOSE + "; aborting them");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int i = 0; i < peers.length(); i++) {
      LoadPeer p = peers.get(i);
      if (p != null && !p.done().isDone()) {
        p.abort();
      }
    }
  }

  /** The summary of what ran so far; {@code interrupted} when the run did not finish. */
  Summary summary(boolean interrupted) {
    long now = System.nanoTime();
    long start = measuredStart;
    long end = measuredEnd >= 0 ? measuredEnd : now;
    double measured = start >= 0 ? (end - start) / 1e9 : 0;
    long received = stats.received.sum();
    long cpuStart = cpuAtStart >= 0 ? cpuAtStart : 0;
    long cpuEnd = cpuAtEnd >= 0 ? cpuAtEnd : OS.getProcessCpuTime();
    double wall = start >= 0 ? (end - start) : (now - epoch);
    return new Summary(options,
        joinedAtRampUp >= 0 ? joinedAtRampUp : stats.joinedNow.get(),
        warmupNanos / 1e9,
        (rampUpNanos >= 0 ? rampUpNanos : now - epoch) / 1e9,
        measured,
        stats.sent.sum(),
        received,
        receivedAtEnd >= 0 ? receivedAtEnd : received,
        stats.refused.sum(),
        Math.max(0, stats.missing()),
        stats.duplicates.sum(),
        stats.outOfOrder.sum(),
        stats.backlogDropped.sum(),
        stats.noTarget.sum(),
        stats.joins.sum(),
        stats.rejoins.sum(),
        stats.totals(),
        stats.errors(),
        stats.expectedErrors(),
        stats.failures(),
        stats.closesOurs(),
        stats.closesTheirs(),
        wall > 0 ? (cpuEnd - cpuStart) / wall : 0,
        Runtime.getRuntime().availableProcessors(),
        interrupted);
  }

  /** Aborts every socket at once: Ctrl-C, after the summary. */
  void abortAll() {
    stopping = true;
    for (int i = 0; i < peers.length(); i++) {
      LoadPeer p = peers.get(i);
      if (p != null) {
        p.abort();
      }
    }
  }

  private void progressLoop() {
    long sentBefore = 0;
    long receivedBefore = 0;
    long next = System.nanoTime() + 1_000_000_000L;
    while (!stopping) {
      sleepUntil(next);
      if (Thread.currentThread().isInterrupted() || stopping) {
        return;
      }
      next += 1_000_000_000L;
      Histogram second = stats.interval();
      long sent = stats.sent.sum();
      long received = stats.received.sum();
      log.printf(Locale.ROOT,
          "[%6.1fs] %-7s joined %d/%d  sent %d/s  received %d/s  p99 %s  errors %d%n",
          (System.nanoTime() - epoch) / 1e9, phase, stats.joinedNow.get(), options.totalPeers(),
          sent - sentBefore, received - receivedBefore,
          second.getTotalCount() == 0 ? "-" : Summary.ms(second.getValueAtPercentile(99)) + " ms",
          stats.errorsSoFar());
      sentBefore = sent;
      receivedBefore = received;
    }
  }

  /** The first welcome's limits against what was asked: warnings only, the run goes on. */
  private void checkLimits(Map<String, Object> limits) {
    if (!limitsChecked.compareAndSet(false, true)) {
      return;
    }
    if (limits.get("messagesPerSecond") instanceof Number mps) {
      double perPeer = options.rate() / options.totalPeers();
      if (perPeer > mps.doubleValue()) {
        log.printf(Locale.ROOT, "load-test: WARNING %.1f msgs/s per peer is over this server's"
            + " messagesPerSecond (%s): expect rate-limited errors%n", perPeer, mps);
      }
    }
    if (limits.get("maxRoomSize") instanceof Number size && options.peers() > size.intValue()) {
      log.printf(Locale.ROOT, "load-test: WARNING --peers %d is over this server's maxRoomSize (%s):"
          + " expect room-full errors%n", options.peers(), size);
    }
    if (limits.get("maxMessageBytes") instanceof Number max
        && options.size() + 400 > max.longValue()) {
      log.printf(Locale.ROOT, "load-test: WARNING --size %d with the envelope may pass this"
          + " server's maxMessageBytes (%s): expect closes with 1009%n", options.size(), max);
    }
  }

  private static void awaitUntil(BooleanSupplier condition, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling counts that many threads change: there is no single event
    }
  }

  private static void sleepUntil(long due) {
    for (long now = System.nanoTime(); now < due && !Thread.currentThread().isInterrupted();
        now = System.nanoTime()) {
      LockSupport.parkNanos(due - now);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  /** --insecure: trusts every certificate. For self-signed test servers only. */
  private static SSLContext trustingEveryone() {
    TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the --insecure TLS context", e);
    }
  }
}
