#!/usr/bin/env bash
# Builds this example against the guestmem artifacts in the local Maven repository (run
# `./mvnw -B -DskipTests install` at the top first) and runs it the two ways a user can:
# on the module path and on the class path. No system property, no native library path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/scripts/find-jdk.sh"
JAVA_HOME="$(guestmem_find_jdk)" || exit 1
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

mvn -B -q -f "$here/pom.xml" package
# What the library and the native jar drag in: commons-lang3 and nothing else.
deps="$(mvn -B -f "$here/pom.xml" dependency:list -DincludeScope=runtime -DexcludeGroupIds=org.guestmem 2>/dev/null \
        | sed -n 's/^\[INFO\]    \([^ ]*\).*/\1/p' | sort -u)"
echo "consumer: third-party runtime dependencies: ${deps:-none}"
if [ "$(echo "$deps" | grep -c .)" != 1 ] || ! echo "$deps" | grep -q '^org.apache.commons:commons-lang3:'; then
  echo "consumer: expected commons-lang3 as the only third-party dependency" >&2
  exit 1
fi

app="$here/target/classes"
deps_path="$(cat "$here/target/deps.txt")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== module path"
java --enable-native-access=org.guestmem,org.guestmem.nativeshim \
  -p "$app:$deps_path" -m org.guestmem.example.consumer/org.guestmem.example.Consumer "$work/module.stream" 2>&1 | tee "$work/module.log"
echo "== class path"
java --enable-native-access=ALL-UNNAMED \
  -cp "$app:$deps_path" org.guestmem.example.Consumer "$work/classpath.stream" 2>&1 | tee "$work/classpath.log"
# A clean run on either path: no JDK native-access warning, no guestmem flag hint.
if grep -q "WARNING\|native access is not enabled" "$work/module.log" "$work/classpath.log"; then
  echo "consumer: a run printed a native-access warning (above)" >&2
  exit 1
fi
echo "consumer: both paths OK"
