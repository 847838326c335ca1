package org.signalbox.webhook;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.signalbox.config.Settings;

/**
 * Posts one signed body to one URL. One per node: it owns the {@link HttpClient} and the threads
 * it runs on, and {@link #close()} ends them, since a WAR is undeployed from a server that keeps
 * running (Tomcat reports threads a web application leaves behind).
 *
 * <p>Thread-safe: any thread may post; results complete on the client's own threads.
 */
public final class WebhookClient implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WebhookClient.class.getName());

  /** PORTAL.md: an attempt that takes longer than this has failed. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Within the request timeout's order: a receiver that cannot be reached in 10 s is down. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final String USER_AGENT = "Signalbox-Webhooks";
  /** How long {@link #close()} waits for each of its threads to end. */
  private static final long STOP_GRACE_MS = 2_000;

  private final WebhookSigner signer;
  private final Duration requestTimeout;
  private final ExecutorService executor;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger threadCount = new AtomicInteger();
  /** Results not yet known: completed with false by {@link #close()} so no caller waits forever. */
  private final Set<CompletableFuture<Boolean>> pending = ConcurrentHashMap.newKeySet();
  private volatile HttpClient client;

  /**
   * @param requestTimeout how long one attempt may take, {@link #REQUEST_TIMEOUT} in service
   */
  public WebhookClient(WebhookSigner signer, Duration requestTimeout) {
    this.signer = signer;
    this.requestTimeout = requestTimeout;
    this.executor = Executors.newCachedThreadPool(this::newThread);
    this.client = build(executor);
  }

  /**
   * The JDK client starts its selector thread in its constructor, and that thread inherits the
   * context class loader; built with the platform's loader, it does not hold on to the web
   * application's after an undeploy.
   */
  private static HttpClient build(ExecutorService executor) {
    Thread current = Thread.currentThread();
    ClassLoader loader = current.getContextClassLoader();
    current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .executor(executor)
          .build();
    } finally {
      current.setContextClassLoader(loader);
    }
  }

  private Thread newThread(Runnable task) {
    Thread t = new Thread(task, "signalbox-webhook-" + threadCount.incrementAndGet());
    t.setDaemon(true);
    threads.removeIf(old -> !old.isAlive()); // idle pool threads come and go; keep the live
    threads.add(t);
    return t;
  }

  /**
   * POSTs {@code body} to {@code url}, signed with this attempt's time.
   *
   * @param id the event's id, sent as {@code webhook-id}
   * @return true when the receiver answered 2xx; false for any other answer, a network error, a
   *     timeout or a closed client. Never completes exceptionally.
   */
  public CompletableFuture<Boolean> post(URI url, String id, String body) {
    HttpClient http = client;
    if (http == null) {
      return CompletableFuture.completedFuture(false);
    }
    long timestamp = System.currentTimeMillis() / 1000;
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(url)
              .timeout(requestTimeout)
              .header("content-type", "application/json")
              .header("user-agent", USER_AGENT)
              .header("webhook-id", id)
              .header("webhook-timestamp", Long.toString(timestamp))
              .header("webhook-signature", signer.sign(id, timestamp, body))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
    } catch (IllegalArgumentException e) { // an id with characters a header cannot carry
      LOG.log(Level.WARNING, () -> "Webhook " + id + " cannot be sent: " + e.getMessage());
      return CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    pending.add(result);
    result.whenComplete((ok, e) -> pending.remove(result));
    try {
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete((response, error) -> result.complete(answered(url, id, response, error)));
    } catch (RuntimeException e) { // the executor refused the task: the client was closed
      result.complete(false);
    }
    return result;
  }

  private static boolean answered(
      URI url, String id, HttpResponse<Void> response, Throwable error) {
    if (error != null) {
      LOG.log(Level.DEBUG, () -> "Webhook " + id + " to " + masked(url) + " failed: " + error);
      return false;
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return true;
    }
    // A deliberate answer, unlike a network error: likely a receiver to fix, so visible by default.
    LOG.log(Level.INFO, () -> "Webhook " + id + " to " + masked(url) + " answered " + status);
    return false;
  }

  private static String masked(URI url) {
    return Settings.maskUrlPassword(url.toString());
  }

  /**
   * Ends every thread this client started, waiting briefly for each, and answers false to every
   * post still waiting. On Java 17 the JDK's own selector thread ends once the dropped client is
   * garbage-collected (it checks every few seconds); from Java 21 it is stopped here.
   */
  @Override
  public void close() {
    HttpClient http = client;
    client = null;
    if (http == null) {
      return;
    }
    shutdownNowIfSupported(http);
    executor.shutdownNow();
    pending.forEach(f -> f.complete(false));
    try {
      executor.awaitTermination(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
      // An executor counts as terminated a moment before its last thread has exited; Tomcat
      // looks at the threads themselves.
      for (Thread t : threads) {
        t.join(STOP_GRACE_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code HttpClient.shutdownNow()} exists from Java 21; the WAR is built for 17. */
  private static void shutdownNowIfSupported(HttpClient http) {
    try {
      HttpClient.class.getMethod("shutdownNow").invoke(http);
    } catch (NoSuchMethodException e) {
      // Java 17 to 20: see close().
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "HttpClient.shutdownNow failed: " + e);
    }
  }
}
