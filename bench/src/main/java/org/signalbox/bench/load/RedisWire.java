package org.signalbox.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few Redis commands the bench sends from outside (INFO, SLOWLOG, CLUSTER ...), each on a
 * connection of its own, spoken in RESP without a client library: nothing here is on a measured
 * path, and the bench stays free of the server's dependencies.
 */
final class RedisWire {

  private RedisWire() {}

  /**
   * One command; the reply as a String (bulk or simple), Long (integer), List (array) or null
   * (nil). An error reply throws.
   */
  static Object call(InetSocketAddress redis, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(redis, 5000);
      socket.setSoTimeout(30_000);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(bytes);
        request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toByteArray());
      out.flush();
      return reply(new BufferedInputStream(socket.getInputStream(), 1 << 16), args[0]);
    } catch (IOException e) {
      throw new IllegalStateException("Redis " + redis + " did not answer " + args[0], e);
    }
  }

  /** As {@link #call}, for a command whose reply is text. */
  static String text(InetSocketAddress redis, String... args) {
    return String.valueOf(call(redis, args));
  }

  /** {@code INFO section} as its fields. */
  static Map<String, String> info(InetSocketAddress redis, String section) {
    Map<String, String> fields = new HashMap<>();
    for (String line : text(redis, "INFO", section).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }

  private static Object reply(InputStream in, String command) throws IOException {
    String line = line(in);
    String rest = line.substring(1);
    return switch (line.charAt(0)) {
      case '+' -> rest;
      case ':' -> Long.parseLong(rest);
      case '$' -> {
        int length = Integer.parseInt(rest);
        if (length < 0) {
          yield null;
        }
        byte[] body = in.readNBytes(length + 2);
        yield new String(body, 0, length, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int count = Integer.parseInt(rest);
        if (count < 0) {
          yield null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(reply(in, command));
        }
        yield items;
      }
      default -> throw new IllegalStateException("Redis answered " + command + " with " + line);
    };
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("Redis closed the connection");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
