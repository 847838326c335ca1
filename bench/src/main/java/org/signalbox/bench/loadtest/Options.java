package org.signalbox.bench.loadtest;

import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The load test's command line. Parsing fails with a {@link UsageException} whose message is
 * printed with the usage; nothing here opens a socket.
 */
record Options(
    URI url,
    int rooms,
    int peers,
    double rate,
    double joins,
    double connectRate,
    double duration,
    double warmup,
    int size,
    String tokenSecret,
    String tokenCommand,
    String origin,
    String roomPrefix,
    boolean json,
    boolean insecure) {

  /** The server's default per-connection rate (CONFIG.md, messagesPerSecond). */
  static final double SERVER_DEFAULT_RATE = 50;
  /** The server's default per-address connection limit (CONFIG.md, maxConnectionsPerAddress). */
  static final int SERVER_DEFAULT_PER_ADDRESS = 64;
  /** Relay messages per peer per second when --rate is not given: a fifth of the default limit. */
  static final double DEFAULT_RATE_PER_PEER = 10;

  static final String HELP = """
      Usage: bash bench/load-test.sh <ws(s)://host[:port]/path/signal> [options]

      Load-tests a running Signalbox deployment; starts no server. Opens --rooms rooms of
      --peers peers each (at --connect-rate), then for --duration seconds every peer relays
      'message' frames to the other peers of its room, --rate in total, scheduled open-loop
      (latency counts from the scheduled send time, so a stalled server shows as latency, not
      as a lower rate). With --joins, peers also leave (close) and join again on a fresh
      connection. A progress line is printed every second on stderr; the summary at the end
      (also on Ctrl-C). A join is timed in phases: handshake (TCP connect + WebSocket
      upgrade), welcome (upgrade to the welcome frame), join (the join frame's send to
      joined: the server's part) and connect+join (the whole).

      Options:
        --rooms N            rooms (default 10)
        --peers M            peers per room (default 4; at most the server's maxRoomSize)
        --rate R             relay messages/s in total across all peers (default 10 per peer;
                             the server's default limit is 50/s per connection: above it the
                             server answers rate-limited, and the run fails)
        --joins J            churn: leaves and re-joins per second during the run (default 0)
        --connect-rate C     peers opened per second during ramp-up (default 50)
        --duration S         seconds of measured load after ramp-up (default 30)
        --warmup S           seconds of unmeasured warm-up before ramp-up (default 3; 0 for
                             none): rounds of a few throwaway connections (the first rooms'
                             names and tokens) that join, relay at the per-peer rate and
                             close, so the generator's own cold start (class loading, JIT,
                             thread pools) does not land in the handshake, join and relay
                             latencies
        --size B             payload bytes per relay message (default 64)
        --token-secret S     auth=token: mint an HS256 token per peer with this tokenSecret
                             (claims sub, room, name, iat, exp = now + 1 h); the environment
                             variable SIGNALBOX_TOKEN_SECRET is used when neither this nor
                             --token-command is given (keeps the secret out of ps)
        --token-command CMD  auth=token: run CMD with sh -c once per peer, with SIGNALBOX_ROOM
                             (room name) and SIGNALBOX_PEER (peer index in its room, 0..M-1)
                             in its environment; its stdout (trimmed) is the token
        --origin O           Origin header (default: the URL's own origin, http(s)://host:port,
                             which the server's default same-origin policy accepts)
        --room-prefix P      room names are P-0 .. P-(N-1) (default lt-<random hex>)
        --json               print the summary as one JSON object on stdout (text on stderr)
        --insecure           TESTING ONLY: accept any TLS certificate and host name (a
                             self-signed wss:// server); never use against a real deployment
        --help               this text

      Exit status: 0 when every peer asked for joined during ramp-up, no relay message was
      lost, duplicated or reordered, and nothing unexpected happened (no error frame other than
      unknown-peer for a peer that was leaving during --joins churn, no close the load test did
      not start, no failed handshake, connection or re-join); 1 otherwise; 2 for a usage error.

      Limits to mind: the server allows maxConnectionsPerAddress (default 64) connections from
      one client address: more peers than that are refused (HTTP 429) unless the deployment
      raises it; and messagesPerSecond (default 50) per connection.
      """;

  /** A bad command line. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** Thrown for --help: not an error. */
  static final class HelpRequested extends Exception {
    private static final long serialVersionUID = 1L;
  }

  static Options parse(List<String> args) throws UsageException, HelpRequested {
    URI url = null;
    int rooms = 10;
    int peers = 4;
    Double rate = null;
    double joins = 0;
    double connectRate = 50;
    double duration = 30;
    double warmup = 3;
    int size = 64;
    String secret = null;
    String command = null;
    String origin = null;
    String prefix = null;
    boolean json = false;
    boolean insecure = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--help", "-h" -> throw new HelpRequested();
        case "--json" -> json = true;
        case "--insecure" -> insecure = true;
        case "--rooms" -> rooms = (int) number(a, value(args, ++i, a), 1, 100_000, true);
        case "--peers" -> peers = (int) number(a, value(args, ++i, a), 1, 1_000, true);
        case "--rate" -> rate = number(a, value(args, ++i, a), 0, 1_000_000, false);
        case "--joins" -> joins = number(a, value(args, ++i, a), 0, 10_000, false);
        case "--connect-rate" -> connectRate = number(a, value(args, ++i, a), 0.1, 100_000, false);
        case "--duration" -> duration = number(a, value(args, ++i, a), 0.1, 86_400, false);
        case "--warmup" -> warmup = number(a, value(args, ++i, a), 0, 3_600, false);
        case "--size" -> size = (int) number(a, value(args, ++i, a), 0, 16 * 1024 * 1024, true);
        case "--token-secret" -> secret = value(args, ++i, a);
        case "--token-command" -> command = value(args, ++i, a);
        case "--origin" -> origin = value(args, ++i, a);
        case "--room-prefix" -> prefix = value(args, ++i, a);
        default -> {
          if (a.startsWith("-")) {
            throw new UsageException("unknown option " + a);
          }
          if (url != null) {
            throw new UsageException("one URL only (got " + url + " and " + a + ")");
          }
          url = url(a);
        }
      }
    }
    if (url == null) {
      throw new UsageException("the server's WebSocket URL is required");
    }
    if (secret != null && command != null) {
      throw new UsageException("--token-secret and --token-command exclude each other");
    }
    if (secret == null && command == null) {
      String env = System.getenv("SIGNALBOX_TOKEN_SECRET");
      secret = env == null || env.isEmpty() ? null : env;
    }
    if (prefix == null) {
      byte[] random = new byte[3];
      new SecureRandom().nextBytes(random);
      prefix = "lt-" + HexFormat.of().formatHex(random);
    }
    if (!(prefix + "-" + (rooms - 1)).matches("[A-Za-z0-9._:-]{1,64}")) {
      throw new UsageException("--room-prefix gives invalid room names (1-64 of [A-Za-z0-9._:-])");
    }
    double total = rate != null ? rate : DEFAULT_RATE_PER_PEER * rooms * peers;
    if (total > 0 && peers < 2) {
      throw new UsageException("relaying needs --peers 2 or more (or --rate 0)");
    }
    if (origin == null) {
      origin = (url.getScheme().equals("wss") ? "https://" : "http://") + url.getRawAuthority();
    }
    return new Options(url, rooms, peers, total, joins, connectRate, duration, warmup, size,
        secret, command, origin, prefix, json, insecure);
  }

  int totalPeers() {
    return rooms * peers;
  }

  String room(int index) {
    return roomPrefix + "-" + index;
  }

  private static String value(List<String> args, int i, String option) throws UsageException {
    if (i >= args.size()) {
      throw new UsageException(option + " needs a value");
    }
    return args.get(i);
  }

  private static double number(String option, String text, double min, double max, boolean whole)
      throws UsageException {
    double v;
    try {
      v = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new UsageException(option + " takes a number, not '" + text + "'");
    }
    if (Double.isNaN(v) || v < min || v > max || (whole && v != Math.rint(v))) {
      throw new UsageException(option + " must be " + (whole ? "a whole number " : "")
          + "between " + fmt(min) + " and " + fmt(max));
    }
    return v;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static URI url(String text) throws UsageException {
    URI uri;
    try {
      uri = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new UsageException("not a URL: " + text);
    }
    if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
      throw new UsageException("the URL must start with ws:// or wss:// (got " + text + ")");
    }
    if (uri.getHost() == null) {
      throw new UsageException("the URL has no host: " + text);
    }
    return uri;
  }
}
