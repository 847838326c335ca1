#!/usr/bin/env bash
# Checks scripts/leftovers.sh on a fake checkout: a copy of sleep under <tmp>/target/ plays a
# server a test forgot. scripts/test.sh runs this before the suites; it takes about 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/leftovers.sh

fail() { echo "[leftovers-test] FAILED: $*"; exit 1; }

tmp=$(mktemp -d)
dir="$tmp/target/"
mkdir -p "$dir"
cp "$(command -v sleep)" "$dir/forgotten-server"
started=()
other=$(mktemp -d)
# Whatever this test started ends with it, also when a check fails.
cleanup() {
  [ ${#started[@]} -eq 0 ] || kill -KILL "${started[@]}" 2>/dev/null || true
  rm -rf "$tmp" "$other"
}
trap cleanup EXIT

# Nothing of the fake checkout runs: the check passes at once.
start=$SECONDS
end_leftovers "$dir" 5 >"$tmp/out" || fail "no process, but: $(cat "$tmp/out")"
[ $((SECONDS - start)) -le 1 ] || fail "took $((SECONDS - start)) s with nothing to wait for"

# One that ends within the grace is no leftover.
"$dir/forgotten-server" 0.5 &
started+=($!)
end_leftovers "$dir" 5 >"$tmp/out" || fail "a process that ended in time was reported: $(cat "$tmp/out")"
wait

# One that runs on is listed, ended, and fails the check; another checkout's process is not.
"$dir/forgotten-server" 300 &
leftover=$!
started+=("$leftover")
cp "$(command -v sleep)" "$other/unrelated"
"$other/unrelated" 300 &
unrelated=$!
started+=("$unrelated")
start=$SECONDS
if end_leftovers "$dir" 1 >"$tmp/out"; then
  fail "a leftover passed the check"
fi
took=$((SECONDS - start))
grep -q "LEFTOVER PROCESSES" "$tmp/out" || fail "no LEFTOVER line: $(cat "$tmp/out")"
grep -q "^\[signalbox-test\]   $leftover $dir/forgotten-server 300$" "$tmp/out" \
  || fail "the leftover is not named by pid and command line: $(cat "$tmp/out")"
wait "$leftover" 2>/dev/null || true
[ -z "$(leftover_processes "$dir")" ] || fail "the leftover still runs after the check"
kill -0 "$unrelated" 2>/dev/null || fail "a process outside the checkout was ended"
kill "$unrelated"
wait "$unrelated" 2>/dev/null || true
[ "$took" -le 4 ] || fail "the check took $took s with a 1 s grace"

echo "[leftovers-test] passed: a leftover is named, ended and fails the run (in ${took} s with a 1 s grace); nothing else is touched"
