package org.signalbox.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * A user signed in to {@link PortalWar} through its form login, as a browser does it: ask for a
 * protected page, get the login form, post it to {@code j_security_check}, and be sent back. The
 * session cookie then opens the portal's pages and Signalbox's socket alike.
 */
final class PortalSession {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Redirects followed for one request, at most: login form, back to the page. */
  private static final int HOPS = 5;

  private final HttpClient http;
  private final CookieManager cookies;
  private final URI base;

  private PortalSession(HttpClient http, CookieManager cookies, URI base) {
    this.http = http;
    this.cookies = cookies;
    this.base = base;
  }

  /** A visitor who has not signed in (yet). */
  static PortalSession anonymous(URI base) {
    CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT).build();
    return new PortalSession(http, cookies, base);
  }

  static PortalSession signIn(URI base, String user, String password) {
    PortalSession session = anonymous(base);
    HttpResponse<String> form = session.get("greeting");
    assertEquals(200, form.statusCode(), form.body());
    assertTrue(form.body().contains("j_security_check"), "the login form: " + form.body());
    String body = "j_username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
        + "&j_password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    HttpResponse<String> back = session.follow(HttpRequest.newBuilder(base.resolve("j_security_check"))
        .timeout(TIMEOUT).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertEquals(200, back.statusCode(), back.body());
    assertEquals("the portal greets " + user, back.body(), "back at the page asked for, signed in");
    return session;
  }

  /** GET {@code path} (relative to the portal), following redirects. */
  HttpResponse<String> get(String path) {
    return follow(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build());
  }

  /** The session's cookies as a {@code Cookie} header, for a WebSocket handshake. */
  String cookieHeader() {
    return cookies.getCookieStore().get(base).stream().map(HttpCookie::toString)
        .collect(Collectors.joining("; "));
  }

  private HttpResponse<String> follow(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      for (int hop = 0; hop < HOPS && response.statusCode() / 100 == 3; hop++) {
        URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
        response = http.send(HttpRequest.newBuilder(next).timeout(TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
