"""Makes test/fixtures/tokenizers/deberta-v2/: a small DeBERTa-v2/v3 tokenizer with the real layout, for CI without Python.

Usage: /path/to/venv/bin/python models/make-deberta-tokenizer.py [OUT_DIR]
Needs sentencepiece, tokenizers, transformers and protobuf (pip). Deterministic: the same packages give the same files.

A SentencePiece Unigram model (4,000 pieces, DeBERTa-v3's trainer settings read from its spm.model: nmt_nfkc, dummy
prefix, extra whitespace removed, byte fallback, [PAD]=0 [CLS]=1 [SEP]=2 [UNK]=3) is trained on the corpus of
make-xlmr-tokenizer.py, then converted by transformers' DebertaV2Converter with a DebertaV2Tokenizer as its original
tokenizer, as a real DeBERTa tokenizer.json is made: Strip + Precompiled + Replace(" {2,}"), Metaspace,
[CLS] $A [SEP] $B:1 [SEP]:1, [MASK] last.
"""
import importlib.util
import json
import os
import sys
import tempfile

import sentencepiece as spm
from transformers import DebertaV2Tokenizer
from transformers.convert_slow_tokenizer import DebertaV2Converter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "test", "fixtures", "tokenizers", "deberta-v2")
VOCAB_SIZE = 4000


def xlmr_script():
    """The corpus (SENTENCES, pseudo_sentences) lives in make-xlmr-tokenizer.py; one corpus for both fixtures."""
    spec = importlib.util.spec_from_file_location("make_xlmr", os.path.join(ROOT, "models", "make-xlmr-tokenizer.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    xlmr = xlmr_script()
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "spm")
        spm.SentencePieceTrainer.train(
            input=xlmr.write_corpus(tmp),
            model_prefix=prefix,
            model_type="unigram",
            vocab_size=VOCAB_SIZE,
            character_coverage=0.9999,
            normalization_rule_name="nmt_nfkc",
            add_dummy_prefix=True,
            remove_extra_whitespaces=True,
            split_by_whitespace=True,
            split_by_unicode_script=True,
            split_by_number=True,
            split_digits=False,
            byte_fallback=True,
            pad_id=0,
            bos_id=1,
            eos_id=2,
            unk_id=3,
            pad_piece="[PAD]",
            bos_piece="[CLS]",
            eos_piece="[SEP]",
            unk_piece="[UNK]",
            num_threads=1,
            seed_sentencepiece_size=200000,
            minloglevel=2,
        )
        spm_file = prefix + ".model"
        # As in make-xlmr-tokenizer.py: the slow tokenizer gives ids and options, the converter reads vocab_file.
        original = DebertaV2Tokenizer.from_pretrained(tmp, vocab_file=spm_file, do_lower_case=False, split_by_punct=False)
        original.vocab_file = spm_file
        tokenizer = DebertaV2Converter(original).converted()

    # [MASK] as the hub's deberta-v3 tokenizer.json has it: special, not normalized, after the pieces.
    from tokenizers import AddedToken

    tokenizer.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in ("[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]")]
    )
    tokenizer.save(os.path.join(OUT, "tokenizer.json"), pretty=True)

    config = {
        "bos_token": "[CLS]",
        "cls_token": "[CLS]",
        "do_lower_case": False,
        "eos_token": "[SEP]",
        "mask_token": "[MASK]",
        "model_max_length": 512,
        "pad_token": "[PAD]",
        "sep_token": "[SEP]",
        "split_by_punct": False,
        "tokenizer_class": "DebertaV2Tokenizer",
        "unk_token": "[UNK]",
    }
    with open(os.path.join(OUT, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
