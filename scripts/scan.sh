#!/usr/bin/env bash
# Synthesizes each scanned customer file into its own folder and runs checkov over it.
#   customers/example.yaml       the defaults
#   customers/example-full.yaml  every optional feature on (TLS listener, e-mail alarms, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.js
for config in customers/example.yaml customers/example-full.yaml; do
  outdir="cdktf.out.scan/$(basename "$config" .yaml)"
  rm -rf "$outdir" && mkdir -p "${outdir%/*}"
  echo "== $config" >&2
  CUSTOMER_CONFIG=$config CDKTF_OUTDIR=$outdir node dist/main.js >/dev/null
  scripts/checkov.sh "$outdir"
done
