#!/usr/bin/env bash
# Proves the README's two commands on a machine with nothing installed by hand: a debootstrap'd Debian bookworm
# (minbase) chroot with only the README's prerequisites, Node.js copied from the host, a clone of HEAD + shared/ beside it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${FRESH_MACHINE_DIR:-$root/build-fresh}"
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
started=$(date +%s)
rm -rf "$work" && mkdir -p "$work"
chroot_dir="$work/root"
echo "fresh-machine: debootstrap bookworm (minbase) into ${chroot_dir#"$root"/}"
debootstrap --variant=minbase bookworm "$chroot_dir" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1
cleanup() { for m in dev/pts dev proc sys; do umount -l "$chroot_dir/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
mount --bind /dev "$chroot_dir/dev"; mount --bind /dev/pts "$chroot_dir/dev/pts"
mount -t proc proc "$chroot_dir/proc"; mount -t sysfs sys "$chroot_dir/sys"
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
# The README's prerequisites on a new machine: Node.js (copied), npm, python3, g++, make, cmake, git.
chroot "$chroot_dir" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  python3 g++ make cmake git ca-certificates >/dev/null'
# The registry this machine reaches may sit behind a local CA: give the chroot the host's trust store.
cp -aL /etc/ssl/certs/ca-certificates.crt "$chroot_dir/etc/ssl/certs/ca-certificates.crt"
# Node.js from the host: the node binary and the npm/corepack it ships, nothing else of its prefix (which may be /usr).
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
mkdir -p "$chroot_dir/usr/local/bin" "$chroot_dir/usr/local/lib/node_modules"
cp -aL "$(readlink -f "$(command -v node)")" "$chroot_dir/usr/local/bin/node"
for pkg in npm corepack; do
  [ -d "$node_prefix/lib/node_modules/$pkg" ] && cp -a "$node_prefix/lib/node_modules/$pkg" "$chroot_dir/usr/local/lib/node_modules/"
done
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$chroot_dir/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$chroot_dir/usr/local/bin/npx"
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$chroot_dir/root/.npmrc"
mkdir -p "$chroot_dir/work"
git clone -q "$root" "$chroot_dir/work/main"
cp -a "$root/../shared" "$chroot_dir/work/shared"
status=0
chroot "$chroot_dir" env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt bash -c 'cd /work/main && CI=true bash .ci/run' >"$work/ci.log" 2>&1 || status=$?
tail -n 25 "$work/ci.log"
echo "fresh-machine: .ci/run exited $status after $(( $(date +%s) - started )) s (full log: ${work#"$root"/}/ci.log)"
exit "$status"
