package org.signalbox.cluster;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Netty keeps a per-thread map in every thread that hands it work (a command written to a
 * channel takes a pooled task from it). The container's threads issue this node's Redis commands
 * (a relay runs on the thread that read its frame), so each would keep a map that holds the
 * web application's classes after an undeploy; Tomcat reports it as a leak. Dropped after every
 * hand-off from a thread Netty does not own.
 */
final class NettyThreadState {

  private NettyThreadState() {}

  static void release() {
    if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
      FastThreadLocal.removeAll();
    }
  }
}
