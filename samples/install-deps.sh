#!/bin/bash
# Host packages thpcheck needs to build and test (Debian 12, as root).
# Idempotent: installs only what dpkg does not already have.
set -euo pipefail
pkgs=(gcc make python3 jq xz-utils cpio
      gcc-s390x-linux-gnu libc6-dev-s390x-cross binutils-s390x-linux-gnu
      gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-user-static qemu-system-misc qemu-system-data makedumpfile
      pkg-config libkdumpfile-dev libdw-dev libelf-dev libbpf-dev
      clang libclang-rt-14-dev debootstrap
      debhelper dpkg-dev fakeroot lintian parallel man-db)
need=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${need[*]}" >&2
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO env -u APT_CONFIG apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO env -u APT_CONFIG apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
