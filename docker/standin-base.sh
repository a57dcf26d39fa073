#!/usr/bin/env bash
# TEST FALLBACK, not a release path. Makes a local stand-in for `node:20-bookworm-slim`
# when Docker Hub cannot be reached (as on the machine this project is tested on):
# a Debian bookworm root filesystem made with debootstrap (minbase, from Debian's mirror)
# plus THIS machine's Node 20 binary, its npm and its C headers, laid out as the official
# image lays them out (/usr/local/bin/node, /usr/local/lib/node_modules/npm,
# /usr/local/include/node, user `node` uid 1000). It is committed into buildah's local
# storage as docker.io/library/node:20-bookworm-slim, so docker/Dockerfile's FROM line is
# used unchanged. A lab with Docker Hub access pulls the real image instead.
#
# The debootstrapped root filesystem is cached as a tarball under
# ${LABELCHECK_CACHE:-/var/cache/labelcheck}; it is written to a temporary name and renamed
# when complete, and checked before use, so an interrupted run never leaves a broken cache.
# Usage: docker/standin-base.sh IMAGE_NAME
set -euo pipefail
image=${1:-docker.io/library/node:20-bookworm-slim}
cache=${LABELCHECK_CACHE:-/var/cache/labelcheck}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball="$cache/bookworm-minbase-rootfs.tar"

node_bin=$(command -v node)
node_version=$(node -v)
case "$node_version" in
  v20.*) ;;
  *) echo "standin-base: the stand-in needs Node 20 on this machine; found $node_version" >&2; exit 1 ;;
esac
node_prefix=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
include_dir="$node_prefix/include/node"
[ -f "$npm_dir/package.json" ] || { echo "standin-base: cannot find npm's directory (got $npm_dir)" >&2; exit 1; }
[ -f "$include_dir/node.h" ] || { echo "standin-base: cannot find Node's headers in $include_dir" >&2; exit 1; }

mkdir -p "$cache"
if [ -f "$tarball" ] && ! tar -tf "$tarball" ./etc/debian_version >/dev/null 2>&1; then
  echo "standin-base: cached root filesystem $tarball is unreadable; making it again"
  rm -f "$tarball"
fi
if [ ! -f "$tarball" ]; then
  work=$(mktemp -d /var/tmp/labelcheck-rootfs.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  echo "standin-base: debootstrap --variant=minbase bookworm from $mirror (cached in $tarball afterwards)"
  start=$(date +%s)
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # As in debian:bookworm-slim: no package lists, no apt caches.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$work/rootfs" --numeric-owner -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$work"
  trap - EXIT
  echo "standin-base: root filesystem made in $(( $(date +%s) - start )) s"
else
  echo "standin-base: using the cached bookworm root filesystem $tarball"
fi

ctr=$(buildah from --pull=never scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
mnt=$(buildah mount "$ctr")
tar -C "$mnt" --numeric-owner -xf "$tarball"
install -D -m 0755 "$node_bin" "$mnt/usr/local/bin/node"
mkdir -p "$mnt/usr/local/lib/node_modules" "$mnt/usr/local/include"
cp -a "$npm_dir" "$mnt/usr/local/lib/node_modules/npm"
cp -a "$include_dir" "$mnt/usr/local/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
# The official image's user.
chroot "$mnt" groupadd --gid 1000 node
chroot "$mnt" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$mnt" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin node -e 'process.exit(process.version.startsWith("v20.") ? 0 : 1)' \
  || { echo "standin-base: node does not run inside the bookworm root filesystem" >&2; exit 1; }
buildah umount "$ctr" >/dev/null
buildah config \
  --env NODE_VERSION="${node_version#v}" \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd node \
  --label labelcheck.standin=true \
  --label labelcheck.standin.node="$node_version" \
  "$ctr"
buildah commit --quiet --format docker --rm "$ctr" "$image" >/dev/null
trap - EXIT
echo "standin-base: committed the stand-in $image (debootstrapped bookworm + this machine's Node $node_version; NOT the official image)"
