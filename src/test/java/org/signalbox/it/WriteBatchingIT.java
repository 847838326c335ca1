package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.signalbox.testing.BacklogScenario;

/**
 * A receiver that falls behind gets its backlog written in batch mode (one flush for many frames)
 * by the run command's Jetty, and still gets every frame once and in order.
 */
class WriteBatchingIT {

  @RegisterExtension
  static final RunningServer server = RunningServer.shared();

  @Test
  void aBacklogIsWrittenInBatchModeAndArrivesWholeAndInOrder() throws Exception {
    BacklogScenario.Result result = BacklogScenario.run(server.socket(), server.origin(),
        URI.create(server.origin() + "/metrics"), "write-batching");
    assertTrue(result.batchedFrames() >= BacklogScenario.SMALL_FRAMES,
        result.batchedFrames() + " frames batched of " + result.frames());
  }
}
