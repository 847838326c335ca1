package org.signalbox.bench.load;

import java.nio.charset.StandardCharsets;

/** Reads the few fields the generator needs straight from a frame's bytes, without parsing JSON. */
final class Frames {

  private Frames() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether the frame starts with {@code prefix}. */
  static boolean startsWith(byte[] a, int offset, int length, byte[] prefix) {
    if (length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (a[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The non-negative integer after {@code key} (such as {@code "n":}), or -1 when absent. */
  static long number(byte[] a, int offset, int length, byte[] key) {
    int at = WsClient.indexOf(a, offset, offset + length, key);
    if (at < 0) {
      return -1;
    }
    long value = 0;
    int i = at + key.length;
    int end = offset + length;
    if (i >= end || a[i] < '0' || a[i] > '9') {
      return -1;
    }
    while (i < end && a[i] >= '0' && a[i] <= '9') {
      value = value * 10 + (a[i++] - '0');
    }
    return value;
  }

  /** The string value after {@code key} (such as {@code "peerId":"}), up to the next quote. */
  static String string(byte[] a, int offset, int length, byte[] key, int from) {
    int at = WsClient.indexOf(a, Math.max(offset, from), offset + length, key);
    if (at < 0) {
      return null;
    }
    int start = at + key.length;
    int end = start;
    while (end < offset + length && a[end] != '"') {
      end++;
    }
    return new String(a, start, end - start, StandardCharsets.US_ASCII);
  }

  /**
   * The next object of a JSON array of objects, read from {@code cursor[0]} (just past the
   * array's {@code [} or past the previous object): its bounds {@code [from, to)} into {@code
   * object} and the cursor just past it. At the array's end, false with the cursor just past its
   * {@code ]}; on anything else, false with the cursor -1. Strings are skipped with their escapes.
   */
  static boolean nextObject(byte[] a, int[] cursor, int end, int[] object) {
    int i = cursor[0];
    while (i < end && (a[i] == ',' || a[i] == ' ' || a[i] == '\n' || a[i] == '\r' || a[i] == '\t')) {
      i++;
    }
    if (i < end && a[i] == ']') {
      cursor[0] = i + 1;
      return false;
    }
    if (i >= end || a[i] != '{') {
      cursor[0] = -1;
      return false;
    }
    int depth = 0;
    boolean inString = false;
    for (int j = i; j < end; j++) {
      byte c = a[j];
      if (inString) {
        if (c == '\\') {
          j++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        object[0] = i;
        object[1] = j + 1;
        cursor[0] = j + 1;
        return true;
      }
    }
    cursor[0] = -1;
    return false;
  }

  static String text(byte[] a, int offset, int length) {
    return new String(a, offset, Math.min(length, 300), StandardCharsets.UTF_8);
  }
}
