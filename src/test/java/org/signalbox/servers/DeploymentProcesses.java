package org.signalbox.servers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server processes started for one deployment, and their end with the test class that
 * deployed them. Payara Micro's Arquillian adapter (3.1) starts a JVM per deployment ({@code java
 * -jar payara-micro.jar --deploy <dir>/<archive>}) but keeps only the newest in a single field:
 * when a class deploys two archives, undeploying either destroys the second JVM (twice), and the
 * first one runs on after the build. Its destroy does not wait for the exit either.
 *
 * <p>As an extension, declared before {@code ArquillianExtension} so that its {@code afterAll}
 * runs after Arquillian's undeploy, it ends every such process still alive when the class is done,
 * passed or failed. Tomcat and WildFly deploy into one server per run, which has no
 * {@code --deploy} argument and is left to Arquillian.
 */
final class DeploymentProcesses implements AfterAllCallback {

  private static final System.Logger LOG = System.getLogger(DeploymentProcesses.class.getName());
  /** How long a server may take to exit on SIGTERM (Payara Micro: a few seconds) before SIGKILL. */
  static final Duration GRACE = Duration.ofSeconds(30);

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> ended = end(GRACE);
    if (!ended.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "{0} left running after its tests, ended: {1}",
          context.getDisplayName(), ended);
    }
  }

  /**
   * Processes this JVM started that serve a deployment ({@code --deploy}), and only those whose
   * archive is one of {@code archives} when any are given.
   */
  static List<ProcessHandle> running(String... archives) {
    return ProcessHandle.current().descendants()
        .filter(p -> p.isAlive() && serves(p.info().arguments().orElse(new String[0]), archives))
        .collect(Collectors.toList());
  }

  private static boolean serves(String[] arguments, String... archives) {
    for (int i = 0; i + 1 < arguments.length; i++) {
      if (arguments[i].equals("--deploy")) {
        String archive = arguments[i + 1].substring(arguments[i + 1].lastIndexOf('/') + 1);
        return archives.length == 0 || List.of(archives).contains(archive);
      }
    }
    return false;
  }

  /**
   * Ends the {@link #running} processes with their descendants: SIGTERM, up to {@code grace} for
   * them to exit, then SIGKILL for what is left, and up to {@code grace} again. Returns a line per
   * process that was still running (pid and its {@code --deploy} archive); an empty list means
   * there was nothing to end.
   */
  static List<String> end(Duration grace, String... archives) {
    List<ProcessHandle> servers = running(archives);
    List<String> described = describe(servers); // a process that has exited has no arguments
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle server : servers) {
      // Taken before the signal: once the server is gone its children are no longer its own.
      server.descendants().forEach(all::add);
      all.add(server);
    }
    all.forEach(ProcessHandle::destroy);
    if (!awaitExit(all, grace)) {
      all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      if (!awaitExit(all, grace)) {
        throw new IllegalStateException("still running after SIGKILL: "
            + describe(all.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList())));
      }
    }
    return described;
  }

  private static boolean awaitExit(List<ProcessHandle> processes, Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static List<String> describe(List<ProcessHandle> processes) {
    return processes.stream()
        .map(p -> p.pid() + " " + String.join(" ", p.info().arguments().orElse(new String[0]))
            .replaceFirst("^.*--deploy (\\S+).*$", "--deploy $1"))
        .collect(Collectors.toList());
  }
}
