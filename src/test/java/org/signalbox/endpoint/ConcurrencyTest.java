package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.signalbox.testing.ConcurrencyScenario;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.LogCapture;

/** The flood of {@link ConcurrencyScenario} against the endpoint in embedded Tyrus. */
class ConcurrencyTest {

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void fiftyClientsFloodTheirReceiversWithoutLossReorderErrorsOrLoggedProblems() {
    try (LogCapture log = new LogCapture();
        EmbeddedServer server = EmbeddedServer.start()) {
      // The default settings on purpose: the scenario is sized to stay inside them.
      ConcurrencyScenario.Result result = ConcurrencyScenario.run(server.uri(), null);
      System.out.printf("concurrency on embedded Tyrus: %d messages in %d ms%n",
          result.messages(), result.elapsed().toMillis());
      // A race the clients cannot see (a failed write, a fault caught by the endpoint) still
      // shows up as a warning or an error in the log.
      assertEquals(List.of(), log.lines(), "nothing logged as a warning or an error");
    }
  }
}
