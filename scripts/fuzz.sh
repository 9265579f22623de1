#!/usr/bin/env bash
# Fuzzes the migration stream loader and `inspect` with Jazzer (coverage-guided, libFuzzer engine).
# Usage: scripts/fuzz.sh [seconds per target] [target...]   (default 120 s; targets: loader inspect inspectExtract)
# Each target runs in its own JVM. A finding fails the run; Jazzer stores the input under
# java/src/test/resources/org/guestmem/migration/StreamFuzzTestInputs/<target>/ where the normal test run
# replays it from then on (commit it with the fix). The generated corpus grows in java/.cifuzz-corpus/.
# The execution count of each target is printed at the end (libFuzzer's "Done N runs").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-120}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(loader inspect inspectExtract)
log="$root/build/fuzz"
mkdir -p "$log"
cd "$root"
./mvnw -q -B -pl java -am test-compile -Dguestmem.tsan.skip=true
status=0
for t in "${targets[@]}"; do
  echo "fuzz: StreamFuzzTest#$t for ${seconds}s (log: build/fuzz/$t.log)"
  if JAZZER_FUZZ=1 ./mvnw -B -o -pl java surefire:test -Dtest="StreamFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.hooks=true -Djazzer.max_duration="${seconds}s" -Djazzer.instrumentation_includes='org.guestmem.**' \
      -Djazzer.custom_hook_includes='org.guestmem.**' > "$log/$t.log" 2>&1; then
    echo "fuzz: $t: no finding; $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second\(s\)' "$log/$t.log" | tail -1)"
  else
    echo "fuzz: $t: FINDING or error, see build/fuzz/$t.log:"
    grep -E '== Java Exception|Caused by|crash-|Test unit written' "$log/$t.log" | head -20 || true
    status=1
  fi
done
exit $status
