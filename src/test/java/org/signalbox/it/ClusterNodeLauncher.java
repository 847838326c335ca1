package org.signalbox.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.signalbox.testing.FileTrees;

/**
 * Starts a cluster test's node as the run command would serve it, without Maven: the WAR that
 * the package phase built, in the run command's Jetty (jetty-home of the pom's
 * {@code jetty.version}, unpacked into target/ by the build), configured by the run command's
 * src/main/jetty/jetty-graceful.xml (connector, accept queue, stop timeout) and by
 * src/test/jetty/cluster-node.xml (what the pom's jetty-ee10-maven-plugin configuration adds:
 * context path /, a temp directory, stop on SIGTERM). One {@code java} process per node, which is
 * the JVM that serves: SIGKILL and SIGTERM reach Jetty as they do under the run command.
 *
 * <p>A run command starts Maven and re-runs the package lifecycle before Jetty; without them a
 * node serves in about a third of the time. The tests of the run command itself keep
 * {@link RunCommandServer}'s Maven start.
 */
final class ClusterNodeLauncher {

  /**
   * The jars of jetty-home's lib/ that serve an ee10 WAR with Jakarta WebSocket and annotations
   * (the plugin's own set), each pattern matching exactly one file. SLF4J's simple logger stands
   * in for Jetty's own (lib/logging/jetty-slf4j-impl) to print Maven's format.
   */
  private static final List<String> JARS = List.of(
      "jetty-server-*.jar", "jetty-http-*.jar", "jetty-io-*.jar", "jetty-util-[0-9]*.jar",
      "jetty-xml-*.jar", "jetty-security-*.jar", "jetty-session-*.jar", "jetty-ee-[0-9]*.jar",
      "jetty-plus-*.jar", "jetty-jndi-*.jar", "jetty-client-*.jar", "jetty-alpn-client-*.jar",
      "jetty-websocket-core-common-*.jar", "jetty-websocket-core-server-*.jar",
      "jetty-websocket-core-client-*.jar",
      "jetty-ee10-servlet-*.jar", "jetty-ee10-webapp-*.jar", "jetty-ee10-annotations-*.jar",
      "jetty-ee10-plus-*.jar", "jakarta.servlet-api-6*.jar", "jakarta.transaction-api-2*.jar",
      "ee10-annotations/asm-[0-9]*.jar", "ee10-annotations/asm-analysis-*.jar",
      "ee10-annotations/asm-commons-*.jar", "ee10-annotations/asm-tree-*.jar",
      "ee10-annotations/jakarta.annotation-api-*.jar",
      "ee10-websocket/jakarta.websocket-api-*.jar",
      "ee10-websocket/jakarta.websocket-client-api-*.jar",
      "ee10-websocket/jetty-ee10-websocket-jakarta-client-*.jar",
      "ee10-websocket/jetty-ee10-websocket-jakarta-common-*.jar",
      "ee10-websocket/jetty-ee10-websocket-jakarta-server-*.jar",
      "ee10-websocket/jetty-ee10-websocket-servlet-*.jar",
      "logging/slf4j-api-*.jar", "logging/slf4j-simple-*.jar");

  /**
   * Maven's console format: "[INFO] message", no logger, no time; but "[WARN] message" where
   * Maven prints "[WARNING]" (slf4j-simple 2.0.17 ignores its warnLevelString).
   */
  private static final List<String> LOGGING = List.of(
      "-Dorg.slf4j.simpleLogger.logFile=System.out",
      "-Dorg.slf4j.simpleLogger.levelInBrackets=true",
      "-Dorg.slf4j.simpleLogger.warnLevelString=WARNING",
      "-Dorg.slf4j.simpleLogger.showThreadName=false",
      "-Dorg.slf4j.simpleLogger.showLogName=false");

  private ClusterNodeLauncher() {}

  /**
   * Starts node {@code name} on {@code port} with {@code environment} (plus {@code PORT}), without
   * waiting. Its output is target/run-command-{@code name}.log, as a run command's; its WAR is
   * unpacked into target/cluster-nodes/{@code name}/tmp, emptied first.
   */
  static RunCommandServer launch(String name, Map<String, String> environment, int port)
      throws IOException {
    Path project = RunCommandServer.projectDir().toAbsolutePath();
    Path war = Path.of(System.getProperty("signalbox.it.war",
        project.resolve("target").resolve("signalbox.war").toString()));
    if (!Files.isRegularFile(war)) {
      throw new IllegalStateException("no WAR at " + war + ": the package phase builds it");
    }
    Path tmp = project.resolve("target").resolve("cluster-nodes").resolve(name).resolve("tmp");
    FileTrees.delete(tmp);
    Files.createDirectories(tmp);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(classpath());
    // The JVM's default JIT, as under the run command: -XX:TieredStopAtLevel=1 halved a loaded
    // machine's time to /health, but ClusterInFlightIT's burst then missed its 2 s bound (twice).
    command.addAll(LOGGING);
    command.add("org.eclipse.jetty.xml.XmlConfiguration");
    command.add("signalbox.port=" + port);
    command.add("signalbox.war=" + war);
    command.add("signalbox.tmp=" + tmp);
    command.add(project.resolve("src/main/jetty/jetty-graceful.xml").toString());
    command.add(project.resolve("src/test/jetty/cluster-node.xml").toString());
    return RunCommandServer.launchProcess(name, command, environment, port, "cluster node " + name);
  }

  /** The jars of {@link #JARS} in the unpacked jetty-home's lib/ (and the logger beside it). */
  private static String classpath() throws IOException {
    Path unpacked = Path.of(System.getProperty("signalbox.it.clusterNodeJetty",
        RunCommandServer.projectDir().resolve("target/cluster-node-jetty").toString()))
        .toAbsolutePath();
    Path lib;
    try (Stream<Path> homes = Files.list(unpacked)) {
      lib = homes.filter(p -> p.getFileName().toString().startsWith("jetty-home-"))
          .map(p -> p.resolve("lib")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no jetty-home in " + unpacked
              + ": the pre-integration-test phase unpacks it"));
    } catch (IOException e) {
      throw new IllegalStateException("no " + unpacked
          + ": the pre-integration-test phase unpacks jetty-home there", e);
    }
    List<String> jars = new ArrayList<>();
    for (String pattern : JARS) {
      // The simple logger is copied beside jetty-home, not into it.
      Path base = pattern.startsWith("logging/slf4j-simple") ? unpacked : lib;
      jars.add(one(base, pattern).toString());
    }
    return String.join(File.pathSeparator, jars);
  }

  private static Path one(Path base, String pattern) throws IOException {
    Path dir = base.resolve(pattern).getParent();
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher(
        "glob:" + Path.of(pattern).getFileName());
    List<Path> found;
    try (Stream<Path> files = Files.list(dir)) {
      found = files.filter(p -> matcher.matches(p.getFileName())).toList();
    }
    if (found.size() != 1) {
      throw new IllegalStateException("expected one " + pattern + " in " + base + ", found " + found);
    }
    return found.get(0);
  }
}
