#!/usr/bin/env bash
# Checks the browser client's TypeScript declarations (src/main/webapp/js/webrtc-room.d.ts and
# webrtc-room-element.d.ts) with the TypeScript that src/test/typescript pins:
#
# 1. tsconfig.json: a portal written the way CLIENT.md shows the client (portal.ts) compiles under
#    `strict` against the declarations, and every wrong use in misuse.ts is refused (each line
#    has a @ts-expect-error, so declarations that decay to `any` fail here).
# 2. tsconfig.js.json, in a copy where the .js modules stand alone: the same portal compiles
#    against the JavaScript's own JSDoc types (checkJs: the modules themselves must type-check,
#    every event they dispatch against their RoomEventMap), and agreement.ts compares the
#    declarations with those types member by member: the same exports, options, event names and
#    event details, and every declared Room and element member present in the JavaScript with
#    the declared parameters and a type that keeps the declared promise.
#
# It needs no network: it uses src/test/typescript/node_modules when it holds the locked
# version, else installs it from npm's cache (npm ci --offline). scripts/test.sh runs
# `npm ci` there online first, then this in its offline suites. By hand, once online:
#   (cd src/test/typescript && npm ci) && bash scripts/typescript-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[typescript-check] %s\n' "$*"; }
fail() {
  log "FAILED: $*"
  exit 1
}

# Every wait is bounded.
INSTALL_TIMEOUT=${INSTALL_TIMEOUT:-300}
TSC_TIMEOUT=${TSC_TIMEOUT:-300}

check_dir=src/test/typescript
js_dir=src/main/webapp/js

command -v node >/dev/null 2>&1 || fail "node is needed (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || fail "npm is needed (Debian: apt-get install npm)"

# The TypeScript of the lockfile, installed already (by scripts/test.sh's online step) or now
# from npm's cache.
installed() {
  (cd "$check_dir" && node -e '
    const locked = require("./package-lock.json").packages["node_modules/typescript"].version;
    let present;
    try { present = require("./node_modules/typescript/package.json").version; } catch { process.exit(1); }
    process.exit(present === locked ? 0 : 1);
  ') 2>/dev/null
}
if ! installed; then
  log "installing TypeScript from npm's cache (npm ci --offline)"
  if ! (cd "$check_dir" && timeout "$INSTALL_TIMEOUT" npm ci --offline --no-audit --no-fund --loglevel=error); then
    fail "cannot install src/test/typescript offline: run 'npm ci' there once with the network"
  fi
  installed || fail "npm ci did not install the locked TypeScript in $check_dir/node_modules"
fi
tsc=("$PWD/$check_dir/node_modules/typescript/bin/tsc" --pretty false)
log "TypeScript $(node "${tsc[0]}" --version | sed 's/^Version //')"

start=$SECONDS
failed=()

# 1. Against the declarations, in place.
log "portal.ts and misuse.ts against the declarations (tsconfig.json)"
if ! timeout "$TSC_TIMEOUT" node "${tsc[@]}" -p "$check_dir/tsconfig.json"; then
  failed+=("portal.ts or misuse.ts against the declarations")
fi

# 2. Against the JavaScript, in a copy: the .js modules without the .d.ts beside them, the
# declarations in declared/ for agreement.ts.
work=$(mktemp -d "${TMPDIR:-/tmp}/signalbox-typescript.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$js_dir" "$work/$check_dir/declared"
cp "$js_dir"/*.js "$work/$js_dir/"
cp "$js_dir"/*.d.ts "$work/$check_dir/declared/"
cp "$check_dir"/tsconfig.json "$check_dir"/tsconfig.js.json "$check_dir"/*.ts "$work/$check_dir/"
log "portal.ts and agreement.ts against the JavaScript's JSDoc types (tsconfig.js.json, checkJs)"
status=0
(cd "$work" && timeout "$TSC_TIMEOUT" node "${tsc[@]}" -p "$check_dir/tsconfig.js.json") >"$work/out" 2>&1 || status=$?
# Its messages name the copy's files, relative to the copy: the declarations as the checkout's.
sed "s#^$check_dir/declared/#$js_dir/#" "$work/out"
if [ "$status" -ne 0 ]; then
  failed+=("portal.ts or agreement.ts against the JavaScript")
fi

if [ ${#failed[@]} -gt 0 ]; then
  summary=$(printf '%s; ' "${failed[@]}")
  fail "${summary%; } (after $((SECONDS - start)) s)"
fi
log "passed in $((SECONDS - start)) s"
