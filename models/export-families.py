"""Writes models/fixtures/{xlm-roberta,deberta-v2,modernbert}/: seeded random cross-encoders of each family, exported to ONNX.

Usage: /work/venv/bin/python models/export-families.py [--full OUT_DIR] [FAMILY ...]

Each folder holds what save_pretrained writes for a transformers *ForSequenceClassification (config.json with id2label,
model.safetensors), the tokenizer files, and onnx/model.onnx exported with torch.onnx as optimum does for
text-classification: inputs input_ids + attention_mask (no token_type_ids: none of these families uses them), output
logits, dynamic batch and sequence axes. After export, onnxruntime must match torch within 1e-5 on padded batches.
Deterministic (fixed seeds, one thread). --full writes the benchmark shapes (bge-reranker-base, mxbai-rerank-xsmall-v1,
gte-reranker-modernbert-base) into OUT_DIR instead; those are large and not committed.
Needs torch, transformers, safetensors, onnx and onnxruntime (pip).
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime
import torch
from transformers import (
    DebertaV2Config,
    DebertaV2ForSequenceClassification,
    ModernBertConfig,
    ModernBertForSequenceClassification,
    XLMRobertaConfig,
    XLMRobertaForSequenceClassification,
)

# transformers' ModernBERT computes its rotary tables in set() order, which the hash seed decides: pin it for stable bytes.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_TOKENIZERS = os.path.join(ROOT, "test", "fixtures", "tokenizers")
SHARED_TOKENIZERS = os.path.join(ROOT, "..", "shared", "data", "tokenizers")


def xlm_roberta(full):
    shape = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072) if full else dict(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64
    )
    tokenizer_dir = os.path.join(FIXTURE_TOKENIZERS, "xlm-roberta")
    if full:
        # Benchmark pairs must be as many tokens as bge-reranker's 250k-piece tokenizer makes them; the 4,000-piece
        # fixture makes ~2.7x as many, so convert DeBERTa-v3's 128k-piece SentencePiece model to XLM-R's layout.
        tokenizer_dir = tempfile.mkdtemp(prefix="xlmr-tokenizer-")
        atexit.register(shutil.rmtree, tokenizer_dir, True)
        spm_model = os.path.join(SHARED_TOKENIZERS, "deberta-v3", "spm.model")
        subprocess.run([sys.executable, os.path.join(ROOT, "models", "make-xlmr-tokenizer.py"), tokenizer_dir, "--spm", spm_model], check=True)
    with open(os.path.join(tokenizer_dir, "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    vocab_size = len(tokenizer["model"]["vocab"]) + sum(1 for t in tokenizer["added_tokens"] if t["id"] >= len(tokenizer["model"]["vocab"]))
    config = XLMRobertaConfig(
        vocab_size=vocab_size, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, num_labels=1, **shape,
    )
    # bge-reranker-base's tokenizer_config says model_max_length 512, as the fixture tokenizer's does.
    return XLMRobertaForSequenceClassification, config, tokenizer_dir, {}


def deberta_v2(full):
    shape = dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=6, intermediate_size=1536) if full else dict(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    # mxbai-rerank-xsmall-v1's DeBERTa-v3 settings: log-bucketed relative attention, no absolute positions, no type ids.
    # Full: mxbai-rerank-xsmall-v1's own tokenizer (DeBERTa-v3's, 128,000 pieces; its config says 128,100 ids).
    config = DebertaV2Config(
        vocab_size=128100 if full else 4001, max_position_embeddings=512, relative_attention=True, position_buckets=256,
        max_relative_positions=-1, norm_rel_ebd="layer_norm", share_att_key=True, pos_att_type=["p2c", "c2p"],
        position_biased_input=False, type_vocab_size=0, pad_token_id=0, layer_norm_eps=1e-7, hidden_act="gelu",
        pooler_hidden_size=shape["hidden_size"], pooler_hidden_act="gelu", pooler_dropout=0.0,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, num_labels=1, **shape,
    )
    tokenizer_dir = os.path.join(SHARED_TOKENIZERS if full else FIXTURE_TOKENIZERS, "deberta-v3" if full else "deberta-v2")
    return DebertaV2ForSequenceClassification, config, tokenizer_dir, {"model_max_length": 512} if full else {}


def modernbert(full):
    # Tiny: layer 0 global, layer 1 local with an 8-token window (4 each side), which test pairs exceed.
    shape = dict(
        hidden_size=768, num_hidden_layers=22, num_attention_heads=12, intermediate_size=1152, global_attn_every_n_layers=3,
        local_attention=128,
    ) if full else dict(
        hidden_size=8, num_hidden_layers=2, num_attention_heads=2, intermediate_size=16, global_attn_every_n_layers=2,
        local_attention=8,
    )
    config = ModernBertConfig(
        vocab_size=50368, max_position_embeddings=8192, pad_token_id=50283, bos_token_id=50281, eos_token_id=50282,
        cls_token_id=50281, sep_token_id=50282, classifier_pooling="mean", global_rope_theta=160000.0,
        local_rope_theta=10000.0, num_labels=1, **shape,
    )
    # gte-reranker-modernbert-base's tokenizer_config says 8192 where ModernBERT's own says 1e30.
    return ModernBertForSequenceClassification, config, os.path.join(SHARED_TOKENIZERS, "modernbert"), {"model_max_length": 8192}


FAMILIES = {"xlm-roberta": xlm_roberta, "deberta-v2": deberta_v2, "modernbert": modernbert}


def widen(model, full):
    """The default 0.02 init scores every pair alike; wider weights make scores (and mistakes) depend on the text.
    Full shapes scale each matrix by its fan-in (1.5 / sqrt(in), as models/bert-graph.ts does for MiniLM): N(0, 0.3)
    across 768 inputs and 12 layers would saturate every softmax."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith(("LayerNorm.weight", "norm.weight")):
                parameter.normal_(1, 0.1)
            elif full and parameter.dim() == 2:
                parameter.normal_(0, 1.5 / parameter.shape[1] ** 0.5)
            else:
                parameter.normal_(0, 0.3 if parameter.dim() == 2 else 0.05)


def write_tokenizer(source, out_dir, overrides):
    for name in ("tokenizer.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), os.path.join(out_dir, name))
    # Minified (same JSON): ModernBERT's pretty-printed tokenizer.json is 2.1 MB, over the fixture limit.
    tokenizer_file = os.path.join(out_dir, "tokenizer.json")
    with open(tokenizer_file, encoding="utf-8") as f:
        tokenizer = json.load(f)
    with open(tokenizer_file, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(source, "tokenizer_config.json"), encoding="utf-8") as f:
        tokenizer_config = json.load(f)
    tokenizer_config.update(overrides)
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config, f, ensure_ascii=False, indent=2)
        f.write("\n")


def batches(config, generator):
    """Padded batches of random ids between the special ids, as a tokenizer would pad them (right, pad id)."""
    out = []
    # Lengths past DeBERTa's 256 position buckets and many times ModernBERT's local window.
    for lengths in ([7], [5, 12, 3], [30, 9], [40, 40, 17, 2], [300, 90]):
        width = max(lengths)
        ids = torch.full((len(lengths), width), config.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(lengths), width), dtype=torch.long)
        for row, length in enumerate(lengths):
            ids[row, :length] = torch.randint(5, min(config.vocab_size, 4000), (length,), generator=generator)
            mask[row, :length] = 1
        out.append((ids, mask))
    return out


def export(family, out_dir, full):
    model_class, config, tokenizer_dir, tokenizer_overrides = FAMILIES[family](full)
    torch.manual_seed(1505)
    config._attn_implementation = "eager"
    model = model_class(config).eval()
    widen(model, full)
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    model.save_pretrained(out_dir)
    write_tokenizer(tokenizer_dir, out_dir, tokenizer_overrides)

    generator = torch.Generator().manual_seed(7)
    ids, mask = batches(config, generator)[1]
    onnx_file = os.path.join(out_dir, "onnx", "model.onnx")
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}}
    torch.onnx.export(
        model, (ids, mask), onnx_file, input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes=axes, opset_version=17, dynamo=False,
    )

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(onnx_file, options, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input_ids", "attention_mask"], session.get_inputs()
    worst = 0.0
    logits = []
    for ids, mask in batches(config, generator):
        with torch.no_grad():
            expected = model(input_ids=ids, attention_mask=mask).logits.numpy()
        got = session.run(["logits"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
        worst = max(worst, float(np.abs(got - expected).max()))
        logits.extend(expected[:, 0].tolist())
    assert worst <= 1e-5, f"{family}: onnxruntime differs from torch by {worst}"
    spread = float(np.std(logits))
    first, second = text_dependence(model, config, generator)
    print(
        f"{family}: onnx vs torch max |diff| {worst:.2e}; logit std over {len(logits)} padded rows {spread:.3f}; "
        f"changing only the first / second half moves the logit by {first:.3f} / {second:.3f}"
    )
    if not full:
        assert spread > 0.1 and first > 0.01 and second > 0.01, f"{family}: logits hardly vary"


def text_dependence(model, config, generator):
    """How far the logit moves when only the first, or only the second, half of a sequence changes (mean of 8)."""
    ids = torch.randint(5, min(config.vocab_size, 4000), (8, 24), generator=generator)
    other = torch.randint(5, min(config.vocab_size, 4000), (8, 12), generator=generator)
    first, second = ids.clone(), ids.clone()
    first[:, :12] = other
    second[:, 12:] = other
    with torch.no_grad():
        base, a, b = (model(input_ids=x, attention_mask=torch.ones_like(x)).logits[:, 0] for x in (ids, first, second))
    return float((a - base).abs().mean()), float((b - base).abs().mean())


def main(argv):
    full = "--full" in argv
    if full:
        at = argv.index("--full")
        base = argv[at + 1]
        argv = argv[:at] + argv[at + 2:]
    else:
        base = os.path.join(ROOT, "models", "fixtures")
    for family in argv or list(FAMILIES):
        out_dir = os.path.join(base, family)
        shutil.rmtree(out_dir, ignore_errors=True)
        export(family, out_dir, full)
        # Plain rw-r--r-- files whatever the sources' modes (the shared tokenizers are read-only, safetensors 0600).
        for folder, _, names in os.walk(out_dir):
            for name in names:
                os.chmod(os.path.join(folder, name), 0o644)


if __name__ == "__main__":
    main(sys.argv[1:])
