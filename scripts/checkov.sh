#!/usr/bin/env bash
# Scans the synthesized Terraform JSON with checkov (pinned in tools/checkov.txt, installed into
# .venv/checkov by scripts/tools.sh). Fails on any failed check not listed, with its reason, in
# checkov-skips.txt.
#   usage: scripts/checkov.sh [cdktf.out]
set -euo pipefail
cd "$(dirname "$0")/.."
outdir=${1:-cdktf.out}
scripts/tools.sh checkov

# Every skip needs a reason: "CKV_ID  reason" per line; blank lines and # comments ignored.
skips=$(awk '!/^[[:space:]]*(#|$)/ { if (NF < 2) { print "checkov-skips.txt: " $1 " has no reason" > "/dev/stderr"; exit 1 } print $1 }' checkov-skips.txt | paste -sd, -)

[ -d "$outdir/stacks" ] || { echo "$outdir/stacks not found: run npm run synth first" >&2; exit 1; }
exec .venv/checkov/bin/checkov --directory "$outdir/stacks" --framework terraform_json \
  --skip-check "$skips" --compact --quiet --skip-download
