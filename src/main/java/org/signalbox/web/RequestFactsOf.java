package org.signalbox.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import org.signalbox.transport.RequestFacts;

/** The facts of a servlet request that the origin check and the client address rely on. */
final class RequestFactsOf {

  private RequestFactsOf() {}

  static RequestFacts request(HttpServletRequest request) {
    return new RequestFacts(
        request.getHeader("Origin"),
        request.getHeader("Host"),
        request.isSecure(),
        request.getRemoteAddr(),
        joined(request.getHeaders("X-Forwarded-For")),
        joined(request.getHeaders("X-Forwarded-Proto")));
  }

  /** Every line of a header, in order, as one comma list (RFC 9110 lets a proxy split it). */
  private static String joined(Enumeration<String> values) {
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    StringBuilder all = new StringBuilder(values.nextElement());
    while (values.hasMoreElements()) {
      all.append(',').append(values.nextElement());
    }
    return all.toString();
  }
}
