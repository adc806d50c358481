#!/usr/bin/env bash
# Installs the external tools the checks use, pinned, and prints nothing when they are present:
#   .venv/test     moto (AWS API for tests), AWS CLI v1, shellcheck   <- tools/test.txt
#   .venv/checkov  checkov                                             <- tools/checkov.txt
#   Debian         cloud-init (its schema check), jq (used by the host script under test)
#   usage: scripts/tools.sh [test|checkov]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

venv() { # venv <name>: create .venv/<name> from tools/<name>.txt unless it already matches
  local dir=.venv/$1 spec=tools/$1.txt
  if [ -f "$dir/.installed" ] && cmp -s "$spec" "$dir/.installed"; then return; fi
  echo "Installing tools/$1.txt into $dir ..." >&2
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$spec"
  cp "$spec" "$dir/.installed"
}

debian_packages() {
  local missing=()
  command -v cloud-init >/dev/null || missing+=(cloud-init)
  command -v jq >/dev/null || missing+=(jq)
  [ ${#missing[@]} -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    echo "Install ${missing[*]} with your package manager (the tests run cloud-init's schema check and jq)." >&2
    exit 1
  fi
  echo "Installing ${missing[*]} from Debian ..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

for what in "${@:-test checkov}"; do
  for name in $what; do
    venv "$name"
    if [ "$name" = test ]; then debian_packages; fi
  done
done
