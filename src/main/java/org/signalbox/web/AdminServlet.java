package org.signalbox.web;

import jakarta.json.spi.JsonProvider;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.util.Map;
import org.signalbox.Signalbox;
import org.signalbox.auth.AdminTokenVerifier;
import org.signalbox.config.AdminAuth;
import org.signalbox.config.Settings;
import org.signalbox.room.Membership;

/**
 * The admin API at {@code /admin/*} (PORTAL.md): a thin adapter that asks the {@link AdminGate}
 * who calls, reads the {@link AdminRoute}, lets the {@link AdminApi} answer and writes the
 * answer. With {@code adminAuth=off} every path answers the container's own 404, as if the API
 * did not exist. Every call is logged at INFO: who, from where, what, which room, the status.
 *
 * <h2>Container mode without a static constraint</h2>
 *
 * <p>{@code web.xml} declares the role {@code signalbox-admin} but no {@code
 * security-constraint} and no {@code login-config} for {@code /admin/*}; in {@code container}
 * mode this servlet enforces the role itself: a request without a user is handed to the
 * container with {@code request.authenticate(response)} (which checks the credentials by the
 * application's login method and, when they are missing or wrong, writes the container's own 401
 * challenge), and a user without the role gets 403 from {@code isUserInRole}. Why:
 *
 * <ul>
 *   <li>A static constraint in the WAR's {@code web.xml} would hold in every mode: in {@code token}
 *       mode the container would demand its own credentials before a bearer token is looked at,
 *       and in {@code off} mode it would answer 401 instead of 404.
 *   <li>A {@code login-config} in the WAR would clash with the portal's own: a {@code web.xml} may
 *       have only one, and a portal that turns on {@code auth=container} adds it (README, "The
 *       portal's single sign-on"; {@code ContainerAuthIT}).
 *   <li>Adding {@code ServletSecurity} programmatically in container mode only would need the
 *       servlet registered from code rather than in {@code web.xml}, and it still needs a login
 *       method; {@code authenticate} and {@code isUserInRole} are plain Servlet API that Tomcat,
 *       Undertow (WildFly) and Payara implement alike, and keep the decision in one tested class.
 * </ul>
 *
 * <p>The role is declared as a {@code security-role} so that servers which map roles to groups
 * at deployment (Payara) know it. A portal that protects {@code /*} with its own constraint
 * (README) also covers {@code /admin/*}; the admin still needs {@code signalbox-admin}.
 */
public final class AdminServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private static final System.Logger LOG = System.getLogger(AdminServlet.class.getName());

  /** The OpenAPI 3.1 document of the API, beside this class. */
  static final String OPENAPI = "admin-openapi.json";

  /** Null while the admin API is off. */
  private transient AdminGate gate;

  private transient AdminApi api;
  private transient int maxBody;

  @Override
  public void init() {
    Signalbox node = Nodes.of(getServletContext());
    Settings settings = node.settings();
    if (settings.adminAuth() == AdminAuth.OFF) {
      return;
    }
    AdminTokenVerifier tokens = settings.adminAuth() == AdminAuth.TOKEN
        ? new AdminTokenVerifier(settings.adminSecret(), Clock.systemUTC()) : null;
    gate = new AdminGate(settings.adminAuth(), tokens);
    api = new AdminApi(node.membership(), node.outbound(), JsonProvider.provider(), openApi());
    maxBody = settings.maxMessageBytes();
  }

  /** The OpenAPI document, read once. */
  static String openApi() {
    try (InputStream in = AdminServlet.class.getResourceAsStream(OPENAPI)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI + " is missing beside " + AdminServlet.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (gate == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    String what = request.getMethod() + " /admin"
        + (request.getPathInfo() == null ? "" : request.getPathInfo());
    AdminGate.Decision decision = gate.check(caller(request, response));
    if (!(decision instanceof AdminGate.Admitted)) {
      UnreadBody.discard(request.getInputStream(), request.getContentLengthLong());
    }
    if (decision instanceof AdminGate.Challenged) {
      if (!response.isCommitted() && response.getStatus() < 400) {
        write(response, AdminAnswer.error(HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
            "the container did not authenticate the request"));
      }
      log("unauthenticated", request, what, response.getStatus());
      return;
    }
    if (decision instanceof AdminGate.Refused refused) {
      write(response, refused.answer());
      log("refused", request, what, refused.answer().status());
      return;
    }
    String who = ((AdminGate.Admitted) decision).who();
    AdminAnswer answer;
    try {
      AdminRoute route = AdminRoute.of(request.getMethod(), request.getPathInfo());
      what = route.describe();
      String body = route.hasBody()
          ? AdminBody.read(request.getInputStream(), request.getContentLengthLong(),
              request.getContentType(), maxBody)
          : null;
      answer = api.answer(route, body);
    } catch (AdminFailure failure) {
      answer = failure.answer();
    } catch (Membership.Unavailable e) {
      // A cluster node that cannot reach Redis cannot answer for the cluster: say so, as /health
      // does, rather than answer from what this node alone knows.
      answer = AdminAnswer.error(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "unavailable",
          "the cluster store cannot be reached now; try again later");
    }
    UnreadBody.discard(request.getInputStream(), request.getContentLengthLong());
    write(response, answer);
    log(who, request, what, answer.status());
  }

  private static void log(String who, HttpServletRequest request, String what, int status) {
    LOG.log(Level.INFO, () -> "admin: " + oneLine(who) + " from " + request.getRemoteAddr() + ": "
        + oneLine(what) + " -> " + status);
  }

  /**
   * {@code text} with its control and line-separator characters written as a backslash, {@code
   * u} and four hex digits. The path is logged as the container decoded it, before the caller is
   * known: without this, anyone who reaches {@code /admin} could write lines of their own into
   * the log with {@code %0A}.
   */
  private static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      int type = Character.getType(c);
      if (Character.isISOControl(c) || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  private static void write(HttpServletResponse response, AdminAnswer answer) throws IOException {
    response.setStatus(answer.status());
    response.setHeader("Cache-Control", "no-store");
    for (Map.Entry<String, String> header : answer.headers().entrySet()) {
      response.setHeader(header.getKey(), header.getValue());
    }
    if (answer.body() != null) {
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }

  private static AdminGate.Caller caller(
      HttpServletRequest request, HttpServletResponse response) {
    return new AdminGate.Caller() {
      @Override
      public String authorization() {
        return request.getHeader("Authorization");
      }

      @Override
      public Principal principal() {
        return request.getUserPrincipal();
      }

      @Override
      public boolean authenticate() throws IOException, ServletException {
        return request.authenticate(response);
      }

      @Override
      public boolean isInRole(String role) {
        return request.isUserInRole(role);
      }
    };
  }
}
