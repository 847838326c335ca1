package org.signalbox.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker/cluster.yaml (two Tomcat nodes sharing one Redis, nginx in front, coturn) and
 * docker/nginx/signalbox.conf. There is no Docker engine, nginx or YAML parser here, so these
 * checks read the text: a service is a key indented by two spaces under {@code services:} and
 * owns the lines up to the next one; nginx directives are read with comments stripped.
 */
class ClusterComposeTest {

  private static final Path BASEDIR = Path.of(System.getProperty("signalbox.it.basedir", "."));
  private static final Path DOCKER = BASEDIR.resolve("docker");
  /** CONFIG.md: {@code heartbeatMs} when the nodes do not set SIGNALBOX_HEARTBEAT_MS. */
  private static final long DEFAULT_HEARTBEAT_MS = 25_000;
  /** Tomcat's connector port, the one docker/tomcat/Dockerfile exposes. */
  private static final int NODE_PORT = 8080;
  /** The first open-source nginx with {@code resolve} on an upstream server. */
  private static final List<Integer> NGINX_WITH_RESOLVE = List.of(1, 27, 3);

  private static final Pattern SERVICE_KEY =
      Pattern.compile("^  ([A-Za-z0-9][A-Za-z0-9_.-]*):\\s*$");
  private static final Pattern IMAGE = Pattern.compile("(?m)^\\s+image:\\s*(\\S+)\\s*$");
  private static final Pattern SIGNALBOX_ENV =
      Pattern.compile("(?m)^\\s+(SIGNALBOX_[A-Z_]+):\\s*(.*?)\\s*$");

  @Test
  void twoTomcatNodesShareTheRedisService() throws IOException {
    Map<String, String> services = services(cluster());
    Map<String, String> nodes = nodes(services);
    assertEquals(2, nodes.size(),
        "two Signalbox services built from the Tomcat image: " + nodes.keySet());

    for (Map.Entry<String, String> node : nodes.entrySet()) {
      String name = node.getKey();
      String block = node.getValue();
      assertTrue(block.matches("(?s).*\\n\\s+context:\\s*\\.\\.\\s*\\n.*"),
          name + " builds from the repository root, as compose.yaml does");

      String redisUrl = env(block, "SIGNALBOX_REDIS_URL");
      assertNotNull(redisUrl, name + " sets SIGNALBOX_REDIS_URL");
      URI redis = URI.create(interpolated(redisUrl));
      assertEquals("redis", redis.getScheme(), name + ": " + redisUrl);
      assertEquals(6379, redis.getPort(), name + ": " + redisUrl);
      String redisService = services.get(redis.getHost());
      assertNotNull(redisService, name + "'s Redis host " + redis.getHost() + " is a service here");
      assertTrue(image(redisService).startsWith("redis:7"),
          redis.getHost() + " runs Redis 7 (sharded pub/sub): " + image(redisService));
      assertTrue(
          block.matches(
              "(?s).*\\n\\s+depends_on:\\s*\\n\\s+" + Pattern.quote(redis.getHost()) + ":.*"),
          name + " starts after " + redis.getHost());

      String origins = env(block, "SIGNALBOX_ALLOWED_ORIGINS");
      assertTrue(origins != null && !origins.isBlank() && !origins.equals("*"),
          name + " sets SIGNALBOX_ALLOWED_ORIGINS to the public origin: behind nginx the"
              + " same-origin check would compare with the Host nginx passes on");

      assertTrue(block.contains("healthcheck:") && block.contains("/signalbox/health"),
          name + " has a healthcheck on /signalbox/health");
    }

    List<Map<String, String>> envs =
        nodes.values().stream().map(ClusterComposeTest::signalboxEnv).collect(Collectors.toList());
    assertEquals(envs.get(0), envs.get(1), "both nodes have the same SIGNALBOX_* settings");
  }

  @Test
  void nodesHaveTheTurnSettingsOfComposeYaml() throws IOException {
    Map<String, String> single = signalboxEnv(services(compose()).get("signalbox"));
    assertFalse(single.isEmpty(), "compose.yaml's signalbox service sets SIGNALBOX_* variables");
    for (Map.Entry<String, String> node : nodes(services(cluster())).entrySet()) {
      Map<String, String> env = signalboxEnv(node.getValue());
      for (Map.Entry<String, String> setting : single.entrySet()) {
        assertEquals(setting.getValue(), env.get(setting.getKey()),
            node.getKey() + " sets " + setting.getKey() + " as compose.yaml does");
      }
    }
  }

  @Test
  void redisAppendsToAVolumeAndHasAHealthcheck() throws IOException {
    String compose = cluster();
    String redis = services(compose).get("redis");
    assertNotNull(redis, "a redis service");
    assertTrue(redis.contains("healthcheck:") && redis.contains("redis-cli ping"),
        "redis has a healthcheck");
    assertTrue(redis.matches("(?s).*--appendonly[\"',\\s]+yes.*"),
        "append-only persistence: resume tokens and buffers survive a Redis restart");
    Matcher data = Pattern.compile("(?m)^\\s+-\\s*\"?([A-Za-z0-9][A-Za-z0-9_.-]*):/data\"?\\s*$")
        .matcher(redis);
    assertTrue(data.find(), "a named volume on /data, where the image writes the AOF");
    assertTrue(
        topLevel(compose, "volumes").matches("(?s).*\\n  " + Pattern.quote(data.group(1)) + ":.*"),
        "volume " + data.group(1) + " is declared under the top-level volumes:");
  }

  @Test
  void redisRequiresThePasswordTheNodesUse() throws IOException {
    Map<String, String> services = services(cluster());
    String redis = services.get("redis");
    Matcher requirepass = Pattern.compile(
            "[\"']?--requirepass[\"']?\\s*,\\s*[\"']?\\$\\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)}")
        .matcher(redis);
    assertTrue(requirepass.find(), "redis-server runs with --requirepass ${VARIABLE}:\n" + redis);
    String variable = requirepass.group(1);
    assertTrue(requirepass.group(2).startsWith(":?"),
        "${" + variable + "} is required (:?), not defaulted: a default in this file is public");
    assertTrue(redis.matches("(?s).*\\n\\s+REDISCLI_AUTH:\\s*\"?\\$\\{" + variable + "[}:].*"),
        "the healthcheck's redis-cli authenticates with the same password (REDISCLI_AUTH)");
    for (Map.Entry<String, String> node : nodes(services).entrySet()) {
      String url = env(node.getValue(), "SIGNALBOX_REDIS_URL");
      assertEquals("value-of-" + variable, URI.create(interpolated(url)).getUserInfo().substring(1),
          node.getKey() + "'s SIGNALBOX_REDIS_URL carries ${" + variable + "} as the password: "
              + url);
    }
  }

  @Test
  void nodesTrustExactlyTheProjectsOwnNetworkForForwardedHeaders() throws IOException {
    String compose = cluster();
    Matcher subnet = Pattern.compile("(?m)^\\s+-\\s*subnet:\\s*\"?([0-9./]+)\"?\\s*$")
        .matcher(topLevel(compose, "networks"));
    assertTrue(subnet.find(), "the default network has a fixed subnet");
    for (Map.Entry<String, String> node : nodes(services(compose)).entrySet()) {
      assertEquals(subnet.group(1), env(node.getValue(), "SIGNALBOX_TRUSTED_PROXIES"),
          node.getKey() + " believes X-Forwarded-For only from the compose network, where nginx is");
      assertFalse(node.getValue().contains("ports:"), node.getKey() + " publishes no port");
    }
  }

  @Test
  void coturnIsTheOneOfComposeYaml() throws IOException {
    String coturn = services(cluster()).get("coturn");
    assertNotNull(coturn, "a coturn service");
    assertEquals(services(compose()).get("coturn"), coturn,
        "coturn runs as in compose.yaml (host network, same TURN secret): change both together");
  }

  @Test
  void nginxIsTheOnlyPublishedPortAndMountsTheConf() throws IOException {
    Map<String, String> services = services(cluster());
    String nginx = services.get("nginx");
    assertNotNull(nginx, "an nginx service");
    assertTrue(image(nginx).startsWith("nginx:"), image(nginx));
    for (Map.Entry<String, String> service : services.entrySet()) {
      if (!service.getKey().equals("nginx")) {
        assertFalse(service.getValue().contains("ports:"),
            service.getKey() + " publishes no port: nginx is the only way in");
      }
    }

    Matcher port = Pattern.compile("(?m)^\\s+-\\s*\"?8080:(\\d+)\"?\\s*$").matcher(nginx);
    assertTrue(port.find(), "nginx publishes 8080");
    Matcher listen = Pattern.compile("(?m)^\\s*listen\\s+(\\d+)\\s*;").matcher(directives(conf()));
    assertTrue(listen.find(), "the conf listens on a port");
    assertEquals(listen.group(1), port.group(1), "8080 is mapped to the port the conf listens on");

    Matcher mount =
        Pattern.compile("(?m)^\\s+-\\s*\"?(\\./nginx/signalbox\\.conf)"
                + ":(/etc/nginx/conf\\.d/[^:\"\\s]+\\.conf)(:ro)?\"?\\s*$")
            .matcher(nginx);
    assertTrue(mount.find(), "nginx mounts docker/nginx/signalbox.conf into conf.d (http context)");
    assertTrue(Files.isRegularFile(DOCKER.resolve(mount.group(1))), "the mounted file exists");
  }

  @Test
  void nginxPassesTheWebSocketUpgradeAndForwardedHeaders() throws IOException {
    String conf = directives(conf());
    assertTrue(Pattern.compile("map\\s+\\$http_upgrade\\s+\\$connection_upgrade\\s*\\{"
            + "(?=[^}]*\\bdefault\\s+upgrade\\s*;)(?=[^}]*(?:''|\"\")\\s+close\\s*;)[^}]*}")
        .matcher(conf).find(),
        "map $http_upgrade to $connection_upgrade: upgrade, or close when absent");

    String location = proxyLocation(conf);
    for (String directive : List.of(
        "proxy_http_version\\s+1\\.1",
        "proxy_set_header\\s+Upgrade\\s+\\$http_upgrade",
        "proxy_set_header\\s+Connection\\s+\\$connection_upgrade",
        "proxy_set_header\\s+Host\\s+\\$(?:http_)?host",
        "proxy_set_header\\s+X-Forwarded-For\\s+\\$proxy_add_x_forwarded_for",
        "proxy_set_header\\s+X-Forwarded-Proto\\s+\\$scheme")) {
      assertTrue(Pattern.compile("(?m)^\\s*" + directive + "\\s*;").matcher(location).find(),
          "the proxying location has " + directive.replace("\\s+", " ").replace("\\", ""));
    }
  }

  @Test
  void upstreamIsBothNodesRoundRobinWithPassiveHealth() throws IOException {
    String conf = directives(conf());
    Matcher upstream = Pattern.compile("upstream\\s+(\\S+)\\s*\\{([^}]*)}").matcher(conf);
    assertTrue(upstream.find(), "an upstream block");
    String name = upstream.group(1);
    String body = upstream.group(2);
    if (upstream.find()) {
      httpBindingHasItsNodePerClient(conf, upstream.group(1), upstream.group(2));
      assertFalse(upstream.find(), "two upstream blocks at most");
    }
    assertTrue(
        Pattern.compile("(?m)^\\s*proxy_pass\\s+http://" + Pattern.quote(name) + "\\s*;")
            .matcher(conf).find(),
        "proxy_pass to upstream " + name);
    assertFalse(
        Pattern.compile("(?m)^\\s*(ip_hash|hash|sticky|least_conn|least_time|random)\\b")
            .matcher(body).find(),
        "round robin: any node serves any peer, no affinity needed");

    Set<String> servers = new TreeSet<>();
    Matcher server = Pattern.compile("(?m)^\\s*server\\s+([^\\s:;]+):(\\d+)([^;]*);").matcher(body);
    while (server.find()) {
      servers.add(server.group(1));
      assertEquals(String.valueOf(NODE_PORT), server.group(2), server.group());
      String parameters = server.group(3);
      assertTrue(parameters.contains("max_fails=") && parameters.contains("fail_timeout="),
          "passive health on " + server.group(1) + ": max_fails and fail_timeout");
      if (parameters.matches(".*\\bresolve\\b.*")) {
        assertTrue(Pattern.compile("(?m)^\\s*zone\\s+\\S+").matcher(body).find(),
            "resolve needs the upstream in a shared memory zone");
        assertTrue(Pattern.compile("(?m)^\\s*resolver\\s+\\S+").matcher(conf).find(),
            "resolve needs a resolver");
        assertNginxAtLeast(NGINX_WITH_RESOLVE, "resolve on an upstream server");
      }
    }
    assertEquals(new TreeSet<>(nodes(services(cluster())).keySet()), servers,
        "the upstream lists exactly the Signalbox services");

    Matcher next =
        Pattern.compile("(?m)^\\s*proxy_next_upstream\\s+([^;]*);").matcher(proxyLocation(conf));
    assertTrue(next.find(), "proxy_next_upstream in the proxying location");
    Set<String> cases = Set.copyOf(Arrays.asList(next.group(1).trim().split("\\s+")));
    assertTrue(cases.containsAll(Set.of("error", "timeout", "http_503")),
        "a node that refuses, times out or answers 503 (it lost Redis) is skipped: " + cases);
  }

  @Test
  void proxyTimeoutsOutlastTheHeartbeat() throws IOException {
    long heartbeat = DEFAULT_HEARTBEAT_MS;
    for (String node : nodes(services(cluster())).values()) {
      String set = env(node, "SIGNALBOX_HEARTBEAT_MS");
      if (set != null) {
        heartbeat = Math.max(heartbeat, Long.parseLong(set));
      }
    }
    String location = proxyLocation(directives(conf()));
    assertTrue(location.matches("(?s).*\\n\\s*proxy_read_timeout\\s.*"),
        "proxy_read_timeout is set in the proxying location, to go with the heartbeat");
    for (String directive : List.of("proxy_read_timeout", "proxy_send_timeout")) {
      Matcher timeout =
          Pattern.compile("(?m)^\\s*" + directive + "\\s+(\\S+)\\s*;").matcher(location);
      long millis = timeout.find() ? nginxMillis(timeout.group(1)) : 60_000; // nginx's default
      assertTrue(millis >= 2 * heartbeat,
          directive + " is " + millis + " ms: an open socket is quiet for up to a heartbeat ("
              + heartbeat + " ms), and one late ping must not cut it; keep it at two or more");
    }
  }

  @Test
  void headerSaysHowToRunIt() throws IOException {
    String cluster = cluster();
    assertTrue(cluster.startsWith("#"), "comments at the top, as in compose.yaml");
    assertTrue(cluster.contains("mvn -DskipTests package"), "build the WAR first");
    assertTrue(cluster.contains("docker compose -f docker/cluster.yaml up"), "run from the root");
  }

  /** The version of the nginx image's tag is at least {@code min}; "1.27" means its newest. */
  private static void assertNginxAtLeast(List<Integer> min, String feature) throws IOException {
    String image = image(services(cluster()).get("nginx"));
    String tag = image.substring(image.lastIndexOf(':') + 1).split("-")[0];
    if (!tag.matches("\\d+(\\.\\d+)*")) {
      fail("pin the nginx image to a version (" + image + "): " + feature + " needs "
          + min.stream().map(String::valueOf).collect(Collectors.joining(".")) + " or later");
    }
    String[] parts = tag.split("\\.");
    for (int i = 0; i < parts.length && i < min.size(); i++) {
      int part = Integer.parseInt(parts[i]);
      if (part != min.get(i)) {
        assertTrue(part > min.get(i), image + " is older than " + feature + " needs");
        return;
      }
    }
  }

  /** nginx time syntax: a number with ms, s, m, h or d; seconds when bare. */
  private static long nginxMillis(String value) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(value);
    assertTrue(m.matches(), "an nginx time: " + value);
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    switch (unit) {
      case "ms":
        return n;
      case "s":
        return n * 1_000;
      case "m":
        return n * 60_000;
      case "h":
        return n * 3_600_000;
      default:
        return n * 86_400_000;
    }
  }

  /** The block, braces included, around the {@code proxy_pass} directive. */
  /**
   * The HTTP binding's sessions live on the node that opened them: the second upstream sends a
   * client to one node ({@code hash} on the client's address, consistent), serves the binding's
   * path unbuffered, and never sends a request again to another node once it was sent.
   */
  private static void httpBindingHasItsNodePerClient(String conf, String name, String body) {
    assertTrue(Pattern.compile("(?m)^\\s*hash\\s+\\$remote_addr\\s+consistent\\s*;").matcher(body)
        .find(), name + ": hash $remote_addr consistent");
    Matcher location = Pattern.compile(
        "location\\s+\\^~\\s+/signalbox/signal/http\\s*\\{([^}]*)}").matcher(conf);
    assertTrue(location.find(), "a location for /signalbox/signal/http");
    String block = location.group(1);
    for (String directive : List.of(
        "proxy_pass\\s+http://" + Pattern.quote(name),
        "proxy_buffering\\s+off",
        "proxy_set_header\\s+X-Forwarded-For\\s+\\$proxy_add_x_forwarded_for",
        "proxy_next_upstream\\s+error\\s+timeout")) {
      assertTrue(Pattern.compile("(?m)^\\s*" + directive + "\\s*;").matcher(block).find(),
          "the HTTP binding's location has " + directive.replace("\\s+", " ").replace("\\", ""));
    }
    assertFalse(block.contains("non_idempotent"), "a POST of frames is never sent twice");
  }

  private static String proxyLocation(String conf) {
    int at = conf.indexOf("proxy_pass");
    assertTrue(at >= 0, "a proxy_pass");
    int open = at;
    for (int depth = 0; open >= 0; open--) {
      char c = conf.charAt(open);
      if (c == '}') {
        depth++;
      } else if (c == '{' && depth-- == 0) {
        break;
      }
    }
    assertTrue(open >= 0, "proxy_pass sits in a block");
    int close = open;
    for (int depth = 0; close < conf.length(); close++) {
      char c = conf.charAt(close);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        break;
      }
    }
    assertTrue(close < conf.length(), "proxy_pass sits in a closed block");
    return conf.substring(open, close + 1);
  }

  /** The conf without comments; one directive per line as the file is written. */
  private static String directives(String conf) {
    return conf.lines()
        .map(line -> line.replaceFirst("#.*$", ""))
        .collect(Collectors.joining("\n"));
  }

  /** Services in order of appearance, each with its lines (trailing blank lines dropped). */
  private static Map<String, String> services(String compose) {
    Map<String, String> services = new LinkedHashMap<>();
    String name = null;
    StringBuilder block = new StringBuilder();
    boolean inServices = false;
    for (String line : compose.split("\n", -1)) {
      if (line.matches("[^\\s#].*")) {
        if (name != null) {
          services.put(name, block.toString().stripTrailing());
          name = null;
        }
        inServices = line.matches("services:\\s*");
        continue;
      }
      if (!inServices) {
        continue;
      }
      Matcher key = SERVICE_KEY.matcher(line);
      if (key.matches()) {
        if (name != null) {
          services.put(name, block.toString().stripTrailing());
        }
        name = key.group(1);
        block.setLength(0);
      }
      if (name != null) {
        block.append(line).append('\n');
      }
    }
    if (name != null) {
      services.put(name, block.toString().stripTrailing());
    }
    return services;
  }

  /** The lines under a top-level key, up to the next top-level key. */
  private static String topLevel(String compose, String key) {
    Matcher m =
        Pattern.compile("(?ms)^" + Pattern.quote(key) + ":\\s*$(.*?)(?=^[^\\s#]|\\z)")
            .matcher(compose);
    assertTrue(m.find(), "a top-level " + key + ":");
    return m.group(1);
  }

  private static Map<String, String> nodes(Map<String, String> services) {
    Map<String, String> nodes = new LinkedHashMap<>();
    services.forEach((name, block) -> {
      if (block.contains("dockerfile: docker/tomcat/Dockerfile")) {
        nodes.put(name, block);
      }
    });
    return nodes;
  }

  private static String image(String service) {
    Matcher m = IMAGE.matcher(service);
    assertTrue(m.find(), "an image: line in\n" + service);
    return m.group(1);
  }

  /** SIGNALBOX_* variables of a service, values as written (outer quotes removed). */
  private static Map<String, String> signalboxEnv(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher m = SIGNALBOX_ENV.matcher(service);
    while (m.find()) {
      env.put(m.group(1), unquote(m.group(2)));
    }
    return env;
  }

  private static String env(String service, String name) {
    return signalboxEnv(service).get(name);
  }

  /** Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, each read as "value-of-NAME". */
  private static String interpolated(String value) {
    return value.replaceAll("\\$\\{([A-Za-z_][A-Za-z0-9_]*)[^}]*}", "value-of-$1");
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
        || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  private static String cluster() throws IOException {
    return Files.readString(DOCKER.resolve("cluster.yaml"));
  }

  private static String compose() throws IOException {
    return Files.readString(DOCKER.resolve("compose.yaml"));
  }

  private static String conf() throws IOException {
    return Files.readString(DOCKER.resolve("nginx/signalbox.conf"));
  }
}
