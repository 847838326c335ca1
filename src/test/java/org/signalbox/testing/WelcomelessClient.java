package org.signalbox.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bare WebSocket for handshakes after which no {@code welcome} is expected: records text
 * frames and the close code.
 */
public final class WelcomelessClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket socket;

  public WelcomelessClient(URI uri) {
    socket = HTTP.newWebSocketBuilder().connectTimeout(TestClient.WAIT)
        .buildAsync(uri, new WebSocket.Listener() {
          @Override
          public void onOpen(WebSocket ws) {
            ws.request(Long.MAX_VALUE);
          }

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            texts.add(data.toString());
            return null;
          }

          @Override
          public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            texts.add("(binary)");
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
            return null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            closed.complete(1006);
          }
        }).orTimeout(TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** The close code, waiting at most {@code bound}. */
  public int awaitClose(Duration bound) throws InterruptedException, ExecutionException {
    try {
      return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not closed within " + bound + "; frames: " + texts);
    }
  }

  /** The text frames received so far. */
  public List<String> texts() {
    return List.copyOf(texts);
  }

  @Override
  public void close() {
    socket.abort();
  }
}
