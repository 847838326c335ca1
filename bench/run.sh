#!/usr/bin/env bash
# The comparison bench: Signalbox (the WAR in the run command's Jetty) and the PeerJS server, each
# pinned to core 0, the load generator pinned to core 1, inside a loopback-only network namespace.
# Then the relay at a fixed offered rate (open loop: shares of PeerJS's maximum) on PeerJS and in
# each container. Then the relay over the HTTP binding beside WebSocket, on one server per
# container (pinned as above). Then the cluster scenario: Redis and two Signalbox nodes (node A on core 0, node B on
# core 1; Redis and the generator on either core), the relay across the nodes and within each.
# Last, the same two nodes on a Redis Cluster of one master and of three (all Redis processes
# and the generator on either core). Prints one table (also written to bench/target/results.md).
# Takes about 30 minutes (29 on 2026-12-03; the open loop about 4.5 of them, the HTTP, cluster and shards parts about 14).
#   bash bench/run.sh            the whole bench
#   bash bench/run.sh --quick    a short run that checks the bench itself works (numbers not quotable)
#   bash bench/run.sh --scale N  hold N connections in the scale scenario
#   bash bench/run.sh --only cluster [--quick]   the cluster scenario alone
#   bash bench/run.sh --only relay [--containers jetty,tomcat]   the relay scenario alone per
#     container, one line each: the quick A/B of a change on the message path (~1 minute each)
#   bash bench/run.sh --only shards [--quick]   two nodes on a Redis Cluster of 1 and of 3 masters:
#     the cross-node relay shard by shard, the nodes' periodic Redis work, and the Redis cost of
#     join, drop, resume and leave (its tables also in bench/target/results-shards.md; ~5 minutes)
#   bash bench/run.sh --only http [--containers jetty,tomcat] [--quick]   the HTTP binding's relay
#     beside WebSocket's alone (its table also in bench/target/results-http.md)
#   bash bench/run.sh --only openloop [--containers jetty] [--rate N] [--percents 25,50,75]
#     [--without-peerjs] [--quick]
#     the relay at a fixed offered rate, shares of PeerJS's maximum (measured first in 5 s unless
#     --rate gives it), on PeerJS and Signalbox in each container (table also in
#     bench/target/results-openloop.md; about 1 minute per server). The full run includes it.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"

need() { command -v "$1" >/dev/null 2>&1; }
install_missing() {
  local missing=()
  need mvn || missing+=(maven)
  need javac || missing+=(openjdk-17-jdk-headless)
  need taskset || missing+=(util-linux)
  need unshare || missing+=(util-linux)
  need ip || missing+=(iproute2)
  need node || missing+=(nodejs)
  need redis-server || missing+=(redis-server)
  need npm || missing+=(npm)
  if ((${#missing[@]})); then
    echo "bench: installing ${missing[*]}"
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}"
  fi
}
install_missing
if (($(nproc) < 2)); then
  echo "bench: needs two cores (server on one, load generator on the other)" >&2
  exit 1
fi

version() { sed -n "s:.*<$1>\\(.*\\)</$1>.*:\\1:p" "$root/pom.xml" | head -1; }
jetty_version="$(version jetty.version)"
tomcat_version="$(version tomcat.version)"
echo "bench: building the WAR and the bench (Jetty $jetty_version, Tomcat $tomcat_version)"
timeout 900 mvn -q -B -f "$root/pom.xml" -DskipTests package
timeout 900 mvn -q -B -f "$bench/pom.xml" -Djetty.version="$jetty_version" \
  -Dtomcat.version="$tomcat_version" package
if [[ ! -d "$bench/peerjs/node_modules/peer" ]]; then
  echo "bench: installing the PeerJS server from npm"
  (cd "$bench/peerjs" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi

classes="$bench/target/classes"
classpath="$classes:$(cat "$bench/target/classpath.txt")"
echo "bench: node $(node --version), $(java -version 2>&1 | head -1)"
exec unshare -n bash -c 'ip link set lo up && exec "$@"' ns \
  timeout 3600 taskset -c 1 java -cp "$classpath" org.signalbox.bench.load.Bench \
  --war "$root/target/signalbox.war" --jetty-xml "$root/src/main/jetty/jetty-graceful.xml" \
  --classpath "$classpath" \
  --tomcat-classpath "$classes:$(cat "$bench/target/classpath-tomcat.txt")" \
  --undertow-classpath "$classes:$(cat "$bench/target/classpath-undertow.txt")" \
  --peerjs "$bench/peerjs" \
  --work "$bench/target" "$@"
