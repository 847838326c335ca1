package org.signalbox.web;

import java.util.Map;

/**
 * One answer of the admin API, before it is written: a status, a JSON body or none, and extra
 * headers. Refusals carry {@code {"error": code, "message": text}} (PORTAL.md).
 *
 * @param body JSON text, or null for an answer without a body (204, 202)
 */
record AdminAnswer(int status, String body, Map<String, String> headers) {

  AdminAnswer {
    headers = Map.copyOf(headers);
  }

  static AdminAnswer json(int status, String body) {
    return new AdminAnswer(status, body, Map.of());
  }

  static AdminAnswer empty(int status) {
    return new AdminAnswer(status, null, Map.of());
  }

  /** A refusal: {@code code} is one of the codes the OpenAPI document lists. */
  static AdminAnswer error(int status, String code, String message) {
    return new AdminAnswer(status, errorBody(code, message), Map.of());
  }

  AdminAnswer withHeader(String name, String value) {
    var all = new java.util.HashMap<>(headers);
    all.put(name, value);
    return new AdminAnswer(status, body, all);
  }

  /** The error object, written by hand: both strings are escaped, nothing else varies. */
  private static String errorBody(String code, String message) {
    return "{\"error\":" + quote(code) + ",\"message\":" + quote(message) + "}";
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
