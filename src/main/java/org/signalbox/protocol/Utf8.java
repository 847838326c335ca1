package org.signalbox.protocol;

/** UTF-8 length of a Java string, without encoding it. */
public final class Utf8 {

  /** The most UTF-8 bytes one UTF-16 char can need (a surrogate pair needs 4 for 2 chars). */
  private static final int MAX_BYTES_PER_CHAR = 3;

  private Utf8() {}

  public static long length(String s) {
    int chars = s.length();
    // Frames are mostly ASCII (JSON, SDP, base64 ids): a tight first loop counts that prefix.
    int ascii = 0;
    while (ascii < chars && s.charAt(ascii) < 0x80) {
      ascii++;
    }
    long bytes = ascii;
    for (int i = ascii; i < chars; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < chars
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** True when {@code s} certainly fits in {@code limit} bytes, without counting. */
  public static boolean surelyWithin(String s, int limit) {
    return (long) s.length() * MAX_BYTES_PER_CHAR <= limit;
  }
}
