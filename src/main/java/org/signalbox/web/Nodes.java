package org.signalbox.web;

import jakarta.servlet.ServletContext;
import org.signalbox.Signalbox;

/**
 * The node of a web application, as its lifecycle listener left it in the servlet context: how
 * servlets and filters, which the container creates, reach the node without a static lookup.
 */
public final class Nodes {

  /** The servlet context attribute that holds the running node. */
  static final String ATTRIBUTE = Signalbox.class.getName();

  private Nodes() {}

  /** The running node of {@code context}. */
  public static Signalbox of(ServletContext context) {
    Object node = context.getAttribute(ATTRIBUTE);
    if (node instanceof Signalbox running) {
      return running;
    }
    throw new IllegalStateException(
        "Signalbox is not running: its ServletContextListener did not start it");
  }

  /** The running node of {@code context}, or null when it is not running. */
  static Signalbox orNull(ServletContext context) {
    return context.getAttribute(ATTRIBUTE) instanceof Signalbox running ? running : null;
  }

  static void put(ServletContext context, Signalbox node) {
    context.setAttribute(ATTRIBUTE, node);
  }

  static void remove(ServletContext context) {
    context.removeAttribute(ATTRIBUTE);
  }
}
