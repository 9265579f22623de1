#!/usr/bin/env bash
# Runs the jcstress litmus tests of java/stress in quick mode and checks the verdicts the way
# native/harness/litmus.table states them for x86: fixed variants must pass (no forbidden outcome),
# broken variants whose failure is a store->load reordering must FAIL (so the tests are known to bite).
# Usage: scripts/jcstress-check.sh [mode]   (mode: quick (default), default, tough)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
java="$(guestmem_find_jdk)/bin/java"
mode="${1:-quick}"
jar="$root/java/stress/target/jcstress.jar"
[ -f "$jar" ] || { echo "jcstress-check: $jar missing; build with ./mvnw -DskipTests package" >&2; exit 2; }
out="$root/build/jcstress"
mkdir -p "$out"
run() { # $1 = regex, $2 = log
  (cd "$out" && "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" -m "$mode" -t "$1" \
     -jvmArgsPrepend "--enable-native-access=ALL-UNNAMED -Dguestmem.native.lib=$root/build/native/native/libguestmem.so" \
     -r "$out/results-$2" > "$out/$2.log" 2>&1) && return 0 || return 1
}
fixed='org.guestmem.stress.(SbReaderFence|SbReaderMembarrier|RcuGpFixed)$'
broken='org.guestmem.stress.SbReaderBroken$'
status=0
if run "$fixed" fixed; then echo "jcstress: fixed variants passed (no forbidden outcome)"; else
  echo "jcstress: a FIXED variant showed a forbidden outcome (see $out/fixed.log)"; status=1; fi
if run "$broken" broken; then
  echo "jcstress: SbReaderBroken never failed: the store-buffering check did not bite (see $out/broken.log)"; status=1
else
  grep -q "FAILED" "$out/broken.log" && echo "jcstress: SbReaderBroken failed as expected on this x86 CPU (store->load reordering observed)" \
    || { echo "jcstress: the broken run errored instead of failing (see $out/broken.log)"; status=1; }
fi
exit $status
