package org.signalbox.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jakarta.json.spi.JsonProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.signalbox.config.SettingSource;
import org.signalbox.config.Settings;
import org.signalbox.config.SettingsLoader;
import org.signalbox.spi.RoomEvent;
import org.signalbox.spi.RoomEvent.PeerJoined;

/** The facade and the client against real HTTP receivers on 127.0.0.1. */
class WebhooksTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  /** Every wait in this class is bounded by this or less. */
  private static final long WAIT_S = 10;
  private static final RoomEvent EVENT =
      new PeerJoined("evt_01J9", "r1", 1796220185123L, "p1", "Ada", "user-7");

  private final List<Receiver> receivers = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stopEverything() throws Exception {
    release.countDown(); // lets handlers that never answer return, so their servers can stop
    for (AutoCloseable c : toClose) {
      c.close();
    }
    for (Receiver r : receivers) {
      r.server.stop(0);
    }
  }

  /** One POST as the receiver saw it. */
  record Request(String method, Map<String, String> headers, String body, long receivedMs) {}

  /** An HTTP server that records each request and answers {@code status}. */
  static final class Receiver {
    final HttpServer server;
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    Receiver(HttpServer server) {
      this.server = server;
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }
  }

  private Receiver receiver(int status) throws IOException {
    return receiver(status, Map.of());
  }

  private Receiver receiver(int status, Map<String, String> responseHeaders) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Receiver receiver = new Receiver(server);
    server.createContext("/", exchange -> {
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) ->
          headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      receiver.requests.add(
          new Request(exchange.getRequestMethod(), headers, body, System.currentTimeMillis()));
      responseHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    receivers.add(receiver);
    return receiver;
  }

  /** A receiver that reads the request and never answers until the test ends. */
  private Receiver silentReceiver() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Receiver receiver = new Receiver(server);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      receiver.requests.add(new Request("POST", Map.of(), "", System.currentTimeMillis()));
      try {
        release.await(WAIT_S * 3, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.start();
    receivers.add(receiver);
    return receiver;
  }

  private Webhooks webhooks(PrometheusRegistry registry, Duration timeout, Receiver... to) {
    List<String> urls = new ArrayList<>();
    for (Receiver r : to) {
      urls.add(r.uri().toString());
    }
    Settings settings = SettingsLoader.load(SettingSource.of(
        Map.of("webhookUrls", String.join(",", urls), "webhookSecret", SECRET)));
    Webhooks webhooks = Webhooks.start(settings, registry, timeout);
    toClose.add(webhooks::stop);
    return webhooks;
  }

  private WebhookClient client(Duration timeout) {
    WebhookClient client = new WebhookClient(new WebhookSigner(SECRET), timeout);
    toClose.add(client);
    return client;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_S, TimeUnit.SECONDS);
  }

  private static Request next(Receiver receiver) throws InterruptedException {
    Request request = receiver.requests.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(request, "no request reached " + receiver.uri());
    return request;
  }

  @Test
  void anEventIsPostedSignedToEveryUrl() throws Exception {
    Receiver a = receiver(200);
    Receiver b = receiver(204);
    Webhooks webhooks = webhooks(new PrometheusRegistry(), Duration.ofSeconds(5), a, b);
    String expectedBody = new WebhookPayload(JsonProvider.provider()).body(EVENT);

    assertTrue(webhooks.enabled());
    assertEquals(2, webhooks.urlCount());
    long before = System.currentTimeMillis() / 1000;
    assertEquals(Set.of(0, 1), await(webhooks.attempt(EVENT, Set.of())));
    long after = System.currentTimeMillis() / 1000;

    for (Receiver r : List.of(a, b)) {
      Request request = next(r);
      assertEquals("POST", request.method());
      assertEquals(expectedBody, request.body());
      assertEquals("application/json", request.headers().get("content-type"));
      assertEquals("Signalbox-Webhooks", request.headers().get("user-agent"));
      assertEquals("evt_01J9", request.headers().get("webhook-id"));
      long timestamp = Long.parseLong(request.headers().get("webhook-timestamp"));
      assertTrue(timestamp >= before && timestamp <= after,
          before + " <= " + timestamp + " <= " + after);
      assertTrue(new SignatureVerifier(SECRET).verifies("evt_01J9",
          request.headers().get("webhook-timestamp"), request.body(),
          request.headers().get("webhook-signature")), request.headers().toString());
    }
  }

  @Test
  void aUrlAnswering500IsLeftForTheRetryWhichCarriesTheSameIdAndBody() throws Exception {
    Receiver failing = receiver(500);
    Receiver ok = receiver(200);
    Webhooks webhooks = webhooks(new PrometheusRegistry(), Duration.ofSeconds(5), failing, ok);

    assertEquals(Set.of(1), await(webhooks.attempt(EVENT, Set.of())));
    Request first = next(failing);
    next(ok);

    assertEquals(Set.of(1), await(webhooks.attempt(EVENT, Set.of(1))));
    Request retry = next(failing);
    assertEquals(first.body(), retry.body());
    assertEquals(first.headers().get("webhook-id"), retry.headers().get("webhook-id"));
    // The attempt completed only after every post it made was answered: none went to ok.
    assertNull(ok.requests.poll(), "the URL that took the event got it again");
  }

  @Test
  void urlsAlreadyDoneAreNotPostedAgain() throws Exception {
    Receiver a = receiver(200);
    Receiver b = receiver(200);
    Webhooks webhooks = webhooks(new PrometheusRegistry(), Duration.ofSeconds(5), a, b);

    assertEquals(Set.of(0, 1), await(webhooks.attempt(EVENT, Set.of(0, 1))));
    assertNull(a.requests.poll());
    assertNull(b.requests.poll());
  }

  @Test
  void aReceiverThatNeverAnswersFailsAfterTheRequestTimeout() throws Exception {
    Receiver silent = silentReceiver();
    WebhookClient client = client(Duration.ofMillis(500));

    long start = System.nanoTime();
    CompletableFuture<Boolean> result = client.post(silent.uri(), "evt_1", "{}");
    assertFalse(await(result));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    next(silent); // it did reach the receiver: the timeout, not the connection, failed it
    assertTrue(elapsedMs >= 450 && elapsedMs < 5_000, "failed after " + elapsedMs + " ms");
  }

  @Test
  void aClosedPortFails() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    WebhookClient client = client(Duration.ofSeconds(5));
    assertFalse(await(client.post(URI.create("http://127.0.0.1:" + port + "/hook"), "e", "{}")));
  }

  @Test
  void aRedirectIsAFailureAndIsNotFollowed() throws Exception {
    Receiver target = receiver(200);
    Receiver redirecting = receiver(307, Map.of("location", target.uri().toString()));
    WebhookClient client = client(Duration.ofSeconds(5));

    assertFalse(await(client.post(redirecting.uri(), "e", "{}")));
    next(redirecting);
    assertNull(target.requests.poll(), "the redirect was followed");
  }

  @Test
  void closeAnswersWaitingPostsAndEndsEveryThreadTheClientStarted() throws Exception {
    Receiver silent = silentReceiver();
    WebhookClient client = new WebhookClient(new WebhookSigner(SECRET), Duration.ofSeconds(30));
    toClose.add(client);
    CompletableFuture<Boolean> waiting = client.post(silent.uri(), "e", "{}");
    next(silent);
    assertTrue(clientThreads() > 0, "the client runs on its own threads");

    client.close();

    assertFalse(await(waiting));
    assertEquals(0, clientThreads(), "threads left after close");
    assertFalse(await(client.post(silent.uri(), "e", "{}")), "a closed client still posts");
  }

  private static long clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("signalbox-webhook-"))
        .count();
  }

  @Test
  void withoutUrlsWebhooksAreDisabledAndRegisterNoMetrics() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Webhooks webhooks = Webhooks.start(Settings.defaults(), registry);
    toClose.add(webhooks::stop);

    assertFalse(webhooks.enabled());
    assertEquals(0, webhooks.urlCount());
    assertEquals(Set.of(), await(webhooks.attempt(EVENT, Set.of())));
    webhooks.sent();
    webhooks.dropped(3);
    assertEquals(0, registry.scrape().size());
    assertEquals(86_400_000, webhooks.giveUpAfterMs());
  }

  @Test
  void outcomesAreCountedByLabel() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Webhooks webhooks = webhooks(registry, Duration.ofSeconds(5), receiver(200));

    webhooks.sent();
    webhooks.sent();
    webhooks.retried();
    webhooks.failed();
    webhooks.dropped(5);
    webhooks.dropped(2);

    assertEquals(Map.of("sent", 2.0, "retried", 1.0, "failed", 1.0, "dropped", 7.0),
        counts(registry));
  }

  @Test
  void retryDelaysFollowTheBackoff() {
    Webhooks webhooks = Webhooks.start(Settings.defaults(), new PrometheusRegistry());
    for (int n = 1; n <= 12; n++) {
      long nominal = Math.min(300_000, 1_000L << (n - 1));
      long delay = webhooks.retryDelayMs(n);
      assertTrue(delay >= nominal / 2 && delay <= nominal * 3 / 2, "retry " + n + ": " + delay);
    }
  }

  private static Map<String, Double> counts(PrometheusRegistry registry) {
    Map<String, Double> counts = new HashMap<>();
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (snapshot.getMetadata().getName().equals("signalbox_webhook_events")) {
        for (CounterSnapshot.CounterDataPointSnapshot point :
            ((CounterSnapshot) snapshot).getDataPoints()) {
          counts.put(point.getLabels().get("outcome"), point.getValue());
        }
      }
    }
    return counts;
  }
}
