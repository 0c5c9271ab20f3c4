#!/usr/bin/env bash
# One prepared GPU benchmark, for a Linux machine with an NVIDIA GPU and no network: builds what is missing, generates
# models/generated/minilm-l6 with an fp16 copy (and safetensors weights for PyTorch), checks which GPU providers can start,
# times crossrank on CPU, CUDA fp32, CUDA fp16 and TensorRT fp16 (bench/gpu.ts) and sentence-transformers fp16 where Python
# has it (bench/gpu_st.py), then prints the ratios and the goals (bench/gpu-summary.ts). All of it within --budget seconds.
#
# Usage: bash bench/gpu.sh [--quick] [--out DIR] [--budget SECONDS] [--rows cpu,cuda,cuda-fp16,tensorrt-fp16] [-- bench/gpu.ts flags]
#   --quick   a few pairs per measurement: checks the script end to end (e.g. on a machine without a GPU)
#   --out     folder for gpu.log and the JSON results (default: a new folder under $TMPDIR or /tmp)
# Exit: 0 every row ran; 3 a requested GPU provider cannot start (its row is skipped; the messages say what to install);
#       1 a step failed (build, model generation, a row, the peer's weight check); 4 the time budget ran out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
out=""
budget=570 # seconds: 10 minutes less a margin
rows="cpu,cuda,cuda-fp16,tensorrt-fp16"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=$2; shift ;;
    --budget) budget=$2; shift ;;
    --rows) rows=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/crossrank-gpu.XXXXXX")}
mkdir -p "$out"
out=$(cd "$out" && pwd)

MODEL=models/generated/minilm-l6
FP16_FILE=onnx/model_fp16.onnx
ORT_DEFAULT=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
TSX=(node node_modules/tsx/dist/cli.mjs) # not npx, which may try the registry, nor the .bin link, which copies may lack
PYTHON=${PYTHON:-python3}
deadline=$((SECONDS + budget))
failed=0
out_of_time=0

# timed RESERVE MAX CMD...: runs CMD for at most MAX seconds (0: no cap) and within the budget left, less RESERVE seconds
# kept for the steps after it.
timed() {
  local reserve=$1 max=$2
  shift 2
  local limit=$((deadline - SECONDS - reserve)) capped=0
  if [ "$max" -gt 0 ] && [ "$max" -lt "$limit" ]; then limit=$max capped=1; fi
  if [ "$limit" -lt 5 ]; then
    echo "gpu.sh: no time left in the ${budget} s budget for: $*"
    out_of_time=1
    return 124
  fi
  local rc=0
  timeout --kill-after=10 "$limit" "$@" || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    if [ "$capped" = 1 ]; then
      echo "gpu.sh: stopped after ${limit} s, longer than this step may take: $*"
    else
      echo "gpu.sh: stopped after ${limit} s to stay within the ${budget} s budget: $*"
      out_of_time=1
    fi
  fi
  return "$rc"
}

machine() {
  echo "== Machine"
  uname -srm
  grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || true
  echo "$(nproc) CPUs, Node $(node --version)"
  if command -v nvidia-smi > /dev/null; then
    timeout 20 nvidia-smi -L || true
    timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    timeout 20 nvidia-smi | grep -o 'CUDA Version: [0-9.]*' || true
  else
    echo "nvidia-smi not found: no NVIDIA driver here, so the CUDA and TensorRT rows cannot run"
  fi
  if command -v nvcc > /dev/null; then nvcc --version | tail -n 2; fi
}

build() {
  echo "== Build"
  if [ ! -d node_modules ]; then
    echo "gpu.sh: node_modules is missing; this machine may be offline, so run npm ci where the registry is reachable and copy node_modules here"
    return 1
  fi
  # npm run build is build:native + build:ts; each runs only when its output is missing.
  if compgen -G 'build/Release/*.node' > /dev/null; then
    echo "addon: $(ls build/Release/*.node)"
  elif ! timed 240 240 npm run build:native; then
    if compgen -G 'prebuilds/linux-x64/*.node' > /dev/null; then
      echo "gpu.sh: the native build failed; going on with the prebuild $(ls prebuilds/linux-x64/*.node)"
    else
      echo "gpu.sh: the native build failed: it needs cmake, a C++17 compiler, the ONNX Runtime headers (deps/, /usr/include/onnxruntime or ONNXRUNTIME_ROOT) and Node's headers cached for cmake-js"
      return 1
    fi
  fi
  if [ -d dist ]; then
    echo "dist/: present"
  elif ! timed 240 120 npm run build:ts; then
    echo "gpu.sh: the TypeScript build failed; going on, since the benchmark runs src/ through tsx"
  fi
}

models() {
  echo "== Models"
  # models/generate.ts is `npm run models`.
  if [ -f "$MODEL/onnx/model.onnx" ]; then echo "$MODEL: present"; else timed 200 120 "${TSX[@]}" models/generate.ts || return 1; fi
  local fp32=$MODEL/onnx/model.onnx fp16=$MODEL/$FP16_FILE
  if [ -f "$fp16" ] && [ "$fp16" -nt "$fp32" ]; then echo "$fp16: present"; else timed 200 120 "${TSX[@]}" models/to-fp16.ts "$fp32" "$fp16" || return 1; fi
  if [ "$have_st" = 1 ]; then
    if [ -f "$MODEL/model.safetensors" ] && [ "$MODEL/model.safetensors" -nt "$fp32" ]; then
      echo "$MODEL/model.safetensors: present"
    else
      timed 200 120 "${TSX[@]}" models/export-safetensors.ts "$MODEL" || return 1
    fi
  fi
}

# Whether the dynamic loader finds library $1: on LD_LIBRARY_PATH or in the ld.so cache (read once).
ld_cache=""
have_lib() {
  local dir
  local IFS=:
  for dir in ${LD_LIBRARY_PATH:-}; do [ -n "$dir" ] && [ -e "$dir/$1" ] && return 0; done
  [ -n "$ld_cache" ] || ld_cache=$(ldconfig -p 2> /dev/null | awk '{print $1}')
  grep -qxF "$1" <<< "$ld_cache"
}

# Where to get library $1.
hint() {
  case $1 in
    libonnxruntime_providers_*) echo "ONNX Runtime's GPU provider libraries: with network, ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node; or unpack onnxruntime-linux-x64-gpu-<version>.tgz (github.com/microsoft/onnxruntime/releases) and set CROSSRANK_ORT_LIBRARY=<it>/lib/libonnxruntime.so.1" ;;
    libcudnn*) echo "cuDNN 9 for CUDA 12: apt install libcudnn9-cuda-12 (NVIDIA's CUDA repository), or pip install nvidia-cudnn-cu12" ;;
    libnvinfer* | libnvonnxparser*) echo "TensorRT 10: apt install libnvinfer10 libnvinfer-plugin10 libnvonnxparsers10 (NVIDIA's repository), or pip install tensorrt-cu12-libs" ;;
    *) echo "the CUDA 12 runtime: apt install cuda-libraries-12-<minor> (NVIDIA's repository), or pip install nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-curand-cu12" ;;
  esac
}

# Folders that may hold CUDA, cuDNN and TensorRT libraries off the loader path: the CUDA toolkit and Python's NVIDIA wheels.
extra_lib_dirs() {
  local d
  for d in /usr/local/cuda/lib64 /usr/local/cuda-12*/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do [ -d "$d" ] && echo "$d"; done
  if command -v "$PYTHON" > /dev/null; then
    "$PYTHON" - 2> /dev/null << 'EOF' || true
import glob, importlib.util, os
for name in ("nvidia", "tensorrt_libs"):
    spec = importlib.util.find_spec(name)
    for root in (spec.submodule_search_locations or []) if spec else []:
        for d in [root, *glob.glob(os.path.join(root, "*", "lib"))]:
            print(d)
EOF
  fi
}

# An ONNX Runtime build with the CUDA provider beside it, outside node_modules (e.g. an unpacked GPU release).
find_gpu_ort() {
  local provider dir
  while read -r provider; do
    dir=$(dirname "$provider")
    for lib in "$dir/libonnxruntime.so.1" "$dir/libonnxruntime.so"; do
      if [ -e "$lib" ]; then echo "$lib"; return 0; fi
    done
    echo "  (found $provider, but no libonnxruntime.so beside it: a Python wheel's providers cannot be borrowed)" >&2
  done < <(timeout 20 find /opt /usr/local /usr/lib /root /home -maxdepth 6 -name libonnxruntime_providers_cuda.so -not -path "$PWD/*" 2> /dev/null)
  return 1
}

# Prints what provider $1 lacks (files beside the ONNX Runtime library in $2, libraries the loader cannot find), grouped by
# where to get them, leaving out what an earlier provider's lines named; returns 1 when something is missing.
reported=" "
missing_for() {
  local provider=$1 dir=$2 f lib missing=0 earlier=0 hint_text
  local files=(libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so)
  local libs=(libcudart.so.12 libcublas.so.12 libcublasLt.so.12 libcudnn.so.9)
  declare -A by_hint=()
  if [ "$provider" = tensorrt ]; then
    files+=(libonnxruntime_providers_tensorrt.so)
    libs+=(libnvinfer.so.10)
  fi
  local lacking=()
  for f in "${files[@]}"; do
    if [ ! -e "$dir/$f" ]; then
      lacking+=("$f")
    else
      # Whatever else the provider library links to and the loader cannot resolve.
      for lib in $(ldd "$dir/$f" 2> /dev/null | awk '/not found/ {print $1}'); do libs+=("$lib"); done
    fi
  done
  for lib in $(printf '%s\n' "${libs[@]}" | sort -u); do have_lib "$lib" || lacking+=("$lib"); done
  for f in ${lacking[@]+"${lacking[@]}"}; do
    missing=1
    case $reported in *" $f "*) earlier=1; continue ;; esac
    reported+="$f "
    hint_text=$(hint "$f")
    by_hint[$hint_text]+=" $f"
  done
  for hint_text in "${!by_hint[@]}"; do echo "  $provider: missing${by_hint[$hint_text]} -> $hint_text"; done
  [ "$earlier" = 0 ] || echo "  $provider: also lacks what the lines above name"
  return "$missing"
}

providers() {
  echo "== GPU providers"
  if [ -z "${CROSSRANK_ORT_LIBRARY:-}" ] && [ ! -e "$(dirname "$ORT_DEFAULT")/libonnxruntime_providers_cuda.so" ]; then
    local found
    if found=$(find_gpu_ort); then
      echo "onnxruntime-node has no GPU providers; using the GPU build at $found"
      export CROSSRANK_ORT_LIBRARY=$found
    fi
  fi
  local ort=${CROSSRANK_ORT_LIBRARY:-$ORT_DEFAULT}
  echo "ONNX Runtime library: $ort${CROSSRANK_ORT_LIBRARY:+ (CROSSRANK_ORT_LIBRARY)}"
  # The providers' CUDA libraries are resolved by the dynamic loader, which reads LD_LIBRARY_PATH when node starts:
  # add the folders that hold a library the loader cannot find otherwise.
  local dir f added=""
  while read -r dir; do
    for f in "$dir"/lib*.so*; do
      [ -e "$f" ] || continue
      if ! have_lib "$(basename "$f")"; then
        export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir
        added+=" $dir"
        break
      fi
    done
  done < <(extra_lib_dirs)
  [ -z "$added" ] || echo "added to LD_LIBRARY_PATH for this run (CUDA toolkit / Python NVIDIA wheels):$added"
  local provider
  for provider in cuda tensorrt; do
    case ",$rows," in *",$provider"*) ;; *) continue ;; esac
    if missing_for "$provider" "$(dirname "$ort")"; then
      echo "  $provider: libraries found; crossrank's load below is the final check"
    else
      echo "  $provider: rows will be skipped unless crossrank's load below finds them after all (provider files are looked" \
        "for beside $(dirname "$ort")/, libraries on LD_LIBRARY_PATH and in the ld.so cache)"
    fi
  done
}

peer_check() {
  have_st=0
  if command -v "$PYTHON" > /dev/null && "$PYTHON" -c 'import torch, sentence_transformers' 2> /dev/null; then
    have_st=1
    echo "Python peer: $("$PYTHON" -c 'import torch, sentence_transformers as st; print(f"torch {torch.__version__} (CUDA {torch.version.cuda}, GPU available: {torch.cuda.is_available()}), sentence-transformers {st.__version__}")')"
  else
    echo "Python peer: skipped, no $PYTHON with torch and sentence-transformers (pip install torch sentence-transformers)"
  fi
}

run_all() {
  local rc=0 bench_flags=() peer_flags=()
  if [ "$quick" = 1 ]; then
    bench_flags=(--seconds 0.5 --warmup-pairs 32 --max-pairs 256 --latency-calls 5 --latency-seconds 1 --check-pairs 10)
    peer_flags=(--warmup-pairs 32 --max-pairs 256 --batch-sizes 32)
  fi
  echo "crossrank GPU benchmark: rows $rows, budget ${budget} s, results in $out"
  machine
  peer_check
  build || return 1
  models || return 1
  providers

  echo "== crossrank (bench/gpu.ts)"
  # The peer needs ~2 minutes on a GPU (torch import, CUDA start, three batch sizes); keep it that much when it will run.
  local reserve=20
  [ "$have_st" = 0 ] || reserve=150
  timed "$reserve" 0 "${TSX[@]}" bench/gpu.ts --rows "$rows" --out "$out" ${bench_flags[@]+"${bench_flags[@]}"} ${extra[@]+"${extra[@]}"} || rc=$?
  case $rc in
    0) ;;
    3) unavailable=1 ;;
    124 | 137) ;;
    *) failed=1 ;;
  esac

  if [ "$have_st" = 1 ] && [ -f "$out/reference.json" ]; then
    echo "== sentence-transformers (bench/gpu_st.py)"
    rc=0
    timed 15 0 "$PYTHON" bench/gpu_st.py --reference "$out/reference.json" --out "$out/st.json" ${peer_flags[@]+"${peer_flags[@]}"} || rc=$?
    case $rc in 0 | 124 | 137) ;; *) failed=1 ;; esac
  fi

  echo
  timeout 30 "${TSX[@]}" bench/gpu-summary.ts "$out" || true
  echo "Log and JSON: $out"
  if [ "$failed" = 1 ]; then return 1; fi
  if [ "$out_of_time" = 1 ]; then return 4; fi
  if [ "$unavailable" = 1 ]; then return 3; fi
  return 0
}

unavailable=0
set +e
run_all 2>&1 | tee "$out/gpu.log"
code=${PIPESTATUS[0]}
exit "$code"
