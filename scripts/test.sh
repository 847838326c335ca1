#!/usr/bin/env bash
# Runs every Signalbox test: unit tests in embedded Tyrus, then integration tests against the
# server that the README's run command starts.
#
# On a fresh machine it first installs what the tests need (skipping what is there), resolves the
# Maven build online once, then runs the suite offline inside a loopback-only network namespace
# (../shared/TESTING.md) when it can create one, so no test traffic can leave the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[signalbox-test] %s\n' "$*"; }

# Every wait is bounded: an apt or Maven step that hangs fails the run instead of eating CI.
APT_TIMEOUT=${APT_TIMEOUT:-900}
RESOLVE_TIMEOUT=${RESOLVE_TIMEOUT:-900}
TEST_TIMEOUT=${TEST_TIMEOUT:-1500}

need_packages=()
command -v mvn >/dev/null 2>&1 || need_packages+=(maven)
command -v java >/dev/null 2>&1 || need_packages+=(openjdk-17-jdk-headless)
command -v unshare >/dev/null 2>&1 || need_packages+=(util-linux)
command -v ip >/dev/null 2>&1 || need_packages+=(iproute2)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${need_packages[*]} and not root: install them, then run again"
    exit 1
  fi
  log "installing ${need_packages[*]}"
  timeout "$APT_TIMEOUT" apt-get update -q
  DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT" apt-get install -y -q "${need_packages[@]}"
fi

MVN=(mvn -B -ntp)

# Runs a preparation step quietly; on failure shows what it printed.
quietly() {
  local out
  out=$(mktemp)
  if ! "$@" >"$out" 2>&1; then
    tail -n 60 "$out"
    rm -f "$out"
    log "failed: $*"
    exit 1
  fi
  rm -f "$out"
}

# Resolving the plugins fetches the run command's Jetty plugin with its dependencies; one online
# build that runs one small test of each kind fetches the Surefire and Failsafe providers, which
# dependency:go-offline misses.
log "resolving the build online"
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" dependency:resolve-plugins dependency:resolve
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" verify \
  -Dtest=TokenBucketTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false

if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  log "running the tests offline in a loopback-only network namespace"
  exec timeout "$TEST_TIMEOUT" unshare -n bash -c 'ip link set lo up && exec "$@"' ns \
    "${MVN[@]}" -o verify
else
  log "no network namespace available (not root?): running the tests on this host's loopback"
  exec timeout "$TEST_TIMEOUT" "${MVN[@]}" verify
fi
