#!/usr/bin/env bash
# Runs a command N times, each time in a fresh clone of the current HEAD (git clone into a temporary
# directory: nothing built, nothing ignored carried over), and prints each run's exit status and duration,
# then the pass count. A flaky build or verdict shows up here as a pass count below N.
#
# Usage: scripts/repeat.sh [--pass CODES] [--keep] N CMD [ARG...]
#   --pass CODES  comma-separated exit statuses that count as a pass (default 0; `--pass 0,3` for
#                 `guestmem parity`, whose 3 means inconclusive, not failed)
#   --keep        keep the clones (default: each is removed after its run)
# Each run's output goes to build/repeat/<start time>/run-K.log of this checkout; the summary is printed and
# written to summary.txt there. Exit status: 0 when every run passed, 1 otherwise, 2 for bad usage.
# Uncommitted changes are not in the clones: commit first (the script warns).
set -euo pipefail
pass=0 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pass) pass="${2:?--pass needs a list of exit statuses}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/repeat.sh [--pass CODES] [--keep] N CMD [ARG...]   (N >= 1; got: ${*:-nothing})" >&2
  exit 2
fi
[[ "$pass" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "repeat: --pass '$pass' is not a comma-separated list of exit statuses" >&2; exit 2; }
n="$1"; shift
root="$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)"
head="$(git -C "$root" rev-parse HEAD)"
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "repeat: warning: uncommitted changes in $root are not part of the runs (they use HEAD $head)" >&2
fi
logs="$root/build/repeat/$(date -u +%Y%m%dT%H%M%SZ)-$$"
mkdir -p "$logs"
summary="$logs/summary.txt"
echo "repeat: $n runs of: $* (HEAD $head, each from a fresh clone; logs in $logs)" | tee "$summary"
passed=0
codes=()
for k in $(seq 1 "$n"); do
  work="$(mktemp -d "${TMPDIR:-/tmp}/guestmem-repeat.XXXXXX")"
  start=$(date +%s.%N)
  set +e
  {
    git clone -q --no-hardlinks "$root" "$work/repo" && git -C "$work/repo" checkout -q --detach "$head" \
      && (cd "$work/repo" && "$@")
  } > "$logs/run-$k.log" 2>&1
  rc=$?
  set -e
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  ok=no
  if [[ ",$pass," == *",$rc,"* ]]; then ok=yes; passed=$((passed + 1)); fi
  codes+=("$rc")
  printf 'run %d/%d: exit %d (%s), %s s, load %s\n' "$k" "$n" "$rc" "$([ $ok = yes ] && echo pass || echo FAIL)" "$secs" "$load" | tee -a "$summary"
  if [ "$keep" = 1 ]; then echo "  clone kept: $work/repo" | tee -a "$summary"; else rm -rf "$work"; fi
done
echo "repeat: passed $passed of $n (exit statuses: ${codes[*]}; pass = ${pass//,/ or })" | tee -a "$summary"
[ "$passed" = "$n" ]
