package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A receiver that stops reading until a backlog waits in its outbox, then reads again: it must
 * get every frame once and in order. Large frames fill the network's buffers first; then
 * signaling-sized ones queue behind them, which a container that batches gathers into its batch
 * buffer (Jetty writes frames larger than that buffer directly). Reads the server's counters of
 * batched writes before and after, from {@code GET /metrics}.
 *
 * <p>The socket's buffers grow while they fill (TCP autotuning), so a backlog seen once can drain
 * into them before the small frames arrive, which are then written one by one as they come: on a
 * busy CI machine 14 of 100 were batched so. The scenario therefore waits until the backlog holds
 * for several reads in a row, and then until the small frames wait behind it, before the
 * receiver reads again.
 */
public final class BacklogScenario {

  /** Frames waiting in the outbox before the small ones are sent. */
  public static final int BACKLOG = 8;
  /** Signaling-sized frames queued behind the backlog. */
  public static final int SMALL_FRAMES = 100;
  /** Reads of the outbox's depth in a row that must find the backlog before the small frames. */
  private static final int STEADY_READS = 20;
  /** With the small frames, within the default burst (500): the rate limit drops none. */
  private static final int MAX_LARGE_FRAMES = 300;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** What the server counted while the backlog drained. */
  public record Result(int frames, double batchedFrames) {}

  private BacklogScenario() {}

  /**
   * @param socket the signaling endpoint
   * @param metrics the server's {@code /metrics}
   */
  public static Result run(URI socket, String origin, URI metrics, String room) throws Exception {
    double framesBefore = metric(metrics, "signalbox_write_batched_frames_total");
    try (RawSocket receiver = RawSocket.open(socket, origin);
        TestClient sender = TestClient.connect(socket, origin)) {
      receiver.join(room);
      receiver.pause();
      sender.join(room, "sender");
      String pad = "x".repeat(60_000);
      int sent = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int steady = 0;
      while (steady < STEADY_READS) {
        assertTrue(sent < MAX_LARGE_FRAMES && System.nanoTime() < deadline,
            "no backlog that held after " + sent + " frames");
        if (metric(metrics, "signalbox_outbox_depth") >= BACKLOG) {
          steady++;
        } else {
          steady = 0;
          sender.send(frame(receiver.peerId(), sent++, pad));
        }
      }
      for (int i = 0; i < SMALL_FRAMES; i++) {
        sender.send(frame(receiver.peerId(), sent++, pad.substring(0, 1_000)));
      }
      // Every small frame waits behind at least one other: the drain must write them in a batch.
      while (metric(metrics, "signalbox_outbox_depth") < SMALL_FRAMES + 1) {
        assertTrue(System.nanoTime() < deadline, "the small frames did not queue");
      }
      receiver.resume();
      assertEquals("peer-joined", receiver.nextText().getString("type"));
      for (int seq = 0; seq < sent; seq++) {
        JsonObject frame = receiver.nextText();
        assertEquals(seq, frame.getJsonObject("data").getInt("seq"), "every frame, in order");
      }
      return new Result(sent, metric(metrics, "signalbox_write_batched_frames_total") - framesBefore);
    }
  }

  private static String frame(String to, int seq, String pad) {
    return "{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":{\"seq\":" + seq
        + ",\"pad\":\"" + pad + "\"}}";
  }

  /** An unlabelled sample of {@code GET /metrics}. */
  private static double metric(URI metrics, String name) throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body().lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
  }
}
