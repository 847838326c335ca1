package org.signalbox.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.signalbox.spi.RoomEvent.PeerJoined;

/**
 * A receiver's view from another implementation: the npm {@code standardwebhooks} package
 * verifies a signed body. The test command installs it (src/test/node) and Maven points {@code
 * NODE_PATH} at it; a run without that install skips this test, since tests download nothing.
 */
class StandardWebhooksJsTest {

  private static final long WAIT_S = 20;

  /** Reads id, timestamp, signature, secret and body from stdin; exits 0 only if it verifies. */
  private static final String VERIFY =
      "const {Webhook} = require('standardwebhooks');"
          + "let input = '';"
          + "process.stdin.on('data', d => input += d).on('end', () => {"
          + "  const m = JSON.parse(input);"
          + "  new Webhook(m.secret).verify(m.body, {'webhook-id': m.id,"
          + "      'webhook-timestamp': m.timestamp, 'webhook-signature': m.signature});"
          + "  console.log('verified');"
          + "});";

  @Test
  void theNpmReferenceLibraryVerifiesOurSignature() throws Exception {
    assumeTrue(run(List.of("node", "-e", "require.resolve('standardwebhooks')"), "") == 0,
        "node with the standardwebhooks package is not available");
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    String id = "evt_js_1";
    long timestamp = System.currentTimeMillis() / 1000;
    String body = new WebhookPayload(JsonProvider.provider())
        .body(new PeerJoined(id, "r1", System.currentTimeMillis(), "p1", "Zoë", "user-7"));
    String signature = new WebhookSigner(secret).sign(id, timestamp, body);

    JsonProvider json = JsonProvider.provider();
    String input = json.createObjectBuilder()
        .add("secret", secret).add("id", id).add("timestamp", Long.toString(timestamp))
        .add("signature", signature).add("body", body).build().toString();

    assertEquals(0, run(List.of("node", "-e", VERIFY), input), "npm standardwebhooks refused it");
  }

  /** The exit code, or −1 when the command cannot start; bounded by {@link #WAIT_S}. */
  private static int run(List<String> command, String stdin) throws InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return -1;
    }
    try {
      try (var in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        return -1;
      }
      if (!process.waitFor(WAIT_S, TimeUnit.SECONDS)) {
        throw new AssertionError("node did not finish within " + WAIT_S + " s");
      }
      return process.exitValue();
    } finally {
      process.destroyForcibly();
    }
  }
}
