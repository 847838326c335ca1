package org.signalbox.bench.load;

import java.lang.management.ManagementFactory;

/** CPU used by the generator and by the server over one measured phase, as shares of one core. */
final class CpuClock {

  record Share(double generator, double server) {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

  private final ServerProcess server;
  private final long wall;
  private final long generator;
  private final long serverCpu;

  private CpuClock(ServerProcess server) {
    this.server = server;
    this.wall = System.nanoTime();
    this.generator = OS.getProcessCpuTime();
    this.serverCpu = server.cpuNanos();
  }

  static CpuClock start(ServerProcess server) {
    return new CpuClock(server);
  }

  Share stop() {
    double wallNanos = System.nanoTime() - wall;
    return new Share((OS.getProcessCpuTime() - generator) / wallNanos,
        (server.cpuNanos() - serverCpu) / wallNanos);
  }
}
