#!/usr/bin/env bash
# Builds the guest that `npm run test:host` boots: the base of host-vm/base.sh plus host-vm/guest/
# (machine setup, the fakes at the outer boundaries, the test's probe), as an ext4 root image.
# The guest has no Docker, git or jq on its PATH: the fake dnf installs them when difyctl asks,
# so a first boot starts, as on AL2023, with no docker.service.
#   usage: host-vm/build-image.sh    prints the image directory (root.img, vmlinuz, initrd.img)
# Cached under $HOST_VM_CACHE by the hash of the base and of everything here.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "host-vm/build-image.sh needs root (debootstrap, chroot, mount)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
cache=${HOST_VM_CACHE:-/var/cache/amplify-dify-vpc/host-vm}
mkdir -p "$cache"
base=$("$here/base.sh" "$cache")
key=$( (echo "$base"; cat "$0"; cd "$here/guest" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)
out="$cache/image-$key"
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi
work="$cache/image-$key.partial.$$"
rootfs="$work/rootfs"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
cp -a "$base/rootfs" "$rootfs"
for bin in git jq; do
  mkdir -p "$rootfs/opt/fake-dnf/packages/$bin/usr/bin"
  mv "$rootfs/usr/bin/$bin" "$rootfs/opt/fake-dnf/packages/$bin/usr/bin/$bin"
done
cp -a "$here/guest/." "$rootfs/"
rm -f "$rootfs/README.md"
chroot "$rootfs" systemctl enable systemd-networkd vmtest-report.service >/dev/null 2>&1
chroot "$rootfs" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1
echo vmtest >"$rootfs/etc/hostname"
: >"$rootfs/etc/machine-id"
rm -rf "$rootfs/boot"/*
mkfs.ext4 -q -L root -d "$rootfs" "$work/root.img" 3G >/dev/null
rm -rf "$rootfs"
cp "$base/vmlinuz" "$base/initrd.img" "$work/"
touch "$work/done"
rm -rf "$out"
mv "$work" "$out"
# Images of earlier versions of the guest's files are never used again.
find "$cache" -maxdepth 1 -name 'image-*' ! -name "image-$key" ! -name '*.partial.*' -exec rm -rf {} +
echo "$out"
