#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (gcc) into build-asan/ and runs the vitest suite
# against it: `npm run test:asan [-- vitest args]`. Any sanitizer report, from any process the tests start, fails the run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build-asan"
cd "$root"

# gcc: the addon links libasan/libubsan dynamically, so preloading them into node is all the process needs.
cxx="${CXX:-g++}"
npx cmake-js build --log-level warn --out "$out" --config RelWithDebInfo \
  --CDCROSSRANK_SANITIZE=ON --CDCMAKE_CXX_COMPILER="$cxx"
addon="$(find "$out" -name crossrank.node -type f | head -n 1)"
[ -n "$addon" ] || { echo "test:asan: no crossrank.node under $out" >&2; exit 1; }
libasan="$("$cxx" -print-file-name=libasan.so)"
libubsan="$("$cxx" -print-file-name=libubsan.so)"
for lib in "$libasan" "$libubsan"; do
  [ -f "$lib" ] || { echo "test:asan: $lib not found (install the compiler's sanitizer runtimes)" >&2; exit 1; }
done
if ! ldd "$addon" | grep -q libasan; then
  echo "test:asan: $addon is not linked against libasan" >&2
  exit 1
fi

# Reports go to files so that ones from child processes whose output a test captures are not lost.
reports="$out/reports"
rm -rf "$reports"
mkdir -p "$reports"
echo "test:asan: $addon with $(basename "$libasan") + $(basename "$libubsan")"
status=0
# detect_leaks=0: V8 and Node keep allocations until exit by design, so LeakSanitizer reports only noise.
# Everything else is ASan's default; UBSan stops at its first finding with a stack.
CROSSRANK_NATIVE_BINDING="$addon" \
  LD_PRELOAD="$libasan $libubsan" \
  ASAN_OPTIONS="detect_leaks=0:log_path=$reports/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
  npx vitest run "$@" || status=$?

if compgen -G "$reports/*" >/dev/null; then
  for report in "$reports"/*; do
    echo "---- $report" >&2
    cat "$report" >&2
  done
  echo "test:asan: FAILED: sanitizer reports above (kept in ${reports#"$root"/}/)" >&2
  exit 1
fi
[ "$status" -eq 0 ] || { echo "test:asan: the suite failed (exit $status) without a sanitizer report" >&2; exit "$status"; }
echo "test:asan: suite passed with no sanitizer report"
