// Preloaded into the PeerJS server by the bench (node --expose-gc --require), and nothing else:
// on SIGUSR2 it collects garbage and appends "<heapUsed> <external> <rss>" to $PEERJS_GC_REPORT,
// so the bench reads the live heap after a GC, as it does for the JVM with jcmd.
'use strict';
const fs = require('node:fs');

process.on('SIGUSR2', () => {
  global.gc();
  const m = process.memoryUsage();
  fs.appendFileSync(process.env.PEERJS_GC_REPORT, `${m.heapUsed} ${m.external} ${m.rss}\n`);
});
