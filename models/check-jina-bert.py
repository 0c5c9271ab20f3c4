"""Checks a generated JinaBERT graph (models/generated/tiny-jina) against a NumPy forward pass written from JinaBERT's
published architecture, independently of the TypeScript generator that built the graph.

JinaBERT (jinaai/jina-bert-implementation, used by jina-reranker-v1-tiny/turbo-en) is BERT with:
  - no position embeddings: embeddings are LayerNorm(word + token type);
  - symmetric ALiBi: each head adds -slope_h * |i - j| to its attention scores (slopes of the ALiBi paper);
  - a gated feed-forward: LayerNorm(h + W_o(GELU(h W_g[:, :I]) * (h W_g[:, I:])) + b_o), W_g without bias;
  - BERT's pooler (tanh of a dense layer on the first token) and a linear classifier.

Usage: python models/check-jina-bert.py MODEL_DIR
Prints {"pairs": n, "max_tokens": t, "max_abs_diff": d} as JSON; exits 1 when d > 1e-4.
Needs numpy, onnx, onnxruntime and tokenizers (pip).
"""
import json
import math
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper
from tokenizers import Tokenizer


def alibi_slopes(heads):
    def power_of_two(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(heads).is_integer():
        return power_of_two(heads)
    closest = 2 ** math.floor(math.log2(heads))
    return power_of_two(closest) + power_of_two(2 * closest)[0::2][: heads - closest]


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def gelu(x):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def forward(w, config, ids, types, mask):
    hidden, heads, inter = config["hidden_size"], config["num_attention_heads"], config["intermediate_size"]
    eps = config["layer_norm_eps"]
    d = hidden // heads
    batch, seq = ids.shape
    h = w["bert.embeddings.word_embeddings.weight"][ids] + w["bert.embeddings.token_type_embeddings.weight"][types]
    h = layer_norm(h, w["bert.embeddings.LayerNorm.weight"], w["bert.embeddings.LayerNorm.bias"], eps)
    distance = np.abs(np.arange(seq)[None, :] - np.arange(seq)[:, None]).astype(np.float64)
    alibi = -np.array(alibi_slopes(heads))[:, None, None] * distance[None]  # [heads, seq, seq]
    bias = (1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min + alibi[None]
    for layer in range(config["num_hidden_layers"]):
        p = f"bert.encoder.layer.{layer}"

        def dense(x, name):
            return x @ w[f"{p}.{name}.weight"] + w[f"{p}.{name}.bias"]

        def split(x):
            return x.reshape(batch, seq, heads, d).transpose(0, 2, 1, 3)

        q, k, v = (split(dense(h, f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
        h = layer_norm(dense(context, "attention.output.dense") + h, w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"], eps)
        both = h @ w[f"{p}.mlp.gated_layers.weight"]
        out = dense(gelu(both[..., :inter]) * both[..., inter:], "mlp.wo")
        h = layer_norm(out + h, w[f"{p}.mlp.layernorm.weight"], w[f"{p}.mlp.layernorm.bias"], eps)
    pooled = np.tanh(h[:, 0] @ w["bert.pooler.dense.weight"] + w["bert.pooler.dense.bias"])
    return pooled @ w["classifier.weight"] + w["classifier.bias"]


def main():
    model_dir = sys.argv[1]
    config = json.load(open(f"{model_dir}/config.json"))
    graph = onnx.load(f"{model_dir}/onnx/model.onnx")
    weights = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in graph.graph.initializer}
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    session = onnxruntime.InferenceSession(f"{model_dir}/onnx/model.onnx", providers=["CPUExecutionProvider"])
    long_text = " ".join(["the black umbrella was found on the bus near the station"] * 70)  # ~770 tokens: past BERT's 512
    batches = [
        [("lost: black umbrella", "A black umbrella was found on the bus."), ("white sneaker", "A blue backpack with black straps.")],
        [("where is the station", "Turn left after the bridge."), ("x", "y"), ("a query", long_text)],
        [(long_text, "short"), ("query", long_text[: len(long_text) // 3])],
    ]
    worst, pairs, max_tokens = 0.0, 0, 0
    for batch in batches:
        encodings = tokenizer.encode_batch(batch)
        seq = max(len(e.ids) for e in encodings)
        max_tokens = max(max_tokens, seq)
        ids = np.zeros((len(batch), seq), np.int64)
        types = np.zeros((len(batch), seq), np.int64)
        mask = np.zeros((len(batch), seq), np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            types[row, : len(e.ids)] = e.type_ids
            mask[row, : len(e.ids)] = 1
        expected = forward(weights, config, ids, types, mask.astype(np.float64))
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        got = session.run(["logits"], {i.name: feeds[i.name] for i in session.get_inputs()})[0]
        worst = max(worst, float(np.abs(got - expected).max()))
        pairs += len(batch)
    json.dump({"pairs": pairs, "max_tokens": max_tokens, "max_abs_diff": worst}, sys.stdout)
    print()
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    main()
