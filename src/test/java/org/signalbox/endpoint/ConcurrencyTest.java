package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.ConcurrencyScenario;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.LogCapture;

/** The flood of {@link ConcurrencyScenario} against the endpoint in embedded Tyrus. */
class ConcurrencyTest {

  @Test
  void fiftyClientsFloodTheirReceiversWithoutLossReorderOrErrors() throws Exception {
    try (LogCapture log = new LogCapture();
        EmbeddedServer server = EmbeddedServer.start()) {
      ConcurrencyScenario.Result result = ConcurrencyScenario.run(server.uri(), null);
      System.out.printf("concurrency on embedded Tyrus: %d messages in %d ms%n",
          result.messages(), result.elapsed().toMillis());
      assertEquals(List.of(), log.lines(), "nothing logged as a warning or an error");
    }
  }
}
