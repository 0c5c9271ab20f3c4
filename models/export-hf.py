"""Exports a Hugging Face BertForSequenceClassification to ONNX as transformers + torch.onnx do, for the fusion tests.

Usage: python models/export-hf.py TOKENIZER_DIR OUT_DIR eager|sdpa

Seeded random weights in the tiny architecture (4 heads of 16, 2 layers); OUT_DIR gets config.json, the tokenizer files
of TOKENIZER_DIR and onnx/model.onnx. Needs torch, transformers and onnx (test/real-export.test.ts skips without them).
"""
import os
import shutil
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification

tokenizer_dir, out_dir, attention = sys.argv[1:4]
torch.manual_seed(1505)
config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, num_labels=1)
config._attn_implementation = attention
model = BertForSequenceClassification(config).eval()
with torch.no_grad():
    for name, parameter in model.named_parameters():
        # BERT's 0.02 init scores every pair alike; wider weights and biases make scores (and mistakes) visible.
        parameter.normal_(0, 0.3 if parameter.dim() == 2 else 0.05)
        if name.endswith("LayerNorm.weight"):
            parameter.add_(1)

os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
    if os.path.exists(os.path.join(tokenizer_dir, name)):
        shutil.copy(os.path.join(tokenizer_dir, name), os.path.join(out_dir, name))
config.save_pretrained(out_dir)
ids = torch.randint(1000, 2000, (2, 9))
mask = torch.ones_like(ids)
mask[1, 6:] = 0
axes = {name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids")}
torch.onnx.export(
    model,
    (ids, mask, torch.zeros_like(ids)),
    os.path.join(out_dir, "onnx", "model.onnx"),
    input_names=["input_ids", "attention_mask", "token_type_ids"],
    output_names=["logits"],
    dynamic_axes={**axes, "logits": {0: "batch"}},
    opset_version=17,
    dynamo=False,
)
