#!/usr/bin/env python3
"""The peer of bench/gpu.sh: sentence-transformers CrossEncoder (PyTorch, fp16 on CUDA) on the pairs bench/gpu.ts wrote.

It loads the model folder's model.safetensors (models/export-safetensors.ts: the ONNX file's weights in torch layout), checks
its fp32 scores against crossrank's CPU fp32 scores, then times predict() on the same short pairs (best batch size) and
rank(query, 20 documents) one call at a time.

Usage: python3 bench/gpu_st.py --reference OUT/reference.json [--out OUT/st.json] [--device cuda]
Exit 0 when measured, or skipped because Python packages or CUDA are missing; 1 when the weights do not match or a step fails.
"""
import argparse
import json
import math
import os
import sys
import time

# fp32 on a GPU without TF32 agrees with ONNX Runtime's CPU scores to ~1e-4; a layout mistake shows as differences of ~1.
WEIGHT_TOLERANCE = 1e-2


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", required=True, help="reference.json written by bench/gpu.ts --out")
    p.add_argument("--out", default="", help="write the results here as JSON")
    p.add_argument("--device", default="cuda", help="torch device (cuda; cpu to check the weights on a machine without a GPU)")
    p.add_argument("--batch-sizes", default="32,64,128", help="predict() batch sizes to time; the best is reported")
    p.add_argument("--warmup-pairs", type=int, default=2048, help="pairs of each warm-up call (the second sizes the measurement)")
    p.add_argument("--max-pairs", type=int, default=0, help="most pairs in one measurement (default: all in reference.json)")
    return p.parse_args()


def write(args, result):
    if args.out:
        # NaN is not JSON: a NaN difference is written as null.
        clean = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in result.items()}
        with open(args.out, "w") as f:
            json.dump(clean, f)


def quantile(samples, q):
    """Nearest rank, as bench/lib/stats.ts."""
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))] if s else float("nan")


def max_abs_diff(a, b):
    diffs = [abs(float(x) - float(y)) for x, y in zip(a, b)]
    return float("nan") if any(math.isnan(d) for d in diffs) else max(diffs, default=0.0)


def main(args):
    with open(args.reference) as f:
        ref = json.load(f)
    try:
        import torch
        import sentence_transformers
        import transformers
        from sentence_transformers import CrossEncoder
    except ImportError as e:
        print(f"sentence-transformers peer skipped: {e} (it needs torch and sentence-transformers: pip install torch sentence-transformers)")
        write(args, {"status": "skipped", "message": str(e)})
        return 0
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        message = f"torch {torch.__version__} (CUDA {torch.version.cuda}) sees no CUDA device"
        print(f"sentence-transformers peer skipped: {message}")
        write(args, {"status": "skipped", "message": message})
        return 0
    weights = os.path.join(ref["model"], "model.safetensors")
    if not os.path.exists(weights):
        message = f"{weights} is missing: run npx tsx models/export-safetensors.ts {ref['model']}"
        print(f"sentence-transformers peer FAILED: {message}")
        write(args, {"status": "failed", "message": message})
        return 1

    # The weight check compares exact fp32 math; TF32 would blur it.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    gpu = torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"
    versions = {"torch": torch.__version__, "cuda": torch.version.cuda, "transformers": transformers.__version__,
                "sentence-transformers": sentence_transformers.__version__}
    print(f"sentence-transformers peer on {gpu}: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    model = CrossEncoder(ref["model"], device=args.device, max_length=ref["maxLength"])
    hf_model = model.model if hasattr(model, "model") else model
    attention = getattr(getattr(hf_model, "config", None), "_attn_implementation", "unknown")

    def predict(pairs, batch_size=32):
        return model.predict(pairs, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True)

    diff32 = max_abs_diff(predict(ref["checkPairs"]), ref["checkScores"])
    print(f"fp32 scores vs crossrank CPU fp32 on {len(ref['checkPairs'])} pairs: max |diff| {diff32:.2e}")
    if not diff32 <= WEIGHT_TOLERANCE:
        message = f"max |diff| {diff32:.3g} > {WEIGHT_TOLERANCE}: the weights in {weights} do not match the ONNX model"
        print(f"sentence-transformers peer FAILED: {message}")
        write(args, {"status": "mismatch", "message": message, "maxAbsDiffFp32": diff32})
        return 1

    # fp16 on CUDA is the peer: PyTorch's usual fast setting for inference. (.half() works across sentence-transformers versions.)
    dtype, diff = "fp32", diff32
    if args.device.startswith("cuda"):
        (model if isinstance(model, torch.nn.Module) else hf_model).half()
        dtype = "fp16"
        diff = max_abs_diff(predict(ref["checkPairs"]), ref["checkScores"])
        print(f"fp16 scores vs crossrank CPU fp32: max |diff| {diff:.2e}")
    print(f"attention implementation: {attention}")

    pool = ref["shortPairs"][: args.max_pairs or None]
    throughput = {}
    for batch_size in [int(b) for b in args.batch_sizes.split(",") if b]:
        warm = pool[: args.warmup_pairs]
        predict(warm, batch_size)
        t0 = time.perf_counter()
        predict(warm, batch_size)
        rate = len(warm) / (time.perf_counter() - t0)
        n = max(64, min(len(pool), round(rate * ref["seconds"])))
        t0 = time.perf_counter()
        predict(pool[:n], batch_size)
        throughput[batch_size] = n / (time.perf_counter() - t0)
        print(f"predict(batch_size={batch_size}): {throughput[batch_size]:.0f} short pairs/s ({n} pairs)")
    best = max(throughput, key=throughput.get)

    calls = ref["rankCalls"]
    for call in calls[:10]:
        model.rank(call["query"], call["documents"])
    latencies = []
    started = time.perf_counter()
    for i in range(ref["latencyCalls"]):
        if i >= 20 and time.perf_counter() - started > ref["latencySeconds"]:
            break
        call = calls[i % len(calls)]
        t0 = time.perf_counter()
        model.rank(call["query"], call["documents"])
        latencies.append((time.perf_counter() - t0) * 1000)
    p50, p99 = quantile(latencies, 0.5), quantile(latencies, 0.99)
    docs = len(calls[0]["documents"])
    print(f"rank(query, {docs}): p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(latencies)} calls")

    write(args, {
        "status": "ok", "device": gpu, "dtype": dtype, "attention": attention, "versions": versions,
        "maxAbsDiffFp32": diff32, "maxAbsDiff": diff,
        "throughput": {str(k): v for k, v in throughput.items()}, "bestBatchSize": best, "shortPairsPerSecond": throughput[best],
        "rankCalls": len(latencies), "rankP50Ms": p50, "rankP99Ms": p99,
    })
    return 0


if __name__ == "__main__":
    arguments = parse_args()
    try:
        sys.exit(main(arguments))
    except Exception as e:  # noqa: BLE001 - any failure is the peer's; gpu.sh goes on to its summary
        print(f"sentence-transformers peer FAILED: {type(e).__name__}: {e}")
        write(arguments, {"status": "failed", "message": f"{type(e).__name__}: {e}"})
        sys.exit(1)
