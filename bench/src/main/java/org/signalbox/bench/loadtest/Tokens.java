package org.signalbox.bench.loadtest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Join tokens for {@code auth=token} (PROTOCOL.md, Authentication): minted here with the
 * {@code tokenSecret} (HS256; {@code sub}, {@code room}, {@code name}, {@code iat}, {@code exp}),
 * or obtained from the user's own command, so a deployment whose secret stays in its back end can
 * be tested with the back end's tokens. Thread-safe.
 */
interface Tokens {

  /** How long a minted token is valid: longer than any sensible run, short enough to be harmless. */
  Duration LIFETIME = Duration.ofHours(1);
  Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

  /** The token for peer {@code peer} (0..M-1) of {@code room}, or null in open mode. */
  String token(String room, int peer) throws TokenException;

  /** Why no token could be had. */
  final class TokenException extends Exception {
    private static final long serialVersionUID = 1L;

    TokenException(String message) {
      super(message);
    }
  }

  static Tokens of(Options options) {
    if (options.tokenSecret() != null) {
      return new Minted(options.tokenSecret());
    }
    if (options.tokenCommand() != null) {
      return new Command(options.tokenCommand());
    }
    return (room, peer) -> null;
  }

  /** HS256 with the UTF-8 bytes of the secret as key, as the server's verifier reads it. */
  record Minted(String secret) implements Tokens {

    @Override
    public String token(String room, int peer) throws TokenException {
      long now = Instant.now().getEpochSecond();
      String subject = "loadtest-" + room + "-" + peer;
      String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
      String claims = "{\"sub\":" + Json.quote(subject) + ",\"room\":" + Json.quote(room)
          + ",\"name\":" + Json.quote("load test " + peer) + ",\"iat\":" + now
          + ",\"exp\":" + (now + LIFETIME.toSeconds()) + "}";
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
          + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(signature);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new TokenException("cannot sign with --token-secret: " + e.getMessage());
      }
    }
  }

  /** The user's command, through {@code sh -c}, bounded by {@link #COMMAND_TIMEOUT}. */
  record Command(String command) implements Tokens {

    @Override
    public String token(String room, int peer) throws TokenException {
      ProcessBuilder builder = new ProcessBuilder("sh", "-c", command)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().put("SIGNALBOX_ROOM", room);
      builder.environment().put("SIGNALBOX_PEER", Integer.toString(peer));
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new TokenException("--token-command cannot start: " + e.getMessage());
      }
      try {
        // Both streams are read while the command runs, so a chatty command cannot block on a
        // full pipe.
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new TokenException("--token-command did not finish within " + COMMAND_TIMEOUT);
        }
        String stdout = out.get(5, TimeUnit.SECONDS).trim();
        if (process.exitValue() != 0) {
          throw new TokenException("--token-command exited " + process.exitValue() + ": "
              + err.get(5, TimeUnit.SECONDS).trim());
        }
        if (stdout.isEmpty()) {
          throw new TokenException("--token-command printed no token");
        }
        return stdout;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TokenException("interrupted while waiting for --token-command");
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new TokenException("cannot read --token-command's output: " + e);
      } finally {
        process.destroyForcibly();
      }
    }

    /** Reads a stream to its end on a thread of its own (the common pool may have one thread). */
    private static CompletableFuture<String> read(InputStream in) {
      CompletableFuture<String> result = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (in) {
          result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          result.complete("");
        }
      }, "token-command-output");
      reader.setDaemon(true);
      reader.start();
      return result;
    }
  }
}
