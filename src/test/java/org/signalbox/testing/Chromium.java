package org.signalbox.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium from Debian's package, driven by its ChromeDriver, with the flags of
 * the team's TESTING.md: fake camera and microphone, loopback ICE candidates, and nothing that
 * phones home. Selenium Manager never runs: the binary and the driver are named.
 */
public final class Chromium implements AutoCloseable {

  public static final String BINARY = "/usr/lib/chromium/chromium";
  public static final String DRIVER = "/usr/bin/chromedriver";

  /**
   * How long one script in a page may take, a click included. Five browsers with live video on two
   * cores can keep a page's main thread from running a script for over 30 s (BrowserMeshIT's leave
   * click, seen twice in CI); a test's own waits are bounded separately.
   */
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration POLL = Duration.ofMillis(50);

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  public static Chromium start() {
    return start(List.of());
  }

  /**
   * As {@link #start()}, with more command-line switches after the usual ones; a switch given
   * again replaces the usual value (Chromium keeps the last), as in {@code
   * --use-fake-device-for-media-stream=device-count=3} for more fake cameras (the second one,
   * {@code fake_device_1}, plays in a video element but sends no frame over WebRTC; use the
   * third). For a phone-sized page set the viewport through DevTools
   * ({@code Emulation.setDeviceMetricsOverride}): headless Chromium gives no window under 500 px
   * wide, and {@code --window-size} sets the window, not the viewport.
   */
  public static Chromium start(List<String> moreArguments) {
    Path profile;
    try {
      profile = Files.createTempDirectory("signalbox-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    options.addArguments(List.of(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--disable-dev-shm-usage",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--disable-features=WebRtcHideLocalIpsWithMdns", "--window-size=1280,800",
        // Hidden or occluded pages would throttle timers and media; these pages are all tests.
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows"));
    options.addArguments(moreArguments);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
      return new Chromium(driver, profile);
    } catch (RuntimeException e) {
      delete(profile);
      throw e;
    }
  }

  /** The WebDriver, for what this class does not wrap: real key presses, DevTools commands. */
  public ChromeDriver driver() {
    return driver;
  }

  public void open(String url) {
    driver.get(url);
  }

  /**
   * Runs {@code script} in every document this browser loads from now on, before the page's own
   * scripts (DevTools' {@code Page.addScriptToEvaluateOnNewDocument}): what a test must watch from
   * the first moment, such as calls to getUserMedia.
   */
  public void beforeEveryPage(String script) {
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source", script));
  }

  /**
   * Runs {@code body} as the body of an async function in the page and returns its result
   * (numbers come back as Long or Double, objects as Maps, arrays as Lists). A rejection or an
   * exception in the page fails with the page's message.
   */
  public Object eval(String body) {
    String script = "const done = arguments[arguments.length - 1];"
        + "(async () => {" + body + "\n})().then("
        + "  (value) => done({ok: true, value: value === undefined ? null : value}),"
        + "  (error) => done({ok: false, error: String(error && error.stack || error)}));";
    Object result = ((JavascriptExecutor) driver).executeAsyncScript(script);
    if (!(result instanceof java.util.Map<?, ?> map)) {
      throw new WebDriverException("unexpected script result: " + result);
    }
    if (!Boolean.TRUE.equals(map.get("ok"))) {
      throw new AssertionError("script failed in the page: " + map.get("error"));
    }
    return map.get("value");
  }

  /**
   * Polls {@code poll} until it returns something other than null, at most {@code timeout}.
   *
   * @throws AssertionError naming {@code what} when it did not
   */
  public <T> T await(String what, Duration timeout, Supplier<T> poll) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        T value = poll.get();
        if (value != null) {
          return value;
        }
      } catch (AssertionError | RuntimeException e) {
        last = e instanceof RuntimeException r ? r : new RuntimeException(e);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what + " (page: " + address() + ")"
            + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
      }
      try {
        Thread.sleep(POLL.toMillis()); // polling a page: it has no event a test thread can await
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The page's address, for a failure message (an error page shows as chrome-error://). */
  private String address() {
    try {
      return driver.getCurrentUrl();
    } catch (RuntimeException e) {
      return "unknown: " + e.getMessage();
    }
  }

  /** Freezes every process of this browser (SIGSTOP), as a hung or suspended machine would. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets a paused browser run again (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  // The browser is the process started with this instance's own profile directory; WebRTC runs
  // in its children (renderer, network service), so they are signalled too.
  private void signal(String signal) {
    List<String> pids = ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(profile.toString())).orElse(false))
        .flatMap(p -> java.util.stream.Stream.concat(Stream.of(p), p.descendants()))
        .map(p -> Long.toString(p.pid()))
        .distinct()
        .toList();
    if (pids.isEmpty()) {
      throw new IllegalStateException("no process of this browser found");
    }
    List<String> command = new java.util.ArrayList<>(List.of("kill", signal));
    command.addAll(pids);
    try {
      Process kill = new ProcessBuilder(command).inheritIO().start();
      if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } catch (RuntimeException ignored) {
      // Already gone; the profile is removed either way.
    }
    delete(profile);
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temp dir left behind is not worth failing a test for.
    }
  }
}
