package org.signalbox.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.signalbox.room.Membership;

/**
 * Waits, bounded, for a Redis command issued from a thread that may wait (the admin API's, the
 * event pump's): Redis that does not answer in time is {@link Membership.Unavailable}, which the
 * caller reports as such (503, a later retry).
 */
final class Blocking {

  private Blocking() {}

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(RedisConnector.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Membership.Unavailable("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new Membership.Unavailable("Redis did not answer: " + RedisConnector.rootMessage(e));
    } finally {
      NettyThreadState.release();
    }
  }
}
