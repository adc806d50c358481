#!/usr/bin/env bash
# Stage 1 of the guest image: a debootstrapped Debian 12 (systemd 252, cloud-init 22.4, the cloud
# kernel) with the packages the host script uses, standing in for Amazon Linux 2023 (systemd 252,
# cloud-init 22.2). Slow (a few minutes), so cached apart from the guest's own files.
#   usage: host-vm/base.sh CACHE_DIR     prints the directory holding rootfs/, vmlinuz, initrd.img
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$1
# The AWS CLI in the guest is the one the jest suite pins (tools/test.txt): v1 reads endpoint_url
# from its config, which the guest needs to reach moto; Debian 12's packaged v2 (2.9) cannot.
awscli=$(grep -E '^awscli==' "$here/../tools/test.txt")
key=$( (cat "$0"; echo "$awscli") | sha256sum | cut -c1-16)
out="$cache/base-$key"
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
work="$cache/base-$key.partial.$$"
rootfs="$work/rootfs"
cleanup() { umount "$rootfs/proc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work"
echo "Building the host VM's base image (debootstrap from $mirror; a few minutes, once) ..." >&2
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
mount -t proc proc "$rootfs/proc"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
in_root apt-get update -qq
# cloud-init through apt, not debootstrap --include: debootstrap cannot resolve one of its virtual
# dependencies. AL2023's base image has curl, xfsprogs, python3 and util-linux too; git and jq are
# moved off the PATH in stage 2, for the fake dnf to install.
in_root apt-get install -y -qq --no-install-recommends \
  systemd-sysv udev dbus kmod linux-image-cloud-amd64 initramfs-tools cloud-init \
  python3 python3-yaml python3-venv ca-certificates curl git jq xfsprogs iproute2 procps \
  >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log" >&2; exit 1; }
# Wheels are downloaded by this machine's pip (its index and certificates), installed offline.
python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
  --python-version 3.11 --platform manylinux2014_x86_64 -d "$rootfs/tmp/wheels" "$awscli"
in_root python3 -m venv /opt/aws-cli
in_root /opt/aws-cli/bin/pip install --quiet --disable-pip-version-check --no-index --find-links /tmp/wheels "$awscli"
rm -rf "$rootfs/tmp/wheels"
ln -s /opt/aws-cli/bin/aws "$rootfs/usr/bin/aws"
in_root apt-get clean
umount "$rootfs/proc"
rm -rf "$rootfs/var/lib/apt/lists"/* "$rootfs/etc/resolv.conf"
cp "$rootfs"/boot/vmlinuz-* "$work/vmlinuz"
cp "$rootfs"/boot/initrd.img-* "$work/initrd.img"
touch "$work/done"
rm -rf "$out"
mv "$work" "$out"
echo "$out"
