#!/usr/bin/env bash
# Measures what the project promises about speed (targets from the foundation issue):
#   - `npm run synth` of the example config: wall time <= 5x and peak memory <= 3x the floor,
#     a one-resource cdktf app run by plain node (scripts/bench/floor.js), measured in the same run;
#   - `npm test`: <= 90 s.
# Peak memory is the largest resident set of any process of the command (GNU time's %M).
#   usage: scripts/bench.sh [runs (default 5)] [--no-test]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
skip_test=false
for arg in "$@"; do [ "$arg" = "--no-test" ] && skip_test=true; done

# Prints "median_seconds median_kb" of `runs` runs of the command.
measure() {
  local samples
  samples=$(for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -n 1
  done)
  local mid=$(((runs + 1) / 2))
  echo "$(echo "$samples" | awk '{print $1}' | sort -n | sed -n "${mid}p") $(echo "$samples" | awk '{print $2}' | sort -n | sed -n "${mid}p")"
}

npm run synth --silent >/dev/null # warm the file cache and dist/
read -r floor_s floor_kb < <(measure node scripts/bench/floor.js)
read -r synth_s synth_kb < <(measure npm run synth --silent)

ok=true
# report <label> <value> <unit> <limit>: prints one line and remembers a missed target.
report() {
  local verdict=ok
  awk "BEGIN { exit !($2 <= $4) }" || { verdict="OVER TARGET"; ok=false; }
  printf '%-20s %6s%s (target <= %s%s)  %s\n' "$1" "$2" "$3" "$4" "$3" "$verdict"
}
printf '%-34s %8s %9s\n' "" "time (s)" "peak (MB)"
printf '%-34s %8s %9d\n' "floor: one-resource app, node" "$floor_s" $((floor_kb / 1024))
printf '%-34s %8s %9d\n' "npm run synth (example config)" "$synth_s" $((synth_kb / 1024))
time_ratio=$(awk "BEGIN { printf \"%.1f\", $synth_s / $floor_s }")
mem_ratio=$(awk "BEGIN { printf \"%.1f\", $synth_kb / $floor_kb }")
report "synth/floor time" "$time_ratio" x 5
report "synth/floor memory" "$mem_ratio" x 3

if [ "$skip_test" = false ]; then
  start=$(date +%s.%N)
  npm test --silent >/dev/null 2>&1 || { echo "npm test failed" >&2; exit 1; }
  test_s=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
  report "npm test ($(nproc) cores)" "$test_s" " s" 90
fi
[ "$ok" = true ]
