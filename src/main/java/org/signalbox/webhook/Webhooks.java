package org.signalbox.webhook;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.json.spi.JsonProvider;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.signalbox.config.Settings;
import org.signalbox.spi.RoomEvent;

/**
 * What the event pump calls to deliver room events (PORTAL.md "Webhooks"): one attempt of one
 * event to every URL that has not yet taken it, the backoff between attempts, and the metrics and
 * log lines of the outcomes. The pump owns the queue, the order per room and the retry schedule;
 * this class holds no state per event, so a retry may run on any node.
 *
 * <p>Thread-safe: attempts may overlap, and the counters are lock-free.
 */
public final class Webhooks {

  private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());

  private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final List<URI> urls;
  private final WebhookClient client;
  private final WebhookPayload payload;
  private final Backoff backoff;
  private final Outcomes outcomes;
  private final DropLog drops = new DropLog(System::nanoTime, DROP_LOG_INTERVAL_NANOS);

  private Webhooks(
      List<URI> urls, WebhookClient client, WebhookPayload payload, Backoff backoff,
      Outcomes outcomes) {
    this.urls = urls;
    this.client = client;
    this.payload = payload;
    this.backoff = backoff;
    this.outcomes = outcomes;
  }

  /**
   * Starts the HTTP client and registers the metrics, or returns a disabled instance, with no
   * threads and no metrics, when {@code webhookUrls} is empty.
   */
  public static Webhooks start(Settings settings, PrometheusRegistry registry) {
    return start(settings, registry, WebhookClient.REQUEST_TIMEOUT);
  }

  /** As {@link #start(Settings, PrometheusRegistry)}, with a shorter timeout for tests. */
  static Webhooks start(Settings settings, PrometheusRegistry registry, Duration requestTimeout) {
    Backoff backoff =
        new Backoff(settings.webhookRetryHours(), () -> ThreadLocalRandom.current().nextDouble());
    if (!settings.webhooksEnabled()) {
      return new Webhooks(List.of(), null, null, backoff, null);
    }
    List<URI> urls = settings.webhookUrls().stream().map(URI::create).toList();
    return new Webhooks(
        urls,
        new WebhookClient(new WebhookSigner(settings.webhookSecret()), requestTimeout),
        new WebhookPayload(JsonProvider.provider()),
        backoff,
        new Outcomes(registry));
  }

  public boolean enabled() {
    return client != null;
  }

  /** The number of {@code webhookUrls}; their indexes are those of {@link #attempt}. */
  public int urlCount() {
    return urls.size();
  }

  /**
   * Posts {@code event} to every URL index not in {@code done}; completes (never exceptionally)
   * with the URL indexes that have now answered 2xx, {@code done} included. The event is
   * delivered when the result holds every index below {@link #urlCount()}.
   */
  public CompletableFuture<Set<Integer>> attempt(RoomEvent event, Set<Integer> done) {
    Set<Integer> answered = new TreeSet<>(done);
    if (!enabled()) {
      return CompletableFuture.completedFuture(Set.copyOf(answered));
    }
    String body;
    try {
      body = payload.body(event);
    } catch (RuntimeException e) { // a malformed event: retried until given up, and logged
      LOG.log(Level.WARNING, () -> "Webhook " + event.id() + " has no body: " + e);
      return CompletableFuture.completedFuture(Set.copyOf(answered));
    }
    CompletableFuture<?>[] posts = new CompletableFuture<?>[urls.size()];
    for (int i = 0; i < urls.size(); i++) {
      int index = i;
      posts[i] =
          done.contains(index)
              ? CompletableFuture.completedFuture(null)
              : client.post(urls.get(index), event.id(), body).thenAccept(ok -> {
                  if (ok) {
                    synchronized (answered) {
                      answered.add(index);
                    }
                  }
                });
    }
    return CompletableFuture.allOf(posts)
        .handle((ignored, e) -> {
          synchronized (answered) {
            return Set.copyOf(answered);
          }
        });
  }

  /** The wait before retry {@code retry} (1 for the first), in ms, with jitter. */
  public long retryDelayMs(int retry) {
    return backoff.delayMs(retry);
  }

  /** How long after its first attempt an event is given up; 0 means it is never retried. */
  public long giveUpAfterMs() {
    return backoff.giveUpAfterMs();
  }

  /** An event was delivered to every URL. */
  public void sent() {
    if (outcomes != null) {
      outcomes.sent.inc();
    }
  }

  /** An attempt failed and the event will be tried again. */
  public void retried() {
    if (outcomes != null) {
      outcomes.retried.inc();
    }
  }

  /** An event was given up after {@code webhookRetryHours}. */
  public void failed() {
    if (outcomes != null) {
      outcomes.failed.inc();
    }
  }

  /** {@code n} events were pushed out of this node's full queue; logged at most once a minute. */
  public void dropped(long n) {
    if (outcomes == null || n <= 0) {
      return;
    }
    outcomes.dropped.inc(n);
    logDropped(drops.add(n));
  }

  private static void logDropped(long n) {
    if (n > 0) {
      LOG.log(Level.WARNING,
          () -> n + " webhook events dropped from the full queue (webhookQueue) since the last"
              + " such message");
    }
  }

  /** Ends the client's threads; attempts still running complete without the URLs they await. */
  public void stop() {
    if (client != null) {
      client.close();
      logDropped(drops.flush());
    }
  }

  /** The counters of {@code signalbox_webhook_events}, one data point per outcome. */
  private static final class Outcomes {
    final CounterDataPoint sent;
    final CounterDataPoint retried;
    final CounterDataPoint failed;
    final CounterDataPoint dropped;

    Outcomes(PrometheusRegistry registry) {
      Counter events = Counter.builder().name("signalbox_webhook_events")
          .help("Webhook events by outcome: sent = delivered to every URL; retried = an attempt"
              + " failed and will be retried; failed = given up after webhookRetryHours;"
              + " dropped = pushed out of the single node's full queue")
          .labelNames("outcome").withoutExemplars().register(registry);
      sent = events.labelValues("sent");
      retried = events.labelValues("retried");
      failed = events.labelValues("failed");
      dropped = events.labelValues("dropped");
    }
  }
}
