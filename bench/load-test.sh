#!/usr/bin/env bash
# Load-tests a running Signalbox deployment (starts no server):
#   bash bench/load-test.sh wss://rtc.example.org/signal --rooms 10 --peers 4 --rate 400 \
#     --duration 30 --token-secret "$SECRET"
#   bash bench/load-test.sh --help     every option, and the exit status rule
# Builds the bench module on first use (needs Maven and a JDK 17), then runs
# org.signalbox.bench.loadtest.LoadTest. LOAD_TEST_JAVA_OPTS adds JVM options.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
classes="$bench/target/classes"
classpath_file="$bench/target/classpath.txt"
main_class="$classes/org/signalbox/bench/loadtest/LoadTest.class"

if [[ ! -f "$main_class" || ! -f "$classpath_file" ]]; then
  command -v mvn >/dev/null 2>&1 || { echo "load-test: needs Maven (mvn) to build itself" >&2; exit 2; }
  echo "load-test: building the bench module (once)" >&2
  timeout 900 mvn -q -B -f "$bench/pom.xml" -DskipTests package >&2
fi
# shellcheck disable=SC2086 # LOAD_TEST_JAVA_OPTS is a list of options
exec java ${LOAD_TEST_JAVA_OPTS:-} -cp "$classes:$(cat "$classpath_file")" \
  org.signalbox.bench.loadtest.LoadTest "$@"
