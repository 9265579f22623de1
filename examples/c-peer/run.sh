#!/usr/bin/env bash
# Builds and runs the C peer example the way a C developer would consume guestmem:
#   1. cmake --install the library into a fresh prefix (libguestmem.so, guestmem.h, guestmem.pc),
#   2. compile device.c against it with `pkg-config --cflags --libs guestmem`,
#   3. run CPeerDriver.java (JDK 25 source launcher) on the guestmem Java library, which loads
#      libcpeer.so through FFM and migrates the guest while the C device writes it.
# Usage: examples/c-peer/run.sh [prefix]   (default: a temporary directory, removed afterwards)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="${1:-$work/prefix}"

# 1. The installed C library.
cmake -S "$root" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$work/build" --target guestmem -j2 >/dev/null
cmake --install "$work/build" --prefix "$prefix" >/dev/null
echo "c-peer: installed into $prefix:"
(cd "$prefix" && find . -type f -o -type l | sort | sed 's/^/c-peer:   /')

# 2. The device model, built only from what the prefix provides.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
libdir="$(pkg-config --variable=libdir guestmem)"
cc -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -pthread -D_DEFAULT_SOURCE "$here/device.c" \
  $(pkg-config --cflags --libs guestmem) -Wl,-rpath,"$libdir" -o "$work/libcpeer.so"
echo "c-peer: built libcpeer.so with pkg-config guestmem $(pkg-config --modversion guestmem)"

# 3. The Java side. The guestmem library and its dependencies, from this build's reactor
#    (GUESTMEM_CLASSPATH overrides it, e.g. with the published guestmem jar and commons-lang3).
. "$root/scripts/find-jdk.sh"
jdk="$(guestmem_find_jdk)"
if [ -z "${GUESTMEM_CLASSPATH:-}" ]; then
  if ! (cd "$root" && ./mvnw -q -B -pl java -DskipTests -Dguestmem.tsan.skip=true package dependency:build-classpath \
        -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=runtime) >"$work/mvn.log" 2>&1; then
    cat "$work/mvn.log" >&2
    echo "c-peer: building the Java library failed (log above)" >&2
    exit 1
  fi
  GUESTMEM_CLASSPATH="$(ls "$root"/java/target/guestmem-*.jar | grep -v -e sources -e tests -e javadoc | head -1):$(cat "$work/classpath.txt")"
fi
# The pure-Java library needs no native library of its own: libguestmem.so reaches the process only
# as libcpeer.so's dependency, found through the rpath pkg-config's libdir gave it.
"$jdk/bin/java" --enable-native-access=ALL-UNNAMED -cp "$GUESTMEM_CLASSPATH" "$here/CPeerDriver.java" "$work/libcpeer.so"
