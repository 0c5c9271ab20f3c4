"""sentence-transformers' CrossEncoder.rank on a model folder's transformers weights, for test/families.test.ts.

Usage: python test/helpers/st-rank.py MODEL_DIR < {"queries": [...], "documents": [...], "top_k": K}
Prints [[{"corpus_id": i, "score": s}, ...] per query] as JSON. CPU, one thread, the folder's own configs.
"""
import json
import sys

import torch
from sentence_transformers import CrossEncoder

torch.set_num_threads(1)
request = json.load(sys.stdin)
model = CrossEncoder(sys.argv[1], device="cpu")
results = [
    [{"corpus_id": int(hit["corpus_id"]), "score": float(hit["score"])} for hit in model.rank(query, request["documents"], top_k=request["top_k"])]
    for query in request["queries"]
]
json.dump({"max_length": model.max_length, "results": results}, sys.stdout)
