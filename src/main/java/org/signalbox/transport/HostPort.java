package org.signalbox.transport;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code Host} header or a {@code serverNames} entry: a name or IP literal and an optional
 * port. Anything else (user info, a path, spaces, a port out of range) does not parse.
 *
 * @param name lower case; an IPv6 literal keeps its brackets
 * @param port the port, or -1 when none was given (the scheme's default applies)
 */
record HostPort(String name, int port) {

  private static final Pattern FORM =
      Pattern.compile("([A-Za-z0-9._\\-]+|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?");

  /** The parsed value, or null when {@code text} is null or not of that form. */
  static HostPort parse(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      return null;
    }
    int port = -1;
    if (m.group(2) != null) {
      port = Integer.parseInt(m.group(2));
      if (port < 1 || port > 65_535) {
        return null;
      }
    }
    return new HostPort(m.group(1).toLowerCase(Locale.ROOT), port);
  }

  /** Same name and port, each missing port being the default of the request's scheme. */
  boolean sameAs(HostPort other, boolean secure) {
    return name.equals(other.name) && portOr(secure) == other.portOr(secure);
  }

  int portOr(boolean secure) {
    return port != -1 ? port : defaultPort(secure);
  }

  static int defaultPort(boolean secure) {
    return secure ? 443 : 80;
  }
}
