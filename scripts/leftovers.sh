# Processes a test run left behind. Sourced by scripts/test.sh, which runs end_leftovers after the
# suites, and by scripts/leftovers-test.sh, which checks it. Every test must end what it starts
# (servers, coturn, Redis, browsers), also when it fails; a process of this checkout that outlives
# the suites is a test's bug, and the run fails naming it.
#
# A process "of this checkout" has the checkout's target/ directory in its command line: the
# Surefire and Failsafe JVMs, the server distributions unpacked there, coturn and Redis with their
# files there.

# Prints "pid command line" for every live process whose command line contains $1, except this
# shell. Read from /proc with builtins only (no ps, no process per entry: on a loaded machine a
# fork costs a tenth of a second); a zombie has an empty command line and is not listed.
leftover_processes() {
  local dir=$1 proc pid parts
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    if [ "$pid" = "$$" ] || [ "$pid" = "${BASHPID:-$$}" ]; then
      continue
    fi
    mapfile -d '' -t parts 2>/dev/null <"$proc/cmdline" || continue
    case "${parts[*]}" in
      *"$dir"*) printf '%s %s\n' "$pid" "${parts[*]}" ;;
    esac
  done
}

# Waits up to $2 seconds (default 15) for the processes of $1 to end by themselves. Returns 0 if
# none is left. Otherwise prints them, ends them (SIGTERM, up to 5 s, then SIGKILL) and returns 1.
# $3 says when they were found (default "after the suites").
end_leftovers() {
  local dir=$1 grace=${2:-15} when=${3:-after the suites} found pids i
  local deadline=$((SECONDS + grace))
  found=$(leftover_processes "$dir")
  while [ -n "$found" ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
    found=$(leftover_processes "$dir")
  done
  [ -z "$found" ] && return 0
  echo "[signalbox-test] LEFTOVER PROCESSES: still running ${grace} s $when, with $dir in their command line (a test did not end what it started):"
  printf '%s\n' "$found" | cut -c1-400 | sed 's/^/[signalbox-test]   /'
  pids=$(printf '%s\n' "$found" | cut -d' ' -f1)
  # shellcheck disable=SC2086 # one pid per word
  kill -TERM $pids 2>/dev/null
  for ((i = 0; i < 25; i++)); do
    found=$(leftover_processes "$dir")
    [ -z "$found" ] && break
    sleep 0.2
  done
  if [ -n "$found" ]; then
    # shellcheck disable=SC2086
    kill -KILL $(printf '%s\n' "$found" | cut -d' ' -f1) 2>/dev/null
  fi
  echo "[signalbox-test] ended them: $(printf '%s ' $pids)"
  return 1
}
