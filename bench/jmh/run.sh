#!/usr/bin/env bash
# JMH micro-benchmarks of the message path: time and bytes allocated per message.
#   bench/jmh/run.sh                    # everything, about 4 minutes on 2 cores
#   bench/jmh/run.sh Decode -i 10       # any JMH arguments: a benchmark regex, other counts
# Full table: bench/jmh/target/jmh-result.txt
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The benchmarks link against the installed signalbox-<version>-classes.jar: refresh it first.
mvn -q -f "$root/pom.xml" -DskipTests install
mvn -q -f "$here/pom.xml" package

# One core, as the comparison bench pins its servers: JIT and GC threads then share the core
# with the benchmark, as on a busy server, instead of hiding on the second core.
pin=()
if command -v taskset >/dev/null; then
  pin=(taskset -c 0)
fi

# Defaults that finish in about 4 minutes; any of them given in "$@" wins (JMH refuses repeats).
defaults=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
args=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
  given=false
  for a in "$@"; do
    [[ $a == "${defaults[k]}" ]] && given=true
  done
  $given || args+=("${defaults[k]}" "${defaults[k + 1]}")
done

cd "$here"
${pin[@]+"${pin[@]}"} java -jar target/benchmarks.jar \
  -prof gc -rf text -rff target/jmh-result.txt ${args[@]+"${args[@]}"} "$@"

# Per benchmark: time and gc.alloc.rate.norm (bytes allocated per operation).
awk '
  function score(   i) {
    for (i = 2; i <= NF; i++) if ($i == "avgt") break
    params = ""
    for (p = 2; p < i; p++) if ($p != "N/A") params = params " " $p
    return ($(i + 2) == "≈") ? "~0" : $(i + 2)
  }
  $1 !~ /:/ && / avgt / { key = $1; s = score(); keys[++n] = key params; ns[key params] = s }
  $1 ~ /:gc\.alloc\.rate\.norm$/ {
    key = $1; sub(/:.*/, "", key); s = score(); bytes[key params] = s
  }
  END {
    printf "\n%-60s %12s %12s\n", "benchmark (params)", "ns/op", "B/op"
    for (k = 1; k <= n; k++) printf "%-60s %12s %12s\n", keys[k], ns[keys[k]], bytes[keys[k]]
  }
' target/jmh-result.txt
