package org.signalbox.bench.load;

import java.lang.management.ManagementFactory;

/**
 * CPU used by the generator, by the server and by everything else on the machine over one
 * measured phase, as shares of one core. The last says whether other work (another engineer's
 * build) took CPU from the two the bench pins itself to.
 */
final class CpuClock {

  record Share(double generator, double server, double others) {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

  private final ServerProcess server;
  private final long wall;
  private final long generator;
  private final long serverCpu;
  private final long machine;

  private CpuClock(ServerProcess server) {
    this.server = server;
    this.wall = System.nanoTime();
    this.generator = OS.getProcessCpuTime();
    this.serverCpu = server.cpuNanos();
    this.machine = ServerProcess.machineCpuNanos();
  }

  static CpuClock start(ServerProcess server) {
    return new CpuClock(server);
  }

  Share stop() {
    double wallNanos = System.nanoTime() - wall;
    long generatorNanos = OS.getProcessCpuTime() - generator;
    long serverNanos = server.cpuNanos() - serverCpu;
    long othersNanos = ServerProcess.machineCpuNanos() - machine - generatorNanos - serverNanos;
    return new Share(generatorNanos / wallNanos, serverNanos / wallNanos,
        Math.max(0, othersNanos) / wallNanos);
  }
}
