#!/usr/bin/env bash
# Checks that the release build is reproducible: builds the project twice, offline, in two copies
# of this working tree at different paths (the files git lists, tracked or not, minus what it
# ignores: uncommitted work counts, target/ does not), built one after the other so that the clock
# and the files' times differ too. Then compares the SHA-256 of target/signalbox.war, of every
# target/signalbox-*.jar (classes, portal, sources, javadoc) and of the SBOM (target/bom.json,
# target/bom.xml), names each artifact that differs and what differs in it, and fails if any
# does. Last it checks the SBOM: bom.json is valid JSON and lists as a component every jar in the
# WAR's WEB-INF/lib (artifactId and version taken from the jar's file name).
#
# Everything it needs must already be in the local Maven repository: scripts/test.sh resolves it
# online first (its verify runs these plugins), then runs this in its offline suites.
# By hand: mvn -DskipTests verify once online, then bash scripts/reproducible-build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[reproducible-build] %s\n' "$*"; }
fail() {
  log "FAILED: $*"
  exit 1
}

# Every wait is bounded.
BUILD_TIMEOUT=${BUILD_TIMEOUT:-900}
STEP_TIMEOUT=${STEP_TIMEOUT:-120}
# scripts/test.sh runs the unit tests on their own; here no test runs at all. Not `mvn -o`: the
# SBOM's goal (cyclonedx:makeBom) declares that it needs online mode, and Maven skips it when
# offline. Offline all the same: the settings below send every repository to one that does not
# exist, so anything not in the local repository fails the build instead of being downloaded.
MVN=(mvn -B -ntp -DskipTests -Dsignalbox.unit.skip=true)

command -v git >/dev/null 2>&1 || fail "git is needed to list the working tree's files"
command -v jar >/dev/null 2>&1 || fail "the JDK's jar tool is needed to list the WAR"
if command -v jq >/dev/null 2>&1; then
  json=jq
elif command -v python3 >/dev/null 2>&1; then
  json=python3
else
  fail "jq or python3 is needed to read target/bom.json"
fi
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || fail "$PWD is not a git working tree"

work=$(mktemp -d "${TMPDIR:-/tmp}/signalbox-reproducible.XXXXXX")
build_pid=
# On any exit: end the build still running (when this script is stopped), remove the copies.
cleanup() {
  if [ -n "$build_pid" ] && kill -0 "$build_pid" 2>/dev/null; then
    kill -TERM "$build_pid" 2>/dev/null || true
    wait "$build_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'log "FAILED: interrupted"; exit 130' INT
trap 'log "FAILED: stopped by SIGTERM"; exit 143' TERM
# A command that fails unexpectedly (set -e) says which, instead of ending the script silently.
trap 'log "FAILED: line $LINENO: $BASH_COMMAND"' ERR

# Global settings, so that the user's (local repository, proxies) still apply. The mirror's id is
# central, the id the local repository records for what came from Maven Central: what is there is
# used, nothing else is fetched.
cat >"$work/no-network-settings.xml" <<EOF
<settings>
  <mirrors>
    <mirror>
      <id>central</id>
      <mirrorOf>*</mirrorOf>
      <url>file://$work/no-repository</url>
    </mirror>
  </mirrors>
</settings>
EOF
MVN+=(-gs "$work/no-network-settings.xml")

# Two copies at different paths (different lengths and depths too, so that a path that leaks into
# an artifact shows).
copies=("$work/a/signalbox" "$work/second-build/checkout/sb")
start=$SECONDS

# The files of the working tree as git sees them; a tracked file deleted in the working tree is
# listed by git but left out here.
timeout "$STEP_TIMEOUT" git ls-files -z -co --exclude-standard >"$work/files.all"
while IFS= read -r -d '' file; do
  if [ -e "$file" ] || [ -L "$file" ]; then
    printf '%s\0' "$file"
  fi
done <"$work/files.all" >"$work/files"
log "copying $(tr -cd '\0' <"$work/files" | wc -c) files of $PWD into two build directories"
for dir in "${copies[@]}"; do
  mkdir -p "$dir"
  # --touch: each copy's files get the time they were copied at, not the working tree's.
  timeout "$STEP_TIMEOUT" tar --null -T "$work/files" -cf - | timeout "$STEP_TIMEOUT" tar -xmf - -C "$dir" \
    || fail "could not copy the working tree into $dir"
done

n=0
for dir in "${copies[@]}"; do
  n=$((n + 1))
  build_start=$SECONDS
  log "build $n: ${MVN[*]} verify (in $dir)"
  # In the background, so that a signal to this script ends it at once (see cleanup).
  (cd "$dir" && exec timeout "$BUILD_TIMEOUT" "${MVN[@]}" verify) >"$work/build-$n.log" 2>&1 &
  build_pid=$!
  if ! wait "$build_pid"; then
    tail -n 60 "$work/build-$n.log"
    fail "build $n failed or took over $BUILD_TIMEOUT s (its last lines are above)"
  fi
  build_pid=
  log "build $n took $((SECONDS - build_start)) s"
done
one=${copies[0]}/target
two=${copies[1]}/target

# The artifacts: the same names in both builds, and at least the WAR, its classes jar, the
# sources and javadoc jars and the SBOM.
list_artifacts() {
  local f
  for f in "$1"/signalbox.war "$1"/signalbox-*.jar "$1"/bom.json "$1"/bom.xml; do
    if [ -f "$f" ]; then
      echo "${f##*/}"
    fi
  done | sort
}
list_artifacts "$one" >"$work/artifacts-1"
list_artifacts "$two" >"$work/artifacts-2"
if ! diff -u "$work/artifacts-1" "$work/artifacts-2" >"$work/artifacts.diff"; then
  cat "$work/artifacts.diff"
  fail "the two builds made different sets of artifacts"
fi
for expected in signalbox.war signalbox-classes.jar signalbox-sources.jar signalbox-javadoc.jar \
    bom.json bom.xml; do
  grep -qx "$expected" "$work/artifacts-1" || fail "the build made no target/$expected"
done

# What differs inside two archives: entries present in one only or whose bytes differ, then the
# listings (size, time, name, in archive order), where times and order show.
explain_zip() {
  local name=$1 x1=$work/x1/$1 x2=$work/x2/$1 entries listing
  mkdir -p "$x1" "$x2"
  (cd "$x1" && timeout "$STEP_TIMEOUT" jar xf "$one/$name") || true
  (cd "$x2" && timeout "$STEP_TIMEOUT" jar xf "$two/$name") || true
  entries=$(diff -rq "$x1" "$x2" | sed -e "s|$x1/|build 1: |g" -e "s|$x2/|build 2: |g") || true
  if [ -n "$entries" ]; then
    echo "    entries that differ ($(wc -l <<<"$entries")):"
    head -n 20 <<<"$entries" | sed 's/^/      /'
  else
    echo "    every entry has the same bytes in both; the archive itself differs:"
  fi
  listing=$(diff <(timeout "$STEP_TIMEOUT" jar tvf "$one/$name") <(timeout "$STEP_TIMEOUT" jar tvf "$two/$name")) || true
  echo "    listings (size, time, name in archive order), $(grep -c '^<' <<<"$listing" || true) lines differ; the first:"
  { grep '^<' <<<"$listing" | head -n 5; grep '^>' <<<"$listing" | head -n 5; } | sed 's/^/      /' || true
}

log "SHA-256 of each artifact (build 1 | build 2):"
differs=()
while IFS= read -r name; do
  sum1=$(sha256sum "$one/$name" | cut -d' ' -f1)
  sum2=$(sha256sum "$two/$name" | cut -d' ' -f1)
  if [ "$sum1" = "$sum2" ]; then
    printf '  same     %-28s %s\n' "$name" "$sum1"
  else
    printf '  DIFFERS  %-28s %s | %s\n' "$name" "$sum1" "$sum2"
    differs+=("$name")
  fi
done <"$work/artifacts-1"
for name in ${differs[@]+"${differs[@]}"}; do
  log "what differs in $name:"
  case "$name" in
    *.war | *.jar) explain_zip "$name" ;;
    *) diff "$one/$name" "$two/$name" | sed 's/^/      /' | head -n 40 || true ;;
  esac
done
if [ ${#differs[@]} -gt 0 ]; then
  fail "not reproducible: ${differs[*]}"
fi

# The SBOM: valid JSON, and every jar the WAR ships is one of its components.
bom=$one/bom.json
case "$json" in
  jq)
    jq empty "$bom" 2>"$work/json.err" || { cat "$work/json.err"; fail "target/bom.json is not valid JSON"; }
    jq -r '.components[]? | recurse(.components[]?) | "\(.name) \(.version)"' "$bom" >"$work/components"
    ;;
  python3)
    python3 -m json.tool "$bom" >/dev/null 2>"$work/json.err" \
      || { cat "$work/json.err"; fail "target/bom.json is not valid JSON"; }
    python3 - "$bom" >"$work/components" <<'PY'
import json, sys
def walk(components):
    for c in components or []:
        print(c.get("name"), c.get("version"))
        walk(c.get("components"))
walk(json.load(open(sys.argv[1])).get("components"))
PY
    ;;
esac
timeout "$STEP_TIMEOUT" jar tf "$one/signalbox.war" | sed -n 's|^WEB-INF/lib/\([^/]*\.jar\)$|\1|p' | sort >"$work/lib"
[ -s "$work/lib" ] || fail "the WAR has no jar in WEB-INF/lib"
missing=()
while IFS= read -r jarfile; do
  # artifactId-version.jar, as the WAR names its jars: the version starts at a '-' followed by a
  # digit. Tried from the last such '-' to the first, since an artifactId may have one too
  # (foo-2-bar-1.0.jar) and so may a version (a-1.0-beta-2.jar).
  base=${jarfile%.jar}
  rest=$base
  found=
  while [[ $rest =~ ^(.+)-([0-9].*)$ ]]; do
    artifact=${BASH_REMATCH[1]}
    version=${base#"$artifact"-}
    if grep -qxF "$artifact $version" "$work/components"; then
      found=1
      break
    fi
    rest=$artifact
  done
  # A jar with a classifier (artifactId-version-classifier.jar).
  if [ -z "$found" ] && ! awk -v base="$base" '
      index(base, $1 "-" $2 "-") == 1 { found = 1 } END { exit !found }' "$work/components"; then
    missing+=("$jarfile")
  fi
done <"$work/lib"
if [ ${#missing[@]} -gt 0 ]; then
  log "components of target/bom.json:"
  sed 's/^/  /' "$work/components"
  fail "target/bom.json does not list ${missing[*]} (from WEB-INF/lib)"
fi
log "target/bom.json is valid JSON and lists all $(wc -l <"$work/lib") jars of WEB-INF/lib ($(wc -l <"$work/components") components)"
log "reproducible: $(wc -l <"$work/artifacts-1") artifacts the same in both builds; took $((SECONDS - start)) s"
