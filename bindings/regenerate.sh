#!/usr/bin/env bash
# Regenerates bindings/src/main/java/org/guestmem/bindings from native/include/guestmem.h,
# limited to the allow-list bindings/symbols.txt. Never edit the generated files by hand.
#
# With jextract (22+) on PATH this runs the exact command below. Without it, it runs
# bindings/generator/JextractShape.java, which writes the same shape (header class
# guestmem_h with NAME$descriptor/NAME$handle/NAME$address and a wrapper per function,
# one class per struct with layout/FIELD$layout/FIELD$offset/accessors) and learns constant
# values and struct offsets from the C compiler, as jextract learns them from clang.
# Either way, BindingParityTest checks the result against what the compiler reports.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bindings/src/main/java"
includes=()
while read -r kind name _; do
  case "$kind" in
    function) includes+=(--include-function "$name") ;;
    struct)   includes+=(--include-struct "$name" --include-typedef "$name") ;;
    constant) includes+=(--include-constant "$name") ;;
  esac
done < <(grep -v '^\s*#' "$root/bindings/symbols.txt" | grep -v '^\s*$')

rm -f "$out"/org/guestmem/bindings/*.java
if command -v jextract >/dev/null 2>&1; then
  jextract --output "$out" \
    --target-package org.guestmem.bindings \
    --header-class-name guestmem_h \
    --use-system-load-library \
    "${includes[@]}" \
    "$root/native/include/guestmem.h"
else
  . "$root/scripts/find-jdk.sh"
  jdk="$(guestmem_find_jdk)"
  echo "jextract not found: generating jextract's shape with bindings/generator/JextractShape.java" >&2
  "$jdk/bin/java" "$root/bindings/generator/JextractShape.java" "$root"
fi
echo "bindings written to $out/org/guestmem/bindings" >&2
