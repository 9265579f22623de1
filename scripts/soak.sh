#!/usr/bin/env bash
# The soak run: vCPU writers + hot-plug churn + C readers and marking C writers in the RCU domain + repeated in-process live
# migrations, checking after every migration that the destination equals the source and at the end that
# nothing leaked (see java/native-jar/src/test/java/org/guestmem/migration/SoakTest.java).
# Usage: scripts/soak.sh [seconds]   (default 600: the 10-minute run; CI uses 60, the normal test run 20)
# A progress line is printed every 30 s; the full output is in build/soak.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-600}"
mkdir -p "$root/build"
cd "$root"
./mvnw -B -pl java/native-jar -am test -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dguestmem.tsan.skip=true \
  -Dguestmem.soak.seconds="$seconds" 2>&1 | tee "$root/build/soak.log" | grep --line-buffered -E '^soak:|Tests run:|FAIL|BUILD'
