package org.signalbox.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Locale;
import org.signalbox.auth.AdminTokenVerifier;
import org.signalbox.auth.TokenVerifier.TokenRejected;
import org.signalbox.config.AdminAuth;

/**
 * Decides who may use the admin API (PORTAL.md): in {@code token} mode by the bearer token, in
 * {@code container} mode by the container's user and the role {@value #ROLE}. Works on a {@link
 * Caller}, so its rules are tested without a server. Immutable and thread-safe.
 */
final class AdminGate {

  /** The role an admin has in {@code container} mode. */
  static final String ROLE = "signalbox-admin";

  /** The realm of the bearer challenge. */
  static final String REALM = "signalbox-admin";

  private final AdminAuth mode;
  private final AdminTokenVerifier tokens;

  /**
   * @param tokens the admin token check; used in {@code token} mode only
   */
  AdminGate(AdminAuth mode, AdminTokenVerifier tokens) {
    if (mode == AdminAuth.OFF) {
      throw new IllegalArgumentException("no gate when the admin API is off");
    }
    if (mode == AdminAuth.TOKEN && tokens == null) {
      throw new IllegalArgumentException("token mode needs an admin token verifier");
    }
    this.mode = mode;
    this.tokens = tokens;
  }

  /** What the gate needs of a request: the servlet adapts its request and response. */
  interface Caller {
    /** The {@code Authorization} header, or null. */
    String authorization();

    /** The container's user, or null. */
    Principal principal();

    /**
     * Asks the container to authenticate the request ({@code HttpServletRequest.authenticate}).
     *
     * @return false when the container refused and has written its own answer (its challenge)
     */
    boolean authenticate() throws IOException, ServletException;

    boolean isInRole(String role);
  }

  /** The gate's decision. */
  sealed interface Decision {}

  /** An admin: {@code who} names it in the log. */
  record Admitted(String who) implements Decision {}

  /** Not an admin: the answer says why (401, 403). */
  record Refused(AdminAnswer answer) implements Decision {}

  /** The container refused the credentials and has already answered with its challenge. */
  record Challenged() implements Decision {}

  Decision check(Caller caller) throws IOException {
    return mode == AdminAuth.TOKEN ? bearer(caller.authorization()) : container(caller);
  }

  private Decision bearer(String authorization) {
    String token = bearerToken(authorization);
    if (token == null) {
      return new Refused(AdminAnswer.error(HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
              "an admin token is required: Authorization: Bearer <JWT>")
          .withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\""));
    }
    AdminTokenVerifier.AdminClaims claims;
    try {
      claims = tokens.verify(token);
    } catch (TokenRejected e) {
      return new Refused(AdminAnswer.error(HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
              "admin token refused: " + e.getMessage())
          .withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM
              + "\", error=\"invalid_token\", error_description=\""
              + e.getMessage().replace('"', '\'').replace('\\', '/') + "\""));
    }
    String who = "token " + (claims.subject() == null ? "without sub" : "sub=" + claims.subject());
    if (!claims.admin()) {
      return new Refused(AdminAnswer.error(HttpServletResponse.SC_FORBIDDEN, "forbidden",
              "the token does not claim admin: true")
          .withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM
              + "\", error=\"insufficient_scope\""));
    }
    return new Admitted(who);
  }

  /**
   * The container's own authentication, asked for explicitly: the WAR declares no constraint on
   * {@code /admin/*} (see {@link AdminServlet}), so without a constraint of the portal's the
   * container has not looked at the credentials yet.
   */
  private Decision container(Caller caller) throws IOException {
    Principal user = caller.principal();
    if (user == null) {
      try {
        if (!caller.authenticate()) {
          return new Challenged();
        }
      } catch (ServletException e) {
        return new Refused(unauthenticated("the container could not authenticate: "
            + e.getMessage()));
      }
      user = caller.principal();
    }
    if (user == null) {
      // The container accepted without a user: the web application has no login method.
      return new Refused(unauthenticated("no authenticated user (is a login method configured?)"));
    }
    if (!caller.isInRole(ROLE)) {
      return new Refused(AdminAnswer.error(HttpServletResponse.SC_FORBIDDEN, "forbidden",
          "user " + user.getName() + " lacks the role " + ROLE));
    }
    return new Admitted("user " + user.getName());
  }

  private static AdminAnswer unauthenticated(String message) {
    return AdminAnswer.error(HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", message);
  }

  /** The token of an {@code Authorization: Bearer} header (scheme case-insensitive), or null. */
  static String bearerToken(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    String token = value.substring(7).strip();
    return token.isEmpty() ? null : token;
  }
}
