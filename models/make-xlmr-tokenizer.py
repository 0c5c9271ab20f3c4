"""Makes test/fixtures/tokenizers/xlm-roberta/: a small XLM-RoBERTa tokenizer with the real layout, for CI without Python.

Usage: /path/to/venv/bin/python models/make-xlmr-tokenizer.py [OUT_DIR] [--spm MODEL_FILE]
Needs sentencepiece, tokenizers, transformers and protobuf (pip). Deterministic: the same packages give the same files.

A SentencePiece Unigram model (4,000 pieces, XLM-R's trainer settings: nmt_nfkc, dummy prefix, extra whitespace
removed, no byte fallback) is trained on text of many scripts made here, then converted by transformers'
XLMRobertaConverter with an XLMRobertaTokenizer as its original tokenizer, as a real XLM-R tokenizer.json is made:
Precompiled charsmap, Strip + Replace(" {2,}"), Metaspace, <s> $A </s> </s> $B </s>, <s>=0 <pad>=1 </s>=2 <unk>=3,
<mask> last. The corpus is the hand-written sentences below plus pseudo-sentences of whole words drawn (seeded) from
bert-base-multilingual-cased's vocabulary in ../shared/data/tokenizers, grouped by script so that each script's words
co-occur.

--spm converts the given SentencePiece Unigram model instead of training one: models/export-families.py --full uses it
on DeBERTa-v3's 128,000-piece spm.model for its bge-reranker-base-shaped benchmark model, whose pairs must be as long
in tokens as a real XLM-R tokenizer makes them (the 4,000-piece fixture cuts English into ~2.7x as many pieces), since
XLM-R's own 250,002-piece file could not be had here.
"""
import json
import os
import random
import sys
import tempfile
import unicodedata

import sentencepiece as spm
from transformers import XLMRobertaTokenizer
from transformers.convert_slow_tokenizer import XLMRobertaConverter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "test", "fixtures", "tokenizers", "xlm-roberta")
MBERT = os.path.join(ROOT, "..", "shared", "data", "tokenizers", "bert-base-multilingual-cased", "tokenizer.json")
VOCAB_SIZE = 4000

# Hand-written sentences, one language a line; ligatures, full-width forms and odd spaces give nmt_nfkc work to do.
SENTENCES = [
    "The quick brown fox jumps over the lazy dog while the reranker scores each passage.",
    "Where is the nearest railway station? It is two streets from the old market square.",
    "Der schnelle braune Fuchs springt über den faulen Hund, während die Suche Ergebnisse ordnet.",
    "Wie viele Dokumente müssen wir heute noch prüfen, bevor die Straßenbahn fährt?",
    "Le renard brun rapide saute par-dessus le chien paresseux près de la rivière.",
    "Où se trouve la bibliothèque municipale ? Elle est à côté de l'hôtel de ville.",
    "El rápido zorro marrón salta sobre el perro perezoso junto a la estación.",
    "¿Cuántos años tiene tu hermana? Creo que cumplirá veinte en el otoño.",
    "A rápida raposa marrom pula sobre o cão preguiçoso na praça da cidade.",
    "La volpe marrone veloce salta sopra il cane pigro vicino alla piazza.",
    "De snelle bruine vos springt over de luie hond bij het station.",
    "Szybki brązowy lis przeskakuje nad leniwym psem obok dworca.",
    "Rychlá hnědá liška skáče přes líného psa u nádraží.",
    "Hızlı kahverengi tilki tembel köpeğin üzerinden atlar ve istasyona koşar.",
    "Быстрая коричневая лиса перепрыгивает через ленивую собаку у вокзала.",
    "Где находится ближайшая библиотека? Она рядом с театром.",
    "Швидка коричнева лисиця перестрибує через ледачого пса біля вокзалу.",
    "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο στον σταθμό.",
    "השועל החום המהיר קופץ מעל הכלב העצלן ליד התחנה.",
    "الثعلب البني السريع يقفز فوق الكلب الكسول بالقرب من المحطة.",
    "أين تقع المكتبة العامة؟ إنها بجانب المسجد الكبير.",
    "روباه قهوه‌ای سریع از روی سگ تنبل می‌پرد.",
    "तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर से कूदती है और स्टेशन की ओर भागती है।",
    "দ্রুত বাদামী শিয়াল অলস কুকুরের উপর দিয়ে লাফ দেয়।",
    "வேகமான பழுப்பு நரி சோம்பேறி நாயின் மேல் குதிக்கிறது.",
    "สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจที่สถานีรถไฟ",
    "ສຸນັກຈອກສີນ້ຳຕານໂດດຂ້າມໝາຂີ້ຄ້ານ",
    "ဝံပုလွေညိုသည် ပျင်းရိသောခွေးကို ခုန်ကျော်သည်။",
    "ស្វាលឿនលោតរំលងឆ្កែខ្ជិល។",
    "素早い茶色の狐は怠け者の犬を飛び越えて駅へ走った。",
    "東京駅から図書館までは歩いて十分ほどです。カタカナのテキストもあります。",
    "敏捷的棕色狐狸跳过了懒狗，然后跑向火车站。",
    "我們今天需要檢查多少份文件？請在下午三點前完成。",
    "빠른 갈색 여우가 게으른 개를 뛰어넘어 기차역으로 달려갔다.",
    "도서관은 시청 옆에 있습니다. 한국어 문장도 포함합니다.",
    "Nhanh chóng con cáo nâu nhảy qua con chó lười biếng ở nhà ga.",
    "Mbweha mwepesi wa kahawia anaruka juu ya mbwa mvivu karibu na kituo.",
    "Ang mabilis na kayumangging soro ay tumalon sa tamad na aso.",
    "Rubah coklat yang cepat melompati anjing malas di dekat stasiun.",
    "Sionnach donn tapa a léim thar an madra leisciúil.",
    "Hurtig brun ræv springer over den dovne hund ved stationen.",
    "Nopea ruskea kettu hyppää laiskan koiran yli aseman vieressä.",
    "Gyors barna róka átugrik a lusta kutya felett az állomásnál.",
    "სწრაფი ყავისფერი მელა ზარმაც ძაღლს გადაახტა.",
    "Արագ շագանակագույն աղվեսը ցատկում է ծույլ շան վրայով։",
    "ፈጣኑ ቡናማ ቀበሮ ሰነፉን ውሻ ዘለለ።",
    "ᐊᖏᕐᕋᒧᑦ ᐅᖃᐅᓯᖅ ᐃᓄᒃᑎᑐᑦ",
    "Full-width ＡＢＣ１２３ and ligatures ﬁ ﬂ ﬀ, circled ① ② ③, superscripts x² y³, fractions ½ ¼.",
    "Spaces\u3000ideographic\u00a0no-break\u2009thin and tabs\tbetween words.",
    "Emoji 😀 👍🏽 👨‍👩‍👧 🇫🇷 and symbols © ® ™ € £ ¥ are part of web text.",
    "Numbers 2024, 3.14159, 1,000,000 and dates 2026-12-03 appear in queries.",
    "Combining marks: e\u0301 a\u0300 o\u0308 n\u0303 and precomposed é à ö ñ.",
]


def script_of(word):
    """A coarse script key: the first word of the first letter's Unicode name (LATIN, CYRILLIC, CJK, ...)."""
    for ch in word:
        if ch.isalpha():
            return unicodedata.name(ch, "UNKNOWN").split(" ")[0]
    return None


def pseudo_sentences(rng):
    with open(MBERT, encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    groups = {}
    for word in sorted(vocab):
        if word.startswith("##") or word.startswith("[") or len(word) < 2:
            continue
        key = script_of(word)
        if key:
            groups.setdefault(key, []).append(word)
    lines = []
    for key in sorted(groups):
        words = groups[key]
        for _ in range(min(400, 4 * len(words))):
            lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(4, 12))))
    rng.shuffle(lines)
    return lines


def write_corpus(tmp):
    """The training text of both fixture tokenizers (this one and make-deberta-tokenizer.py's), written in tmp."""
    rng = random.Random(14)
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for _ in range(20):
            f.write("\n".join(SENTENCES) + "\n")
        f.write("\n".join(pseudo_sentences(rng)) + "\n")
    return corpus


def train(tmp):
    """Trains the small multi-script SentencePiece model of the CI fixture in tmp and returns its file."""
    prefix = os.path.join(tmp, "sentencepiece.bpe")
    spm.SentencePieceTrainer.train(
        input=write_corpus(tmp),
        model_prefix=prefix,
        model_type="unigram",
        vocab_size=VOCAB_SIZE,
        character_coverage=0.9995,
        normalization_rule_name="nmt_nfkc",
        add_dummy_prefix=True,
        remove_extra_whitespaces=True,
        split_by_whitespace=True,
        byte_fallback=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        seed_sentencepiece_size=200000,
        minloglevel=2,
    )
    return prefix + ".model"


def write(spm_file, out):
    """Converts a SentencePiece Unigram model into an XLM-R tokenizer.json with its config files in out."""
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # transformers 5's XLMRobertaTokenizer is the original tokenizer the converter reads ids and options from;
        # the converter itself reads the SentencePiece proto from vocab_file.
        original = XLMRobertaTokenizer.from_pretrained(tmp, vocab_file=spm_file)
        original.vocab_file = spm_file
        tokenizer = XLMRobertaConverter(original).converted()

    # <mask> as XLM-R's hub tokenizer.json has it: special, lstrip, not normalized.
    from tokenizers import AddedToken

    tokenizer.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in ("<s>", "<pad>", "</s>", "<unk>")]
        + [AddedToken("<mask>", special=True, normalized=False, lstrip=True)]
    )
    tokenizer.save(os.path.join(out, "tokenizer.json"), pretty=True)

    special = {
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False, "single_word": False},
        "pad_token": "<pad>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
    }
    with open(os.path.join(out, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(special, f, indent=2, ensure_ascii=False)
        f.write("\n")
    config = {
        "bos_token": "<s>",
        "clean_up_tokenization_spaces": True,
        "cls_token": "<s>",
        "eos_token": "</s>",
        "mask_token": "<mask>",
        "model_max_length": 512,
        "pad_token": "<pad>",
        "sep_token": "</s>",
        "tokenizer_class": "XLMRobertaTokenizer",
        "unk_token": "<unk>",
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main(argv):
    spm_file = None
    if "--spm" in argv:
        at = argv.index("--spm")
        spm_file = argv[at + 1]
        argv = argv[:at] + argv[at + 2:]
    out = argv[0] if argv else DEFAULT_OUT
    with tempfile.TemporaryDirectory() as tmp:
        write(spm_file or train(tmp), out)


if __name__ == "__main__":
    main(sys.argv[1:])
