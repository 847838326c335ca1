package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * A webhook receiver on a loopback port, as a portal would run one: it records every request
 * with its headers and checks each signature with its own verifier (never the product's signer).
 * What it answers is the test's to choose, request by request.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived. */
  public record Delivery(
      String id, String timestamp, String signature, String body, JsonObject json,
      boolean signed, long receivedAt, int answered) {

    public String type() {
      return json.getString("type");
    }

    public JsonObject data() {
      return json.getJsonObject("data");
    }
  }

  private final HttpServer server;
  private final SignatureVerifier verifier;
  private final List<Delivery> deliveries = new ArrayList<>();
  private volatile IntSupplier status = () -> 204;
  /** Requests that arrived, answered or not yet. Guarded by deliveries. */
  private int arrived;

  private WebhookReceiver(HttpServer server, String secret) {
    this.server = server;
    this.verifier = new SignatureVerifier(secret);
  }

  /** A receiver that answers 204 until told otherwise; it checks signatures with {@code secret}. */
  public static WebhookReceiver start(String secret) {
    return start(secret, 0);
  }

  /** On {@code port} (0 for any free one). */
  public static WebhookReceiver start(String secret, int port) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
      WebhookReceiver receiver = new WebhookReceiver(server, secret);
      server.createContext("/hooks", exchange -> {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
          bytes = in.readAllBytes();
        }
        String body = new String(bytes, StandardCharsets.UTF_8);
        var h = exchange.getRequestHeaders();
        String id = h.getFirst("webhook-id");
        String ts = h.getFirst("webhook-timestamp");
        String sig = h.getFirst("webhook-signature");
        boolean signed = id != null && ts != null && sig != null && receiver.verifier.verifies(id, ts, body, sig);
        synchronized (receiver.deliveries) {
          receiver.arrived++;
          receiver.deliveries.notifyAll();
        }
        int answer = receiver.status.getAsInt();
        JsonObject json;
        try (var reader = Json.createReader(new StringReader(body))) {
          json = reader.readObject();
        }
        synchronized (receiver.deliveries) {
          receiver.deliveries.add(new Delivery(id, ts, sig, body, json, signed,
              System.currentTimeMillis(), answer));
          receiver.deliveries.notifyAll();
        }
        exchange.sendResponseHeaders(answer, -1);
        exchange.close();
      });
      // Several threads: a test may hold one request unanswered while others arrive.
      server.setExecutor(Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "webhook-receiver");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return receiver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>/hooks}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  /** What to answer each request from now on. */
  public void answer(IntSupplier status) {
    this.status = status;
  }

  /** Waits (bounded) until {@code count} requests arrived, answered or not. */
  public void awaitArrived(int count, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (deliveries) {
      while (arrived < count) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        assertTrue(left > 0, count + " webhook requests within " + wait + ", not " + arrived);
        try {
          deliveries.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  /** Everything received so far. */
  public List<Delivery> deliveries() {
    synchronized (deliveries) {
      return List.copyOf(deliveries);
    }
  }

  /** Waits (bounded) until the requests answered 2xx satisfy {@code done}; returns them all. */
  public List<Delivery> await(Predicate<List<Delivery>> done, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (deliveries) {
      while (!done.test(accepted())) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        assertTrue(left > 0, "webhooks not as expected within " + wait + "; received: "
            + deliveries.stream().map(d -> d.type() + "/" + d.answered()).toList());
        try {
          deliveries.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      return List.copyOf(deliveries);
    }
  }

  /** Waits until {@code count} requests were answered 2xx; returns those, in arrival order. */
  public List<Delivery> awaitAccepted(int count, Duration wait) {
    await(list -> list.size() >= count, wait);
    return accepted();
  }

  /** The requests answered 2xx, in arrival order. */
  public List<Delivery> accepted() {
    synchronized (deliveries) {
      return deliveries.stream().filter(d -> d.answered() / 100 == 2).toList();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
