#!/usr/bin/env bash
# Installs the external tools the checks use, pinned, and prints nothing when they are present:
#   .venv/test     moto (AWS API for tests), AWS CLI v1, shellcheck   <- tools/test.txt
#                  actionlint (checks .github/workflows), built with Go from its pinned module
#   .venv/checkov  checkov                                             <- tools/checkov.txt
#   Debian         cloud-init (its schema check), jq (used by the host script under test)
#   terraform      must be on PATH (>= 1.11): a test renders synthesized strings with it
#   host           Debian's QEMU, debootstrap and disk tools for `npm run test:host`, plus the
#                  test venv (moto, AWS CLI)
#   usage: scripts/tools.sh [test|checkov|host]...   (default: test checkov)
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

debian_packages() { # debian_packages <command>=<package>...: install the packages whose command is missing
  local missing=() pair
  for pair; do command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}"); done
  [ ${#missing[@]} -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    echo "Install ${missing[*]} with your package manager (the tests run them)." >&2
    exit 1
  fi
  echo "Installing ${missing[*]} from Debian ..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

go_tool() { # go_tool <name> <package>@<version>: build a pinned Go tool into .venv/test/bin unless it is there
  local name=$1 package=${2%@*} version=${2##*@} bin=.venv/test/bin/$1
  if [ -x "$bin" ] && [ "$("$bin" -version 2>/dev/null | head -n 1)" = "$version" ]; then return; fi
  if ! command -v go >/dev/null; then
    echo "Go >= 1.25 is needed to build $name $version (a test checks the workflow with it): install Go," >&2
    echo "or put $name $version at $bin yourself." >&2
    exit 1
  fi
  echo "Building $name $version into .venv/test/bin ..." >&2
  GOBIN="$PWD/.venv/test/bin" GOFLAGS=-modcacherw go install "$package@$version"
}

terraform_binary() {
  command -v terraform >/dev/null && return
  echo "Terraform >= 1.11 is needed on PATH (a test renders synthesized strings with it, and the" >&2
  echo "Dify secret's write-only argument needs it to deploy): install it from HashiCorp's releases." >&2
  exit 1
}

for what in "${@:-test checkov}"; do
  for name in $what; do
    case $name in
      test)
        venv test; debian_packages cloud-init=cloud-init jq=jq; terraform_binary
        go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
        ;;
      checkov) venv checkov ;;
      host)
        venv test
        debian_packages qemu-system-x86_64=qemu-system-x86 qemu-img=qemu-utils debootstrap=debootstrap \
          socat=socat mcopy=mtools mkfs.vfat=dosfstools mkfs.ext4=e2fsprogs git=git
        ;;
      *) echo "scripts/tools.sh: unknown tool set '$name' (test, checkov, host)" >&2; exit 2 ;;
    esac
  done
done
