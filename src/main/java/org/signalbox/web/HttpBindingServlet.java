package org.signalbox.web;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Locale;
import java.util.Objects;
import org.signalbox.Signalbox;
import org.signalbox.config.AuthMode;
import org.signalbox.transport.HttpSession;
import org.signalbox.transport.RequestFacts;

/**
 * The HTTP binding of PROTOCOL.md at {@code <socket>/http}: the adapter between servlet requests
 * and the node's {@link org.signalbox.transport.HttpSessions}. A poll waits in an {@link
 * AsyncContext}, so a waiting client holds no container thread; its answer is written by the
 * thread that has a frame for it, off any room lock.
 *
 * <p>Every {@code POST} and {@code DELETE} passes the handshake's origin check, so a page of
 * another site cannot drive a session (a form cannot send {@code application/json}, and a script
 * cannot read the session id it would need); a {@code GET} is checked when it carries an {@code
 * Origin}. In {@code auth=container}, every request must come from the user who opened the
 * session.
 */
public final class HttpBindingServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private static final System.Logger LOG = System.getLogger(HttpBindingServlet.class.getName());

  /** RFC 6585 Too Many Requests; the Servlet API names no constant for it. */
  private static final int TOO_MANY_REQUESTS = 429;

  /** How many times {@code maxMessageBytes} one body of frames may carry. */
  static final int FRAMES_PER_BODY = 4;

  /** The container's own poll timeout, a safety net only: the session answers after pollMs. */
  private static final long CONTAINER_TIMEOUT_EXTRA_MS = 30_000;

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Signalbox node = Nodes.of(getServletContext());
    RequestFacts facts = RequestFactsOf.request(request);
    String refusal = node.originPolicy().refusal(facts);
    if (refusal != null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
      return;
    }
    String id = sessionId(request);
    if (id == null) {
      open(node, request, response, facts);
      return;
    }
    HttpSession session = session(node, id, request, response);
    if (session == null) {
      return;
    }
    if (!isJson(request.getContentType())) {
      response.sendError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
          "frames are posted as application/json");
      return;
    }
    int limit = FRAMES_PER_BODY * node.settings().maxMessageBytes();
    String body = body(request, limit);
    if (body == null) {
      session.tooBig();
      response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
          "a body of frames is at most " + limit + " bytes");
      return;
    }
    switch (session.post(body)) {
      case HANDLED -> response.setStatus(HttpServletResponse.SC_NO_CONTENT);
      case MALFORMED -> response.sendError(HttpServletResponse.SC_BAD_REQUEST,
          "the body must be a JSON array of frame objects; nothing was handled");
      case TOO_BIG -> response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
          "a frame is over maxMessageBytes (" + node.settings().maxMessageBytes() + ")");
    }
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Signalbox node = Nodes.of(getServletContext());
    String refusal = node.originPolicy().readRefusal(RequestFactsOf.request(request));
    if (refusal != null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
      return;
    }
    String id = sessionId(request);
    if (id == null) {
      response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
          "open a session with POST, then poll it at its own path");
      return;
    }
    long ack = ack(request.getParameter("ack"));
    if (ack < 0) {
      response.sendError(HttpServletResponse.SC_BAD_REQUEST,
          "ack must be the last seq received (0 or more)");
      return;
    }
    HttpSession session = session(node, id, request, response);
    if (session == null) {
      return;
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(node.settings().pollMs() + CONTAINER_TIMEOUT_EXTRA_MS);
    if (!session.poll(ack, new ServletPoll(async))) {
      unknown((HttpServletResponse) async.getResponse());
      async.complete();
    }
  }

  @Override
  protected void doDelete(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Signalbox node = Nodes.of(getServletContext());
    String refusal = node.originPolicy().refusal(RequestFactsOf.request(request));
    if (refusal != null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
      return;
    }
    String id = sessionId(request);
    if (id == null) {
      response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "end a session at its path");
      return;
    }
    HttpSession session = session(node, id, request, response);
    if (session == null) {
      return;
    }
    session.delete();
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }

  private static void open(Signalbox node, HttpServletRequest request,
      HttpServletResponse response, RequestFacts facts) throws IOException {
    Principal user = request.getUserPrincipal();
    if (node.settings().auth() == AuthMode.CONTAINER && user == null) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "authentication required");
      return;
    }
    String address = node.clientAddresses().of(facts);
    if (node.connectionsPerAddress().full(address)) {
      response.sendError(TOO_MANY_REQUESTS, "too many connections from this address");
      return;
    }
    json(response, node.httpSessions().open(user, address));
  }

  /** The live session the request names, or null when the answer (404, 403) is written. */
  private static HttpSession session(Signalbox node, String id, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    HttpSession session = node.httpSessions().get(id);
    if (session == null) {
      UnreadBody.discard(request.getInputStream(), request.getContentLengthLong());
      unknown(response);
      return null;
    }
    if (node.settings().auth() == AuthMode.CONTAINER) {
      Principal user = request.getUserPrincipal();
      if (user == null || !Objects.equals(user.getName(), session.userName())) {
        response.sendError(HttpServletResponse.SC_FORBIDDEN,
            "not the user who opened this session");
        return null;
      }
    }
    return session;
  }

  /** The session id of {@code <socket>/http/S}, or null for {@code <socket>/http} itself. */
  private static String sessionId(HttpServletRequest request) {
    String path = request.getPathInfo();
    if (path == null || path.equals("/")) {
      return null;
    }
    return path.substring(1);
  }

  private static long ack(String text) {
    if (text == null || text.isEmpty() || text.length() > 18) {
      return -1;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().toLowerCase(Locale.ROOT).equals("application/json");
  }

  /** The body as UTF-8, or null when it is longer than {@code limit} bytes. */
  private static String body(HttpServletRequest request, int limit) throws IOException {
    if (request.getContentLengthLong() > limit) {
      return null;
    }
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(limit + 1);
      return bytes.length > limit ? null : new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static void unknown(HttpServletResponse response) throws IOException {
    response.setStatus(HttpServletResponse.SC_NOT_FOUND);
    json(response, "{\"error\":\"unknown-session\"}");
  }

  private static void json(HttpServletResponse response, String body) throws IOException {
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** A poll in its {@link AsyncContext}; the session calls it once. */
  private record ServletPoll(AsyncContext async) implements HttpSession.Poll {

    @Override
    public void answer(String body) {
      finish(body, HttpServletResponse.SC_OK);
    }

    @Override
    public void gone() {
      finish("{\"error\":\"unknown-session\"}", HttpServletResponse.SC_NOT_FOUND);
    }

    private void finish(String body, int status) {
      try {
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        response.setStatus(status);
        json(response, body);
      } catch (IOException | RuntimeException e) {
        // The client went away under its poll (or the container gave up on it): the frames stay
        // unacknowledged and go out again with the next poll.
        LOG.log(System.Logger.Level.DEBUG, () -> "poll answer not written: " + e);
      } finally {
        try {
          async.complete();
        } catch (RuntimeException alreadyOver) {
          // The container timed the request out first.
        }
      }
    }
  }
}
