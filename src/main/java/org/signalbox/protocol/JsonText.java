package org.signalbox.protocol;

/**
 * A JSON value kept as the text the client sent, already checked by the parser: the payload of a
 * relay, which the server never looks into. Relaying the text as it came saves building a tree
 * and writing it out again for every frame, and keeps the sender's numbers exactly as written.
 *
 * @param json one complete JSON value
 */
public record JsonText(String json) {

  /** JSON {@code null}. */
  public static final JsonText NULL = new JsonText("null");

  /** True when the value is a JSON object. */
  public boolean isObject() {
    return json.charAt(0) == '{';
  }

  @Override
  public String toString() {
    return json;
  }
}
