package org.signalbox.bench.loadtest;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bash bench/load-test.sh}: load-tests a running Signalbox deployment over WebSocket
 * (ws:// or wss://) and starts no server. See {@link Options#HELP}. The summary goes to stdout
 * (as JSON with {@code --json}, the text then on stderr); progress and warnings go to stderr.
 * Exit status 0 when the run passed, 1 when it did not, 2 for a usage error.
 */
public final class LoadTest {

  private LoadTest() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(List.of(args));
    } catch (Options.HelpRequested e) {
      System.out.print(Options.HELP);
      return;
    } catch (Options.UsageException e) {
      System.err.println("load-test: " + e.getMessage());
      System.err.print(Options.HELP);
      System.exit(2);
      return;
    }
    if (options.insecure()) {
      // Read once when the HTTP client classes load, so it must be set before the first client.
      System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
      System.err.println("load-test: --insecure: TLS certificates and host names are NOT checked");
    }
    warnAboutLimits(options, System.err);
    Run run = new Run(options, System.err);
    AtomicBoolean reported = new AtomicBoolean();
    Thread hook = new Thread(() -> {
      // Ctrl-C: the summary so far, then every socket dropped; the JVM exits 130 by itself.
      if (reported.compareAndSet(false, true)) {
        run.stop();
        print(run.summary(true), options);
        run.abortAll();
      }
    }, "load-test-interrupted");
    Runtime.getRuntime().addShutdownHook(hook);
    Summary summary = run.run();
    if (!reported.compareAndSet(false, true)) {
      return; // the hook is reporting
    }
    print(summary, options);
    Runtime.getRuntime().removeShutdownHook(hook);
    System.exit(summary.faults().isEmpty() ? 0 : 1);
  }

  private static void print(Summary summary, Options options) {
    if (options.json()) {
      System.err.print(summary.text());
      System.out.println(summary.json());
    } else {
      System.out.print(summary.text());
    }
    System.out.flush();
  }

  /** What the server's defaults (CONFIG.md) will refuse, said before anything is opened. */
  private static void warnAboutLimits(Options options, PrintStream err) {
    double perPeer = options.rate() / options.totalPeers();
    if (perPeer > Options.SERVER_DEFAULT_RATE) {
      err.printf(Locale.ROOT, "load-test: WARNING %.1f msgs/s per peer is over the server's default"
          + " messagesPerSecond (%.0f): unless the deployment raised it, expect rate-limited%n",
          perPeer, Options.SERVER_DEFAULT_RATE);
    }
    if (options.totalPeers() > Options.SERVER_DEFAULT_PER_ADDRESS) {
      err.printf(Locale.ROOT, "load-test: WARNING %d peers from one address is over the server's"
          + " default maxConnectionsPerAddress (%d): unless the deployment raised it, expect HTTP"
          + " 429%n", options.totalPeers(), Options.SERVER_DEFAULT_PER_ADDRESS);
    }
  }
}
