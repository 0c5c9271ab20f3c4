#!/usr/bin/env bash
# Builds and runs the libFuzzer tokenizer target for N seconds (default 60): `npm run fuzz -- 1800`.
# Installs clang with apt when missing; new corpus goes to fuzz/corpus-out/, crashes to fuzz/artifacts/; exits non-zero on a crash.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: npm run fuzz -- <seconds>   (a positive whole number, default 60)" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
cd "$root"

# libFuzzer and the ASan/UBSan runtimes are in Debian's libclang-rt-<N>-dev, which --no-install-recommends leaves out
# of clang; check for the runtime archive itself, so a machine with clang but not its runtime installs it too.
fuzzer_runtime() {
  command -v clang++ >/dev/null || return 1
  local dir
  dir="$(clang++ -print-runtime-dir 2>/dev/null)" || return 1
  [ -f "$dir/libclang_rt.fuzzer-x86_64.a" ] || [ -f "$dir/libclang_rt.fuzzer.a" ] ||
    compgen -G "$(clang++ -print-resource-dir)/lib/*/libclang_rt.fuzzer*.a" >/dev/null
}
packages=(clang libclang-rt-dev cmake)
if command -v apt-cache >/dev/null; then
  # Debian names the runtime after clang's major version (bookworm: libclang-rt-14-dev).
  major="$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)"
  [ -n "$major" ] && packages=(clang "libclang-rt-$major-dev" cmake)
fi
if ! fuzzer_runtime || ! command -v cmake >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(missing); fi
  fi
  if [ "${sudo[0]:-}" = missing ] || ! command -v apt-get >/dev/null; then
    echo "fuzz: clang with its libFuzzer/sanitizer runtime is needed; install the packages ${packages[*]} (as root: apt-get install ${packages[*]}) and run again" >&2
    exit 1
  fi
  echo "fuzz: installing ${packages[*]} with apt-get" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fuzzer_runtime || { echo "fuzz: clang's libFuzzer runtime is still missing after installing ${packages[*]}" >&2; exit 1; }
fi

# Both compilers are clang: the vendored Oniguruma is C and gets the same -fsanitize flags as the C++.
cmake -S fuzz -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" --parallel 2 >/dev/null

mkdir -p fuzz/corpus-out fuzz/artifacts
log="$build/fuzz.log"
echo "fuzz: running tokenizer_fuzzer for ${seconds}s (log: ${log#"$root"/})"
status=0
"$build/tokenizer_fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix=fuzz/artifacts/ fuzz/corpus-out fuzz/corpus >"$log" 2>&1 || status=$?

done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
if [ "$status" -ne 0 ] || [ -z "$done_line" ]; then
  tail -n 80 "$log" >&2
  echo "fuzz: FAILED (exit $status); the crashing input is in fuzz/artifacts/ — reproduce with $build/tokenizer_fuzzer <file>" >&2
  exit 1
fi
cov="$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$done_line")"
ft="$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$done_line")"
corpus="$(sed -E 's/.*corp: ([^ ]+).*/\1/' <<<"$done_line")"
echo "fuzz: ok — ${execs} executions (${rate}/s), cov: ${cov} ft: ${ft}, corpus ${corpus} units/bytes"
