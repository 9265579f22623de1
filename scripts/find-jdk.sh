# Sourced by ./mvnw and ./guestmem. Prints the home of a JDK whose feature version is >= 25.
guestmem_jdk_feature() {  # $1 = a JDK home; prints its feature version or nothing
  local rel="$1/release" v
  [ -x "$1/bin/javac" ] || return 1
  if [ -f "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  fi
  [ -n "$v" ] && echo "$v"
}
guestmem_find_jdk() {
  local need=25 v best="" bestv=0 d
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(guestmem_jdk_feature "$JAVA_HOME" || true)
    if [ -n "$v" ] && [ "$v" -ge "$need" ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for d in /usr/lib/jvm/* /usr/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$d" ] || continue
    v=$(guestmem_jdk_feature "$d" || true)
    if [ -n "$v" ] && [ "$v" -ge "$need" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  echo "guestmem needs a JDK $need or newer (the FFM API is final since 22; the library targets 25)." >&2
  echo "  JAVA_HOME=${JAVA_HOME:-<unset>} is not one, and none was found under /usr/lib/jvm." >&2
  echo "  Install one (e.g. Temurin 25) and/or set JAVA_HOME to it." >&2
  return 1
}
