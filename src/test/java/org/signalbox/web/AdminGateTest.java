package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletException;
import java.security.Principal;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.AdminTokenVerifier;
import org.signalbox.auth.Tokens;
import org.signalbox.config.AdminAuth;

/** Who gets through the admin API's gate, in token and in container mode. */
class AdminGateTest {

  private final AdminGate tokenGate = new AdminGate(AdminAuth.TOKEN,
      new AdminTokenVerifier(Tokens.ADMIN_SECRET, Clock.systemUTC()));
  private final AdminGate containerGate = new AdminGate(AdminAuth.CONTAINER, null);

  /** A request as the container presents it; {@code afterLogin} is the user authenticate() finds. */
  private static final class FakeCaller implements AdminGate.Caller {
    String authorization;
    Principal user;
    Principal afterLogin;
    Boolean loginAnswer = false;
    ServletException loginFails;
    Set<String> roles = Set.of();
    int logins;

    @Override
    public String authorization() {
      return authorization;
    }

    @Override
    public Principal principal() {
      return user;
    }

    @Override
    public boolean authenticate() throws ServletException {
      logins++;
      if (loginFails != null) {
        throw loginFails;
      }
      user = afterLogin;
      return loginAnswer;
    }

    @Override
    public boolean isInRole(String role) {
      return user != null && roles.contains(role);
    }
  }

  private static FakeCaller bearer(String header) {
    FakeCaller caller = new FakeCaller();
    caller.authorization = header;
    return caller;
  }

  private static AdminAnswer refused(AdminGate.Decision decision) {
    return assertInstanceOf(AdminGate.Refused.class, decision).answer();
  }

  @Test
  void withoutATokenThe401ChallengesForOneWithoutAnError() throws Exception {
    for (String header : new String[] {null, "", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearerx"}) {
      AdminAnswer answer = refused(tokenGate.check(bearer(header)));
      assertEquals(401, answer.status(), header);
      assertEquals("Bearer realm=\"signalbox-admin\"", answer.headers().get("WWW-Authenticate"), header);
      assertTrue(answer.body().startsWith("{\"error\":\"unauthorized\""), answer.body());
    }
  }

  @Test
  void aBadTokenIs401WithInvalidToken() throws Exception {
    String joinSecretToken = Tokens.sign(Tokens.adminClaims("a").claim("admin", true).build());
    for (String token : new String[] {"garbage", joinSecretToken}) {
      AdminAnswer answer = refused(tokenGate.check(bearer("Bearer " + token)));
      assertEquals(401, answer.status());
      String challenge = answer.headers().get("WWW-Authenticate");
      assertTrue(challenge.startsWith("Bearer realm=\"signalbox-admin\", error=\"invalid_token\""),
          challenge);
    }
  }

  @Test
  void aValidTokenWithoutAdminIs403AndWithItAdmitted() throws Exception {
    String notAdmin = Tokens.sign(Tokens.adminClaims("viewer").build(), Tokens.ADMIN_SECRET,
        com.nimbusds.jose.JWSAlgorithm.HS256);
    AdminAnswer answer = refused(tokenGate.check(bearer("Bearer " + notAdmin)));
    assertEquals(403, answer.status());
    assertTrue(answer.body().startsWith("{\"error\":\"forbidden\""), answer.body());
    AdminGate.Decision admitted = tokenGate.check(bearer("bearer  " + Tokens.admin("ops") + " "));
    assertEquals(new AdminGate.Admitted("token sub=ops"), admitted);
  }

  @Test
  void aContainerUserNeedsTheRole() throws Exception {
    FakeCaller admin = new FakeCaller();
    admin.user = () -> "ada";
    admin.roles = Set.of("signalbox-admin");
    assertEquals(new AdminGate.Admitted("user ada"), containerGate.check(admin));
    assertEquals(0, admin.logins, "a user the container already knows is not asked again");

    FakeCaller alice = new FakeCaller();
    alice.user = () -> "alice";
    alice.roles = Set.of("signalbox");
    AdminAnswer answer = refused(containerGate.check(alice));
    assertEquals(403, answer.status());
    assertTrue(answer.body().contains("signalbox-admin"), answer.body());
  }

  @Test
  void withoutAUserTheContainerIsAskedToAuthenticate() throws Exception {
    FakeCaller challenged = new FakeCaller();
    assertInstanceOf(AdminGate.Challenged.class, containerGate.check(challenged));
    assertEquals(1, challenged.logins);

    FakeCaller loggedIn = new FakeCaller();
    loggedIn.loginAnswer = true;
    loggedIn.afterLogin = () -> "ada";
    loggedIn.roles = Set.of("signalbox-admin");
    assertEquals(new AdminGate.Admitted("user ada"), containerGate.check(loggedIn));

    FakeCaller noLoginMethod = new FakeCaller();
    noLoginMethod.loginAnswer = true;
    assertEquals(401, refused(containerGate.check(noLoginMethod)).status());

    FakeCaller failing = new FakeCaller();
    failing.loginFails = new ServletException("no realm");
    AdminAnswer answer = refused(containerGate.check(failing));
    assertEquals(401, answer.status());
    assertNull(answer.headers().get("WWW-Authenticate"), "no bearer challenge in container mode");
  }

  @Test
  void bearerHeadersAreReadCaseInsensitively() {
    assertEquals("t", AdminGate.bearerToken("BEARER t"));
    assertEquals("t", AdminGate.bearerToken("  Bearer   t  "));
    assertNull(AdminGate.bearerToken("Basic t"));
    assertFalse(AdminGate.bearerToken("Bearer a.b.c").isEmpty());
  }
}
