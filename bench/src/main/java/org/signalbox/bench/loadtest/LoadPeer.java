package org.signalbox.bench.loadtest;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One connection of the load test: opens the socket, joins its room on {@code welcome}, keeps
 * the room's membership from {@code joined}, {@code peer-joined} and {@code peer-left}, relays
 * {@code message} frames to the others in turn, and checks what it receives. The JDK's client
 * allows one outstanding send per socket, so frames wait in a queue of their own.
 */
final class LoadPeer implements WebSocket.Listener {

  enum State { CONNECTING, JOINED, LEAVING, CLOSING, CLOSED, FAILED }

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Frames a peer may have queued before the generator counts further ones as not sent. */
  static final int QUEUE_BOUND = 10_000;
  private static final Object CLOSE = new Object();

  /** What every peer of a run shares. */
  record Context(Options options, Stats stats, long epochNanos, String padding,
      Consumer<Map<String, Object>> limitsSeen, boolean churn) {}

  private final Context context;
  private final HttpClient client;
  final int slot;
  final String room;
  final int indexInRoom;
  private final String token;

  private volatile State state = State.CONNECTING;
  private volatile WebSocket socket;
  private volatile String peerId;
  private volatile boolean closingByUs;
  // Phase times (System.nanoTime) of this connection's join; see Stats.Latency.
  private volatile long openedNanos;
  private volatile long upgradedNanos;
  private volatile long joinSentNanos;
  /** The join frame, told from the other queued frames by identity when it is sent. */
  private volatile String joinFrame;
  private final StringBuilder partial = new StringBuilder();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean inRoom = new AtomicBoolean();
  /** Called once when this peer has left for churn and its socket is closed. */
  private volatile Runnable afterChurnClose;

  // Guarded by this.
  private final List<String> others = new ArrayList<>();
  private int nextTarget;
  private final Map<String, Integer> targetIndex = new HashMap<>();
  private final List<String> targets = new ArrayList<>();
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private boolean sending;

  LoadPeer(Context context, HttpClient client, int slot, String room, int indexInRoom,
      String token) {
    this.context = context;
    this.client = client;
    this.slot = slot;
    this.room = room;
    this.indexInRoom = indexInRoom;
    this.token = token;
  }

  State state() {
    return state;
  }

  /** Completes when the socket is closed or could not be opened. */
  CompletableFuture<Void> done() {
    return done;
  }

  void open() {
    openedNanos = System.nanoTime();
    client.newWebSocketBuilder()
        .header("Origin", context.options().origin())
        .connectTimeout(CONNECT_TIMEOUT)
        .buildAsync(context.options().url(), this)
        .orTimeout(CONNECT_TIMEOUT.toSeconds() * 2, java.util.concurrent.TimeUnit.SECONDS)
        .whenComplete((ws, error) -> {
          if (error != null) {
            failed(describe(error));
          }
        });
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    upgradedNanos = System.nanoTime();
    context.stats().latency(Stats.Latency.HANDSHAKE, (upgradedNanos - openedNanos) / 1000);
    socket = webSocket;
    if (closingByUs) {
      webSocket.abort(); // the run ended while this one was still connecting
      ended();
      return;
    }
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String frame = partial.toString();
      partial.setLength(0);
      try {
        handle(Json.object(frame));
      } catch (RuntimeException e) {
        context.stats().failure("unreadable frame: " + e.getMessage());
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    context.stats().closed(statusCode, closingByUs);
    ended();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (!closingByUs) {
      context.stats().failure("connection: " + describe(error));
    }
    ended();
  }

  /**
   * Queues one relay message, scheduled at {@code scheduledNanos}, to the next other peer of the
   * room; false when this peer cannot send (not joined, or alone).
   */
  boolean relay(long scheduledNanos) {
    if (state != State.JOINED) {
      return false;
    }
    String frame;
    synchronized (this) {
      if (others.isEmpty()) {
        return false;
      }
      if (queue.size() >= QUEUE_BOUND) {
        context.stats().backlogDropped.increment();
        return true;
      }
      String target = others.get(nextTarget++ % others.size());
      int index = targetIndex.computeIfAbsent(target, t -> {
        targets.add(t);
        return targets.size() - 1;
      });
      long sequence = context.stats().pair(peerId, target).nextSequence();
      frame = "{\"type\":\"message\",\"id\":\"m" + index + "." + sequence + "\",\"to\":"
          + Json.quote(target) + ",\"data\":{\"lt\":1,\"q\":" + sequence + ",\"t\":"
          + (scheduledNanos - context.epochNanos()) + ",\"p\":\"" + context.padding() + "\"}}";
      context.stats().sent.increment();
      enqueue(frame);
    }
    return true;
  }

  /** Churn: leaves the room, then closes; {@code then} runs once the socket is closed. */
  void leaveAndClose(Runnable then) {
    afterChurnClose = then;
    state = State.LEAVING;
    synchronized (this) {
      enqueue("{\"type\":\"leave\",\"id\":\"l\"}");
    }
  }

  /** Closes with 1000 after whatever is queued; a peer that never opened just ends. */
  void close() {
    closingByUs = true;
    if (socket == null) {
      if (state == State.CONNECTING) {
        state = State.FAILED;
      }
      ended();
      return;
    }
    synchronized (this) {
      if (state == State.CONNECTING || state == State.JOINED || state == State.LEAVING) {
        state = State.CLOSING;
      }
      enqueue(CLOSE);
    }
  }

  /** Ends the connection at once (the bounded wait for a close ran out). */
  void abort() {
    closingByUs = true;
    WebSocket ws = socket;
    if (ws != null) {
      ws.abort();
    }
    ended();
  }

  synchronized int queued() {
    return queue.size() + (sending ? 1 : 0);
  }

  private void handle(Map<String, Object> frame) {
    Object type = frame.get("type");
    if (!(type instanceof String t)) {
      context.stats().failure("frame without a type");
      return;
    }
    switch (t) {
      case "welcome" -> welcome(frame);
      case "joined" -> joined(frame);
      case "peer-joined" -> {
        if (frame.get("peer") instanceof Map<?, ?> peer && peer.get("peerId") instanceof String id) {
          synchronized (this) {
            others.add(id);
          }
        }
      }
      case "peer-left" -> {
        if (frame.get("peerId") instanceof String id) {
          synchronized (this) {
            others.remove(id);
          }
        }
      }
      case "message" -> message(frame);
      case "left" -> {
        if ("l".equals(frame.get("ref"))) {
          outOfRoom();
          close();
        } else {
          context.stats().failure("left the room unasked: " + frame.get("reason"));
        }
      }
      case "error" -> error(frame);
      default -> { } // pong, signal and anything newer: nothing to count
    }
  }

  private void welcome(Map<String, Object> frame) {
    context.stats().latency(Stats.Latency.WELCOME, (System.nanoTime() - upgradedNanos) / 1000);
    peerId = (String) frame.get("peerId");
    if (frame.get("limits") instanceof Map<?, ?> limits) {
      @SuppressWarnings("unchecked")
      Map<String, Object> typed = (Map<String, Object>) limits;
      context.limitsSeen().accept(typed);
    }
    StringBuilder join = new StringBuilder("{\"type\":\"join\",\"id\":\"j\",\"room\":")
        .append(Json.quote(room)).append(",\"name\":").append(Json.quote("load test " + indexInRoom));
    if (token != null) {
      join.append(",\"token\":").append(Json.quote(token));
    }
    String frameText = join.append('}').toString();
    joinFrame = frameText;
    synchronized (this) {
      enqueue(frameText);
    }
  }

  private void joined(Map<String, Object> frame) {
    long now = System.nanoTime();
    context.stats().latency(Stats.Latency.JOIN, (now - joinSentNanos) / 1000);
    context.stats().latency(Stats.Latency.CONNECT_JOIN, (now - openedNanos) / 1000);
    synchronized (this) {
      others.clear();
      if (frame.get("peers") instanceof List<?> peers) {
        for (Object p : peers) {
          if (p instanceof Map<?, ?> peer && peer.get("peerId") instanceof String id) {
            others.add(id);
          }
        }
      }
    }
    context.stats().joins.increment();
    if (inRoom.compareAndSet(false, true)) {
      context.stats().joinedNow.incrementAndGet();
    }
    state = State.JOINED;
  }

  private void message(Map<String, Object> frame) {
    if (!(frame.get("data") instanceof Map<?, ?> data) || !Long.valueOf(1).equals(data.get("lt"))) {
      return; // not the load test's: a portal message, say
    }
    long now = System.nanoTime();
    Stats stats = context.stats();
    if (!(frame.get("from") instanceof String from) || !(data.get("q") instanceof Long sequence)
        || !(data.get("t") instanceof Long sent)) {
      stats.failure("relay message without from, q or t");
      return;
    }
    stats.received.increment();
    stats.latency(Stats.Latency.RELAY, (now - context.epochNanos() - sent) / 1000);
    switch (stats.pair(from, peerId).arrived(sequence)) {
      case DUPLICATE -> stats.duplicates.increment();
      case OUT_OF_ORDER -> stats.outOfOrder.increment();
      case IN_ORDER -> { }
    }
  }

  private void error(Map<String, Object> frame) {
    String code = String.valueOf(frame.get("code"));
    String message = String.valueOf(frame.get("message"));
    Object ref = frame.get("ref");
    Stats stats = context.stats();
    if ("j".equals(ref)) {
      stats.error(code, message, false);
      state = State.FAILED;
      close();
      return;
    }
    if (ref instanceof String r && r.startsWith("m")) {
      String target = null;
      int dot = r.indexOf('.');
      synchronized (this) {
        try {
          int index = Integer.parseInt(r.substring(1, dot));
          target = index < targets.size() ? targets.get(index) : null;
        } catch (RuntimeException e) {
          target = null;
        }
      }
      if (target != null) {
        stats.pair(peerId, target).refused();
        stats.refused.increment();
      }
      // A peer that is leaving for churn is no longer a target: only then is unknown-peer normal.
      stats.error(code, message, context.churn() && "unknown-peer".equals(code));
      return;
    }
    stats.error(code, message, false);
  }

  /** Caller holds this. */
  private void enqueue(Object item) {
    queue.add(item);
    if (!sending) {
      sendNext();
    }
  }

  /** Caller holds this. */
  private void sendNext() {
    WebSocket ws = socket;
    Object item = queue.poll();
    if (item == null || ws == null) {
      sending = false;
      return;
    }
    sending = true;
    if (item == joinFrame) {
      joinSentNanos = System.nanoTime(); // the join's own time starts here, not behind the queue
    }
    CompletableFuture<WebSocket> sent = item == CLOSE
        ? ws.sendClose(WebSocket.NORMAL_CLOSURE, "load test done")
        : ws.sendText((String) item, true);
    sent.whenComplete((w, error) -> {
      if (error != null && !closingByUs) {
        context.stats().failure("send: " + describe(error));
      }
      synchronized (LoadPeer.this) {
        if (error != null || item == CLOSE) {
          queue.clear();
          sending = false;
        } else {
          sendNext();
        }
      }
    });
  }

  private void failed(String why) {
    if (!closingByUs) {
      context.stats().failure(why);
    }
    state = State.FAILED;
    ended();
  }

  private void ended() {
    if (state != State.FAILED) {
      state = State.CLOSED;
    }
    outOfRoom();
    if (done.complete(null)) {
      Runnable then = afterChurnClose;
      afterChurnClose = null;
      if (then != null) {
        then.run();
      }
    }
  }

  /** Counts this peer out of the joined ones, once. */
  private void outOfRoom() {
    if (inRoom.compareAndSet(true, false)) {
      context.stats().joinedNow.decrementAndGet();
    }
  }

  /** A handshake refusal by its HTTP status (403 origin, 429 per-address limit), else the cause. */
  static String describe(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof WebSocketHandshakeException h) {
      int status = h.getResponse().statusCode();
      return "handshake refused: HTTP " + status + switch (status) {
        case 403 -> " (origin not allowed: see --origin, or the deployment's allowedOrigins)";
        case 429 -> " (over maxConnectionsPerAddress)";
        default -> "";
      };
    }
    if (e instanceof java.util.concurrent.TimeoutException
        || e instanceof java.net.http.HttpTimeoutException) {
      return "connect timed out";
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
