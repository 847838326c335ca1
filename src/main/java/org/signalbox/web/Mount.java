package org.signalbox.web;

import jakarta.servlet.ServletContext;
import java.util.regex.Pattern;

/**
 * Where Signalbox serves inside its web application: the socket, {@code /health}, {@code
 * /metrics} and the admin API, all under one base path. The standalone WAR serves at its root
 * (base ""); the portal jar's web fragment sets the base to {@code /signalbox}, where the
 * container also serves the jar's client from {@code META-INF/resources/signalbox}, so that the
 * client finds its socket beside itself. A portal moves the base with the context parameter
 * {@value #PARAMETER} in its own web.xml, which wins over the fragment's.
 *
 * <p>The base is a context parameter only, not a setting read from the environment: it belongs
 * to how the application is packaged, and one variable would move every Signalbox of a JVM.
 */
public record Mount(String base) {

  /** The context parameter that names the base path. */
  public static final String PARAMETER = "signalbox.path";

  /** Segments of letters, digits and {@code - . _ ~}: no wildcard, no parameter, no dot segment. */
  private static final Pattern BASE =
      Pattern.compile("(/(?!\\.{1,2}(/|$))[A-Za-z0-9._~-]+)*");

  public Mount {
    if (!BASE.matcher(base).matches()) {
      throw new IllegalArgumentException(PARAMETER + " must be empty or a path like /signalbox"
          + " (segments of letters, digits, '-', '.', '_', '~', no trailing '/'), not \"" + base
          + "\"");
    }
  }

  /** The base of {@code context}: its {@value #PARAMETER}, or the root when it has none. */
  static Mount of(ServletContext context) {
    String base = context.getInitParameter(PARAMETER);
    return new Mount(base == null ? "" : base.strip());
  }

  /** The WebSocket endpoint. */
  public String socket() {
    return base + "/signal";
  }

  /** The HTTP binding's servlet mapping: {@code <socket>/http} and the sessions under it. */
  public String http() {
    return socket() + "/http/*";
  }

  public String health() {
    return base + "/health";
  }

  public String metrics() {
    return base + "/metrics";
  }

  /** The admin API's servlet mapping (PORTAL.md's paths under {@code /admin}). */
  public String admin() {
    return base + "/admin/*";
  }
}
