"""sentence-transformers' CrossEncoder.rank on a model folder's transformers weights, for test/families.test.ts.

Usage: python test/helpers/st-rank.py MODEL_DIR < {"queries": [...], "documents": [...], "top_k": K}
Prints [[{"corpus_id": i, "score": s}, ...] per query] as JSON. CPU, one thread, the folder's own configs.
The tokenizer is the folder's tokenizer.json as a fast tokenizer, the file crossrank reads: transformers 5's
DebertaV2Tokenizer rebuilds its normalizer from its own defaults (Replace, NFC, Strip) instead of tokenizer.json's
(Strip, Precompiled, Replace), so it tokenizes full-width and compatibility characters differently from transformers
4, TEI and tokenizers; the model is unchanged.
"""
import json
import sys

import torch
from sentence_transformers import CrossEncoder
from transformers import PreTrainedTokenizerFast

torch.set_num_threads(1)
request = json.load(sys.stdin)
model = CrossEncoder(sys.argv[1], device="cpu")
model[0].processor = PreTrainedTokenizerFast.from_pretrained(sys.argv[1])
results = [
    [{"corpus_id": int(hit["corpus_id"]), "score": float(hit["score"])} for hit in model.rank(query, request["documents"], top_k=request["top_k"])]
    for query in request["queries"]
]
json.dump({"max_length": model.max_length, "results": results}, sys.stdout)
