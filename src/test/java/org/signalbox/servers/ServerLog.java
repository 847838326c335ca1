package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The log file of the server under test. Each server writes records in its own format, some over
 * several lines; a record starts at a line that opens with a digit or {@code [digit}, which is
 * how Tomcat's, WildFly's and Payara's formats all begin a record, and never a stack frame.
 */
final class ServerLog {

  /** Payara colours its levels even in a file. */
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
  private static final Pattern RECORD_START = Pattern.compile("^\\[?\\d");
  private static final Pattern PROBLEM = Pattern.compile("\\b(WARN|WARNING|SEVERE|ERROR|FATAL)\\b");
  /** What marks a record as ours: the WAR's name, its packages, its threads, or its JSON-P. */
  private static final Pattern OURS =
      Pattern.compile("signalbox|jakarta\\.json|parsson|json-p", Pattern.CASE_INSENSITIVE);

  /**
   * Tomcat's own background thread ("Catalina-utility-N") runs each context's periodic work with
   * that context's class loader; when an undeploy lands during it, Tomcat reports its own thread
   * as "started by" the application. Signalbox starts no thread of that name.
   */
  private static final Pattern TOMCATS_OWN_THREAD =
      Pattern.compile("started a thread named \\[Catalina-utility-\\d+\\]");

  /**
   * Payara's own request loses its context inside its {@code Request.upgrade} (a
   * NullPointerException on {@code getContext()} before any WebSocket code of ours runs): seen once
   * in CI on 2026-12-02, in a Payara run whose tests all passed, while a test opened 24 handshakes
   * at once; never here in repeated runs. Signalbox appears in the record only because its filter
   * is on the stack below the upgrade.
   */
  private static final Pattern PAYARAS_LOST_CONTEXT = Pattern.compile(
      "NullPointerException: Cannot invoke \"org\\.apache\\.catalina\\.core\\.StandardContext"
          + "\\.createHttpUpgradeHandlerInstance\\(java\\.lang\\.Class\\)\" because the return value"
          + " of \"org\\.apache\\.catalina\\.connector\\.Request\\.getContext\\(\\)\" is null\\s+"
          + "at org\\.apache\\.catalina\\.connector\\.Request\\.upgrade");

  private ServerLog() {}

  static Path path() {
    return Path.of(System.getProperty("signalbox.it.serverLog"));
  }

  /** Every record so far, each as one string. */
  static List<String> records() {
    Path path = path();
    if (!Files.isRegularFile(path)) {
      return List.of();
    }
    String text;
    try {
      // Decoded leniently: a server may write a partial record while we read.
      text = ANSI.matcher(new String(Files.readAllBytes(path), StandardCharsets.UTF_8)).replaceAll("");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
    List<String> records = new ArrayList<>();
    StringBuilder current = null;
    for (String line : text.split("\\R")) {
      if (current == null || RECORD_START.matcher(line).find()) {
        if (current != null) {
          records.add(current.toString());
        }
        current = new StringBuilder(line);
      } else {
        current.append('\n').append(line);
      }
    }
    if (current != null) {
      records.add(current.toString());
    }
    return records;
  }

  /** Warnings and errors that concern the WAR or JSON-P. */
  static List<String> problems() {
    return records().stream()
        .filter(r -> PROBLEM.matcher(header(r)).find() && OURS.matcher(r).find())
        .filter(r -> !TOMCATS_OWN_THREAD.matcher(r).find())
        .filter(r -> !PAYARAS_LOST_CONTEXT.matcher(r).find())
        .toList();
  }

  /** The first record containing {@code text}, waiting for it at most {@code wait}. */
  static String await(String text, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Optional<String> found = records().stream().filter(r -> r.contains(text)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > deadline) {
        fail("no record containing '" + text + "' in " + path() + " within " + wait);
      }
      Thread.sleep(100);
    }
  }

  /** The line where every one of the formats states the record's level. */
  private static String header(String record) {
    int end = record.indexOf('\n');
    return end < 0 ? record : record.substring(0, end);
  }
}
