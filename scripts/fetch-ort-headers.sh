#!/usr/bin/env bash
# Fetches ONNX Runtime's C/C++ API headers from Debian's libonnxruntime-dev (trixie) into deps/onnxruntime; only headers are kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/deps/onnxruntime"
if [ -f "$dest/include/onnxruntime_cxx_api.h" ]; then
  echo "fetch-ort-headers: headers already in $dest/include"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/etc"
# A private apt configuration so the system's sources and lists stay untouched.
cat > "$work/etc/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SRC
opts=(-o "Dir::Etc::SourceList=$work/etc/sources.list" -o "Dir::Etc::SourceParts=-"
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1"
      -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
echo "fetch-ort-headers: downloading libonnxruntime-dev (Debian trixie) with apt"
apt-get "${opts[@]}" -qq update
(cd "$work" && apt-get "${opts[@]}" -qq download libonnxruntime-dev)
deb="$(ls "$work"/libonnxruntime-dev_*.deb)"
dpkg-deb -x "$deb" "$work/x"
mkdir -p "$dest/include"
cp "$work"/x/usr/include/onnxruntime/*.h "$dest/include/"
basename "$deb" > "$dest/SOURCE"
echo "fetch-ort-headers: $(ls "$dest/include" | wc -l) headers from $(cat "$dest/SOURCE") in $dest/include"
