package org.signalbox.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.signalbox.testing.TestClient;

/**
 * The call peer of {@code src/test/node/interop-peer.mjs} (libdatachannel, through npm's
 * node-datachannel) as one {@code node} process, with its signaling connection held here: every
 * frame the server sends is written to the process's stdin, every frame it asks to send goes to
 * the server, and its reports are kept for the test to await. Its stdin, stdout and stderr, both
 * directions, go to a transcript under {@code target/}.
 *
 * <p>Threads: one pumps server frames into the process, one reads the process's output (and is
 * the only one that sends on the signaling connection); the test's thread awaits reports and
 * writes commands. Writes to the process's stdin are serialized on {@link #stdin}.
 */
final class InteropPeer implements AutoCloseable {

  private static final Logger LOG = System.getLogger(InteropPeer.class.getName());

  /**
   * When the peer offers: by CLIENT.md's rule (only to peers that were there before it), or at
   * once to every peer it learns of, breaking the rule: {@code AT_ONCE} makes its offer then,
   * {@code PREPARED} made it before anyone came and sends it in the same instant.
   */
  enum Offer {
    AT_ONCE("at-once"), PREPARED("prepared"), BY_RULE("by-rule");

    final String flag;

    Offer(String flag) {
      this.flag = flag;
    }
  }

  private static final Path SCRIPT = Path.of("src", "test", "node", "interop-peer.mjs");
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final TestClient line;
  private final Process process;
  private final PrintWriter stdin;
  private final Writer transcript;
  private final List<JsonObject> reports = new ArrayList<>(); // guarded by itself
  private volatile boolean ended;
  private final Thread pump;
  private final Thread reader;

  private InteropPeer(TestClient line, Process process, Writer transcript) {
    this.line = line;
    this.process = process;
    this.transcript = transcript;
    this.stdin = new PrintWriter(process.getOutputStream(), false, StandardCharsets.UTF_8);
    this.pump = new Thread(this::pumpFrames, "interop-pump");
    this.reader = new Thread(this::readOutput, "interop-reader");
  }

  /**
   * Opens a signaling connection whose {@code peerId} {@code wanted} accepts (at most {@code
   * tries} connections), starts the peer with it, and lets it join {@code room}. With {@code
   * unreachableFirst} the peer's first connection to each other peer exchanges no candidates, so
   * that only a rebuild connects.
   */
  static InteropPeer start(RunningServer server, String room, Offer offer, boolean unreachableFirst,
      Predicate<String> wanted, int tries) throws IOException {
    TestClient line = openWithPeerId(server, wanted, tries);
    Path base = RunCommandServer.projectDir();
    Path log = base.resolve("target").resolve("interop-" + room + ".log");
    Writer transcript = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    List<String> command = new ArrayList<>(List.of("node", base.resolve(SCRIPT).toString(),
        "--room", room, "--name", "libdatachannel", "--offer", offer.flag));
    if (unreachableFirst) {
      command.add("--unreachable-first");
    }
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(
              log.resolveSibling("interop-" + room + ".stderr").toFile()))
          .start();
    } catch (IOException | RuntimeException e) {
      leave(line);
      transcript.close();
      throw e;
    }
    InteropPeer peer = new InteropPeer(line, process, transcript);
    peer.toProcess(line.welcome().toString());
    peer.pump.start();
    peer.reader.start();
    return peer;
  }

  String peerId() {
    return line.welcomePeerId();
  }

  /** Asks the peer to send {@code text} on every open chat channel; it reports whether it could. */
  void chat(String text) {
    int from = reportCount();
    command(Json.createObjectBuilder().add("command", "chat").add("text", text).build());
    JsonObject sent = await("chat-sent " + text, Duration.ofSeconds(10), from,
        r -> "chat-sent".equals(r.getString("event", "")) && text.equals(r.getString("text", "")));
    if (!sent.getBoolean("sent")) {
      throw new AssertionError("the peer's chat channel was not open to send " + text + "; " + status());
    }
  }

  /** The peer's own view of its connections: state, channel, offers, collisions, rebuilds. */
  JsonObject status() {
    if (ended) {
      return Json.createObjectBuilder().add("ended", true).build();
    }
    int from = reportCount();
    command(Json.createObjectBuilder().add("command", "status").build());
    return await("status", Duration.ofSeconds(10), from, r -> "status".equals(r.getString("event", "")));
  }

  /** Waits for a report whose {@code event} is {@code event} and that {@code match} accepts. */
  JsonObject await(String event, Duration wait, Predicate<JsonObject> match) {
    return await(event, wait, 0, r -> event.equals(r.getString("event", "")) && match.test(r));
  }

  /** Every report so far. */
  List<JsonObject> reports() {
    synchronized (reports) {
      return List.copyOf(reports);
    }
  }

  private int reportCount() {
    synchronized (reports) {
      return reports.size();
    }
  }

  private JsonObject await(String what, Duration wait, int from, Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (reports) {
      for (int i = from; ; ) {
        for (; i < reports.size(); i++) {
          if (match.test(reports.get(i))) {
            return reports.get(i);
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || ended) {
          throw new AssertionError((ended ? "the peer ended" : "not within " + wait) + ": " + what);
        }
        try {
          reports.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  private void command(JsonObject command) {
    toProcess(command.toString());
  }

  private void toProcess(String text) {
    synchronized (stdin) {
      stdin.println(text);
      stdin.flush();
    }
    note("<- ", text);
  }

  /**
   * Opens signaling connections one after another until the server gives one a {@code peerId}
   * that {@code wanted} accepts, at most {@code tries}: ids are random, and the order of two ids
   * decides who is polite, so this is how a test picks the role. The others leave (1000, awaited)
   * before the next opens, so they never count against the server's per-address limit.
   */
  private static TestClient openWithPeerId(RunningServer server, Predicate<String> wanted, int tries) {
    long start = System.nanoTime();
    for (int i = 0; i < tries; i++) {
      TestClient line = TestClient.connect(server.socket(), server.origin());
      if (wanted.test(line.welcomePeerId())) {
        int opened = i + 1;
        LOG.log(Level.INFO, () -> "peerId " + line.welcomePeerId() + " after " + opened
            + " connections in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        return line;
      }
      leave(line);
    }
    throw new AssertionError("no wanted peerId in " + tries + " connections");
  }

  /** Closes with 1000, so the room hears at once that this peer left (no resume grace). */
  private static void leave(TestClient line) {
    try {
      if (!line.isClosed()) {
        line.closeWith(1000);
        line.awaitClose();
      }
    } catch (RuntimeException | AssertionError e) {
      // Broken or slow to close: the abort below ends it all the same.
    } finally {
      line.close();
    }
  }

  /** Server frames into the process, until the connection ends. */
  private void pumpFrames() {
    while (!ended) {
      JsonObject frame = line.poll(Duration.ofSeconds(1));
      if (frame != null) {
        toProcess(frame.toString());
      } else if (line.isClosed()) {
        note("-- ", "signaling closed");
        return;
      }
    }
  }

  /** The process's lines: frames for the server, and reports for the test. */
  private void readOutput() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String text; (text = out.readLine()) != null; ) {
        note("-> ", text);
        JsonObject item = parse(text);
        if (item.containsKey("send")) {
          line.send(item.getJsonObject("send").toString());
        } else {
          synchronized (reports) {
            reports.add(item);
            reports.notifyAll();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      note("!! ", String.valueOf(e));
    } finally {
      ended = true;
      synchronized (reports) {
        reports.notifyAll();
      }
    }
  }

  private void note(String direction, String text) {
    synchronized (transcript) {
      try {
        transcript.write(System.currentTimeMillis() + " " + direction + text + "\n");
        transcript.flush();
      } catch (IOException e) {
        // The transcript is for people reading a failure; the test goes on without it.
      }
    }
  }

  private static JsonObject parse(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  /**
   * Ends the process (its stdin closes, so it closes its connections and exits; SIGKILL if it
   * has not within {@link #STOP_WAIT}) and then the signaling connection.
   */
  @Override
  public void close() {
    try {
      OutputStream in = process.getOutputStream();
      synchronized (stdin) {
        in.close();
      }
    } catch (IOException e) {
      // Already closed: the process is ending anyway.
    }
    try {
      if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    ended = true;
    leave(line);
    try {
      reader.join(STOP_WAIT.toMillis());
      pump.join(STOP_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (transcript) {
      try {
        transcript.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
