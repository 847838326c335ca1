#!/usr/bin/env bash
# Runs every Signalbox test: unit tests in embedded Tyrus; integration tests and browser tests
# (headless Chromium) against the server that the README's run command starts; then the server
# suites: the built WAR deployed by Arquillian into Tomcat 10.1, Tomcat 11, WildFly and Payara
# Micro (one Maven profile each); and the browser client's TypeScript declarations
# (scripts/typescript-check.sh). It fails when a test leaves a process running
# (scripts/leftovers.sh).
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
TEST_TIMEOUT=${TEST_TIMEOUT:-2400}

need_packages=()
command -v mvn >/dev/null 2>&1 || need_packages+=(maven)
command -v java >/dev/null 2>&1 || need_packages+=(openjdk-17-jdk-headless)
command -v unshare >/dev/null 2>&1 || need_packages+=(util-linux)
command -v ip >/dev/null 2>&1 || need_packages+=(iproute2)
# The browser tests: Debian's Chromium and its ChromeDriver (../shared/TESTING.md).
[ -x /usr/lib/chromium/chromium ] || need_packages+=(chromium)
[ -x /usr/bin/chromedriver ] || need_packages+=(chromium-driver)
# The TURN tests: a real coturn.
[ -x /usr/bin/turnserver ] || need_packages+=(coturn)
# The cluster tests: a real Redis. The tests start their own on free loopback ports; the Debian
# package's system service is never used.
[ -x /usr/bin/redis-server ] || need_packages+=(redis-server)
# The Redis Cluster tests make their cluster with redis-cli --cluster create.
[ -x /usr/bin/redis-cli ] || need_packages+=(redis-tools)
# The TypeScript declarations' check: Node.js runs the compiler that npm installs.
command -v node >/dev/null 2>&1 || need_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || need_packages+=(npm)
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

# The check that fails the run when a test leaves a process behind, checked on a fake one.
log "checking the leftover-process check"
quietly timeout 60 bash scripts/leftovers-test.sh
. scripts/leftovers.sh
# A process of an earlier run that was cut short would hold ports and be blamed on this one.
end_leftovers "$PWD/target/" 0 "before the suites (from an earlier run)" || true

# Resolving the plugins fetches the run command's Jetty plugin with its dependencies; one online
# build that runs one small test of each kind fetches the Surefire and Failsafe providers, which
# dependency:go-offline misses. Its package also runs the release plugins (sources, javadoc, the
# CycloneDX SBOM), so the reproducible-build suite finds all it needs in the local repository.
log "resolving the build online"
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" dependency:resolve-plugins dependency:resolve
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" verify \
  -Dtest=TokenBucketTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false
# Each server profile's adapter, and its distribution, fetched and unpacked into target/servers.
export TEST_SERVERS="tomcat tomcat11 wildfly payara"
for server in $TEST_SERVERS; do
  log "resolving the $server suite online"
  quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" -P"$server" verify -Dsignalbox.unit.skip=true \
    -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false
done

# The TypeScript compiler that src/test/typescript's lockfile pins, into its node_modules, so that
# scripts/typescript-check.sh needs no network in the suites.
log "installing the TypeScript check's compiler (src/test/typescript, npm ci)"
command -v npm >/dev/null 2>&1 || { log "npm is needed for the TypeScript check: install it (Debian: npm)"; exit 1; }
quietly timeout "$RESOLVE_TIMEOUT" bash -c 'cd src/test/typescript && npm ci --no-audit --no-fund'
# The Node.js packages the Java tests run (src/test/node: the Standard Webhooks reference verifier).
log "installing the tests' Node.js packages (src/test/node, npm ci)"
quietly timeout "$RESOLVE_TIMEOUT" bash -c 'cd src/test/node && npm ci --no-audit --no-fund'

# The benchmarks are not run here (bench/run.sh takes minutes and wants both cores to itself),
# but they must keep building against the code they measure.
log "building the benchmarks (bench/, bench/jmh/)"
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" -DskipTests install
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" -f bench/pom.xml package
quietly timeout "$RESOLVE_TIMEOUT" "${MVN[@]}" -f bench/jmh/pom.xml package

# The suites, one after the other in one shell, so that they share the namespace and its limits.
# Every suite runs even when one fails; the summary names them, and the exit code is theirs.
read -r -d '' SUITES <<'SCRIPT' || true
set -u
failed=()
run() {
  local name=$1; shift
  local start=$SECONDS
  echo "[signalbox-test] suite $name"
  if "$@"; then
    echo "[signalbox-test] suite $name passed in $((SECONDS - start)) s"
  else
    echo "[signalbox-test] suite $name FAILED after $((SECONDS - start)) s"
    failed+=("$name")
  fi
}
# The client's TypeScript declarations against a portal's use and against the JavaScript (a few
# seconds, no network: the compiler was installed above).
run "typescript declarations" bash scripts/typescript-check.sh
# The release artifacts (sources, javadoc, SBOM) are built, twice, by the reproducible-build check
# below; the suites skip them.
NO_RELEASE=(-Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dcyclonedx.skip=true)
run "unit and run command" "$@" "${NO_RELEASE[@]}" verify
for server in $TEST_SERVERS; do
  run "$server" "$@" -P"$server" -Dsignalbox.unit.skip=true "${NO_RELEASE[@]}" verify
done
# The release artifacts (WAR, jars, SBOM) built twice in two copies of the checkout, compared
# byte for byte, and the SBOM checked against the WAR's libraries. It uses no network either.
run "reproducible build" bash scripts/reproducible-build.sh
# Every process a test starts ends with the test, also when it fails. What is still running
# with this checkout's target/ in its command line after a short grace is listed, ended, and
# fails the run.
. scripts/leftovers.sh
if ! end_leftovers "$PWD/target/" "${LEFTOVER_GRACE:-15}"; then
  failed+=("leftover processes")
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "[signalbox-test] failed: ${failed[*]}"
  exit 1
fi
echo "[signalbox-test] all suites passed"
SCRIPT

if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  log "running the tests offline in a loopback-only network namespace"
  exec timeout "$TEST_TIMEOUT" unshare -n bash -c 'ip link set lo up && exec bash -c "$0" suites "$@"' \
    "$SUITES" "${MVN[@]}" -o
else
  log "no network namespace available (not root?): running the tests on this host's loopback"
  exec timeout "$TEST_TIMEOUT" bash -c "$SUITES" suites "${MVN[@]}"
fi
