package org.signalbox.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The setting {@code redisUrl}, read: one Redis ({@code redis://}, {@code rediss://} for TLS) or
 * the seed nodes of a Redis Cluster ({@code redis-cluster://host:port,host:port}, {@code
 * rediss-cluster://}), with an optional user name and password ({@code user:password@}, or only
 * {@code :password@} or {@code password@} for Redis's default user) and, for one Redis, a
 * database ({@code /db}). A cluster has only database 0. Parsed here rather than by {@link
 * java.net.URI}, which takes no list of hosts.
 *
 * @param user the ACL user, or null for Redis's default user
 * @param password null when Redis asks for none
 */
public record RedisUrl(
    boolean cluster, boolean tls, String user, String password, List<Address> hosts,
    int database) {

  /** One {@code host:port}; the port is 6379 when the URL names none. */
  public record Address(String host, int port) {}

  private static final Pattern URL = Pattern.compile(
      "(rediss?)(-cluster)?://(?:([^@/]*)@)?([^/@]+)(?:/(\\d*))?");
  private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+)(?::(\\d{1,5}))?");

  public RedisUrl {
    hosts = List.copyOf(hosts);
  }

  /**
   * Reads {@code url}.
   *
   * @throws IllegalArgumentException saying what is wrong with it (never repeating the password)
   */
  public static RedisUrl parse(String url) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("not like redis://host:port/db or"
          + " redis-cluster://host:port,host:port (rediss for TLS, user:password@ before the"
          + " hosts when Redis asks for them)");
    }
    boolean cluster = m.group(2) != null;
    String user = null;
    String password = null;
    if (m.group(3) != null) {
      String info = m.group(3);
      int colon = info.indexOf(':');
      if (colon < 0) {
        password = decode(info);
      } else {
        user = colon == 0 ? null : decode(info.substring(0, colon));
        password = decode(info.substring(colon + 1));
      }
    }
    List<Address> hosts = new ArrayList<>();
    for (String part : m.group(4).split(",", -1)) {
      Matcher h = HOST.matcher(part.strip());
      if (!h.matches()) {
        throw new IllegalArgumentException("'" + part + "' is not host:port");
      }
      int port = h.group(2) == null ? 6379 : Integer.parseInt(h.group(2));
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port " + port + " is out of range");
      }
      String host = h.group(1).startsWith("[")
          ? h.group(1).substring(1, h.group(1).length() - 1) : h.group(1);
      hosts.add(new Address(host, port));
    }
    if (!cluster && hosts.size() > 1) {
      throw new IllegalArgumentException(
          "one Redis has one host; for a Redis Cluster's seed nodes use redis-cluster://");
    }
    String db = m.group(5);
    int database = db == null || db.isEmpty() ? 0 : Integer.parseInt(db);
    if (cluster && database != 0) {
      throw new IllegalArgumentException("a Redis Cluster has only database 0");
    }
    return new RedisUrl(cluster, "rediss".equals(m.group(1)), user, password, hosts, database);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Where Redis is, for log lines: the hosts, never the password. */
  public String where() {
    return String.join(",", hosts.stream().map(a -> a.host() + ":" + a.port()).toList());
  }
}
