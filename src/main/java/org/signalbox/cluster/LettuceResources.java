package org.signalbox.cluster;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's client resources, with the threads they started, so that a stop returns only once
 * those threads have ended. Netty completes an executor's termination future from inside its
 * thread, moments before the thread ends; Tomcat checks for the application's threads right after
 * {@code contextDestroyed} and reported such a thread as a leak on undeploy.
 */
final class LettuceResources {

  /** How long a stop waits for Lettuce, its threads included. */
  private static final long STOP_MS = 3_000;

  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final ClientResources resources;

  LettuceResources(int ioThreads, int computationThreads) {
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(ioThreads)
        .computationThreadPoolSize(computationThreads)
        .threadFactoryProvider(this::recording)
        .build();
  }

  ClientResources resources() {
    return resources;
  }

  /** Shuts the resources down and waits for their threads, at most {@link #STOP_MS} in all. */
  void shutdown() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MS);
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(STOP_MS);
    for (Thread thread : threads) {
      long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (leftMs <= 0) {
        break;
      }
      try {
        thread.join(leftMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    threads.removeIf(thread -> !thread.isAlive());
  }

  /** Netty's own factory (its threads keep fast thread-locals), noting each thread it makes. */
  private ThreadFactory recording(String pool) {
    ThreadFactory netty = new DefaultThreadFactory(pool, true);
    return task -> {
      Thread thread = netty.newThread(task);
      threads.add(thread);
      return thread;
    };
  }
}
