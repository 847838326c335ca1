package org.signalbox.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test in its own process, pinned by the command that starts it (to its own core,
 * but for the cluster's Redis): its start-up time, CPU time, resident memory and live heap, read
 * from outside.
 */
final class ServerProcess implements AutoCloseable {

  /** What runs in the process: a JVM, Node.js, or neither (Redis: no live heap to read). */
  enum Runtime { JVM, NODE, OTHER }

  private static final Pattern CONNECTIONS = Pattern.compile("\"connections\":(\\d+)");

  /** One client for every /health poll: each new client would start its own selector thread. */
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * Servers not closed yet: a bench stopped on the way (Ctrl-C, bench/run.sh's timeout) ends
   * them on its way out instead of leaving them running.
   */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      RUNNING.forEach(Process::destroy);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (Process p : RUNNING) {
        try {
          if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          p.destroyForcibly();
        }
      }
    }, "bench-servers-down"));
  }

  /** Linux's clock ticks per second for {@code /proc/<pid>/stat}, fixed at 100 on x86_64. */
  private static final long TICKS_PER_SECOND = 100;

  final String name;
  final InetSocketAddress address;
  final long startupNanos;
  private final Process process;
  private final Runtime runtime;
  private final Path gcReport;
  private final Path log;
  private int histograms;

  private ServerProcess(String name, InetSocketAddress address, Process process, long startupNanos,
      Runtime runtime, Path gcReport, Path log) {
    this.name = name;
    this.address = address;
    this.process = process;
    this.startupNanos = startupNanos;
    this.runtime = runtime;
    this.gcReport = gcReport;
    this.log = log;
  }

  /**
   * Starts {@code command} with its output in {@code log} and waits until {@code port} accepts
   * (Jetty opens its connector after deploying; the PeerJS server listens once it is set up).
   */
  static ServerProcess start(String name, List<String> command, int port, Path log,
      Runtime runtime, Path gcReport) throws IOException, InterruptedException {
    return start(name, command, Map.of(), port, log, runtime, gcReport);
  }

  /**
   * As {@link #start(String, List, int, Path, Runtime, Path)}, with {@code environment} added to
   * the process's.
   */
  static ServerProcess start(String name, List<String> command, Map<String, String> environment,
      int port, Path log, Runtime runtime, Path gcReport) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    if (gcReport != null) {
      builder.environment().put("PEERJS_GC_REPORT", gcReport.toString());
    }
    long start = System.nanoTime();
    Process process = builder.start();
    RUNNING.add(process);
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    long deadline = start + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited at start; see " + log);
      }
      try (Socket probe = new Socket()) {
        probe.connect(address, 1000);
        break;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException(name + " did not listen within 90 s; see " + log);
        }
        Thread.sleep(20);
      }
    }
    return new ServerProcess(name, address, process, System.nanoTime() - start, runtime, gcReport,
        log);
  }

  /** Signalbox's count of open sockets, from {@code /health}; -1 when it does not answer. */
  long healthConnections() {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/health"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher m = CONNECTIONS.matcher(response.body());
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * Waits until Signalbox counts no open socket, at most {@code limitSeconds}, so that one
   * scenario's closes do not run into the next one's measurement.
   *
   * @return how long that took, in seconds
   */
  double drain(long limitSeconds) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(limitSeconds);
    while (healthConnections() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  long pid() {
    return process.pid();
  }

  /** User plus system CPU time of the whole process, every thread included. */
  long cpuNanos() {
    String stat = read("/proc/" + pid() + "/stat");
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /**
   * CPU time of the whole machine, every core, every process and the kernel's own work, from
   * {@code /proc/stat}: what the server and the generator did not use of it was someone else's.
   */
  static long machineCpuNanos() {
    String[] fields = read("/proc/stat").lines().filter(l -> l.startsWith("cpu ")).findFirst()
        .orElseThrow().trim().split("\\s+");
    long ticks = 0;
    // user, nice, system, (idle, iowait skipped), irq, softirq, steal; guest time is in user
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      ticks += Long.parseLong(fields[i]);
    }
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** Resident set size. */
  long rssBytes() {
    for (String line : read("/proc/" + pid() + "/status").split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS for " + name);
  }

  /**
   * Bytes of live objects right after a full collection: for a JVM the class histogram's total
   * (which collects first; the histogram is kept beside the server's log as {@code
   * <log>.<pid>.heap-<n>.txt}); for Node the V8 heap plus the memory outside it that JavaScript
   * objects hold (Buffers), after {@code gc()} in the process (see bench/peerjs/gc-report.cjs).
   */
  long liveHeapBytes() throws IOException, InterruptedException {
    if (runtime == Runtime.OTHER) {
      throw new UnsupportedOperationException(name + ": no live heap to read");
    }
    if (runtime == Runtime.JVM) {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.class_histogram")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("jcmd did not finish");
      }
      // Kept beside the server's log: where the memory goes, class by class.
      Files.writeString(log.resolveSibling(
          log.getFileName() + "." + pid() + ".heap-" + ++histograms + ".txt"), out);
      for (String line : out.split("\n")) {
        if (line.startsWith("Total")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[2]);
        }
      }
      throw new IllegalStateException("no histogram total from jcmd: " + out);
    }
    int before = Files.exists(gcReport) ? Files.readAllLines(gcReport).size() : 0;
    new ProcessBuilder("kill", "-USR2", Long.toString(pid())).start().waitFor(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (Files.exists(gcReport)) {
        List<String> lines = Files.readAllLines(gcReport);
        if (lines.size() > before) {
          String[] parts = lines.get(lines.size() - 1).trim().split(" ");
          return Long.parseLong(parts[0]) + Long.parseLong(parts[1]);
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(name + " wrote no heap report within 30 s");
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    RUNNING.remove(process);
  }
}
