// The reranker families (models/fixtures: XLM-R, DeBERTa-v2, ModernBERT; models/generated/tiny-jina: JinaBERT): scores
// against tokenizers + onnxruntime-node, batched against single, the model facts crossrank reads, derived models, and
// rank() against sentence-transformers (JinaBERT: the graph against a NumPy forward pass) where Python has them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { cloneModel, maxAbsDiff } from './helpers/models';
import { type TextPair, ordinaryPairs } from './helpers/pairs';
import { mulberry32 } from './helpers/random';
import { referenceScores } from './helpers/reference';

const FIXTURES = path.resolve(__dirname, '..', 'models', 'fixtures');
const GENERATED = path.resolve(__dirname, '..', 'models', 'generated');

interface Family {
  name: string;
  dir: string;
  /** The graph's inputs, as the export declares them. */
  inputs: string[];
  /** Whether sentence-transformers can load it (JinaBERT's modelling code is remote code, not in transformers). */
  sentenceTransformers: boolean;
  /** What sentence-transformers takes: tokenizer_config's model_max_length (bge 512, mxbai 512, gte-modernbert 8192). */
  maxLength: number;
  /** From max_position_embeddings alone (XLM-R: 514 less pad_token_id + 1). */
  positions: number;
  padId: number;
  /** Whether optimize: true has something to do (XLM-R's attention is BERT's; DeBERTa's relative-position gathers narrow; ModernBERT's rotary attention neither). */
  optimizable: boolean;
}

const EXPORTED = { inputs: ['input_ids', 'attention_mask'], sentenceTransformers: true };
const FAMILIES: readonly Family[] = [
  { name: 'xlm-roberta', dir: path.join(FIXTURES, 'xlm-roberta'), ...EXPORTED, maxLength: 512, positions: 512, padId: 1, optimizable: true },
  { name: 'deberta-v2', dir: path.join(FIXTURES, 'deberta-v2'), ...EXPORTED, maxLength: 512, positions: 512, padId: 0, optimizable: true },
  { name: 'modernbert', dir: path.join(FIXTURES, 'modernbert'), ...EXPORTED, maxLength: 8192, positions: 8192, padId: 50283, optimizable: false },
  // ALiBi attention biases are not BERT's attention pattern: optimize refuses rather than fuse without them.
  {
    name: 'jina-bert',
    dir: path.join(GENERATED, 'tiny-jina'),
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'],
    sentenceTransformers: false,
    maxLength: 8192,
    positions: 8192,
    padId: 0,
    optimizable: false,
  },
];

// One or two sentences per language and script; accents, combining marks, RTL, CJK without spaces, emoji.
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog near the riverbank.',
  'How long does it take to charge an electric car at home?',
  'Der schnelle braune Fuchs springt über den faulen Hund.',
  'Wie viele Einwohner hat München im Jahr 2024?',
  'Le café est fermé le dimanche, mais la boulangerie reste ouverte.',
  "Où se trouve la gare la plus proche d'ici ?",
  'El niño comió una manzana roja después de la escuela.',
  '¿Cuál es la capital de Perú y cuántos habitantes tiene?',
  'A cidade de São Paulo é a maior do Brasil.',
  'Il treno per Firenze parte alle otto e un quarto.',
  'De fiets staat achter het huis bij de schuur.',
  'Zażółć gęślą jaźń, powiedział nauczyciel z uśmiechem.',
  'Příliš žluťoučký kůň úpěl ďábelské ódy.',
  'Árvíztűrő tükörfúrógép a műhelyben.',
  'İstanbul Boğazı üzerindeki köprüler geceleri ışıklandırılır.',
  'Hà Nội là thủ đô của Việt Nam, nổi tiếng với phở.',
  'Москва — столица России, крупнейший город страны.',
  'Сколько времени нужно, чтобы выучить русский язык?',
  'Київ розташований на берегах Дніпра.',
  'Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.',
  'العربية لغة رسمية في أكثر من عشرين دولة.',
  'كم يستغرق السفر من القاهرة إلى الإسكندرية؟',
  'עברית נכתבת מימין לשמאל.',
  'فارسی زبان رسمی ایران است.',
  'भारत की राजधानी नई दिल्ली है।',
  'मुझे हिंदी सीखना बहुत पसंद है।',
  'বাংলা ভাষা বাংলাদেশের রাষ্ট্রভাষা।',
  'தமிழ் மிகவும் பழமையான மொழிகளில் ஒன்று.',
  'ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ',
  'ქართული ენა ძალიან ლამაზია.',
  'Հայերենը հնդեվրոպական լեզու է։',
  '北京是中华人民共和国的首都。',
  '请问附近有没有便宜的酒店？',
  '東京は日本の首都で、人口が非常に多いです。',
  'ラーメンと寿司、どちらが好きですか？',
  '서울은 대한민국의 수도입니다.',
  '한국어를 배우는 것은 재미있어요.',
  'Emoji test 😀🎉👍🏽 and a family 👨‍👩‍👧 in one line.',
  'Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ and ligatures ﬁ ﬂ, with odd\u00a0spaces\u2003here.',
  'Price: $1,299.99 (incl. 19% VAT) — call +49 30 1234567 or mail info@example.com.',
];

/** Query + document pairs of mixed scripts; one in eight documents is long enough to be cut at 512 tokens. */
function multilingualPairs(n: number, seed: number): TextPair[] {
  const rng = mulberry32(seed);
  const pick = (): string => SENTENCES[Math.floor(rng() * SENTENCES.length)] as string;
  const out: TextPair[] = [];
  for (let i = 0; i < n; i++) {
    const query = pick();
    const sentences = rng() < 0.125 ? 40 + Math.floor(rng() * 40) : 1 + Math.floor(rng() * 5);
    const doc = Array.from({ length: sentences }, pick).join(' ');
    // Now and then the long text comes first, so longest_first trims either side.
    out.push(rng() < 0.2 ? [doc, query] : [query, doc]);
  }
  return out;
}

const PAIRS: TextPair[] = [...ordinaryPairs(1000, 41), ...multilingualPairs(1000, 43)];

function firstLogits(logits: Float32Array[]): Float32Array {
  return Float32Array.from(logits, (l) => l[0] as number);
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

function spread(values: Float32Array): number {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length);
}

const clones: string[] = [];
afterAll(() => clones.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe.each(FAMILIES)('$name fixture', { timeout: 300_000 }, (family) => {
  const { dir } = family;
  let model: CrossEncoder;
  let reference: Float32Array;
  let batched: Float32Array | undefined;

  beforeAll(async () => {
    model = await CrossEncoder.load(dir, { activation: 'identity' });
    reference = firstLogits(await referenceScores(dir, PAIRS, { maxLength: family.maxLength }));
  }, 300_000);
  afterAll(() => model?.close());

  it('scores 2,000 ordinary and multilingual pairs within 1e-4 of tokenizers + onnxruntime-node', async () => {
    batched = await model.score(PAIRS);
    expect(maxAbsDiff(batched, reference)).toBeLessThanOrEqual(1e-4);
    // Random weights that score every pair alike would prove nothing.
    expect(spread(reference)).toBeGreaterThan(0.05);
  });

  it('gives the same scores in one call and one pair at a time (within 1e-5)', async () => {
    batched ??= await model.score(PAIRS);
    const single = new Float32Array(PAIRS.length);
    for (let i = 0; i < PAIRS.length; i++) single[i] = (await model.score([PAIRS[i] as TextPair]))[0] as number;
    expect(maxAbsDiff(batched, single)).toBeLessThanOrEqual(1e-5);
  });

  it('truncates at maxLength 64 like the reference', async () => {
    const pairs = PAIRS.filter((_, i) => i % 5 === 0);
    const short = await CrossEncoder.load(dir, { activation: 'identity', maxLength: 64 });
    try {
      expect(short.maxLength).toBe(64);
      const expected = firstLogits(await referenceScores(dir, pairs, { maxLength: 64 }));
      expect(maxAbsDiff(await short.score(pairs), expected)).toBeLessThanOrEqual(1e-4);
    } finally {
      await short.close();
    }
  });

  it('reads the family facts: max length, pad id, graph inputs without token_type_ids', async () => {
    expect(model.maxLength).toBe(family.maxLength);
    expect(model.tokenizer.nativeTokenizer.padId()).toBe(family.padId);
    expect(model.numLabels).toBe(1);
    const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
    try {
      expect([...session.inputNames].sort()).toEqual([...family.inputs].sort());
    } finally {
      await session.release();
    }
  });

  it('quantizes to int8 meeting the default fidelity target, scores close to fp32', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-family-int8-'));
    clones.push(cache);
    const int8 = await CrossEncoder.load(dir, { activation: 'identity', quantize: 'int8', modelCacheDir: cache });
    try {
      expect(int8.precision).toBe('int8');
      const q = int8.quantization;
      expect(q).toBeDefined();
      expect(q?.spearman).toBeGreaterThanOrEqual(0.99);
      expect(q?.top10Overlap).toBeGreaterThanOrEqual(0.9);
      expect(q?.int8MatMuls).toBeGreaterThan(0);
      const pairs = PAIRS.slice(0, 200);
      const scores = await int8.score(pairs);
      const fp32 = reference.subarray(0, 200);
      // int8 moves scores, but stays far closer to fp32 than the spread of the scores themselves.
      expect(maxAbsDiff(scores, fp32)).toBeGreaterThan(0);
      expect(meanAbsDiff(scores, fp32)).toBeLessThan(spread(fp32));
    } finally {
      await int8.close();
    }
  });

  it(family.optimizable ? 'optimizes: scores within 1e-4 of fp32' : 'refuses optimize with ERR_NOT_OPTIMIZABLE, caching nothing', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-family-fused-'));
    clones.push(cache);
    const load = CrossEncoder.load(dir, { activation: 'identity', optimize: true, modelCacheDir: cache });
    if (!family.optimizable) {
      await expect(load).rejects.toMatchObject({ code: 'ERR_NOT_OPTIMIZABLE' });
      expect(fs.readdirSync(cache).filter((f) => f.endsWith('.onnx'))).toEqual([]);
      return;
    }
    const fused = await load;
    try {
      expect(fused.optimized).toBe(true);
      const pairs = PAIRS.slice(0, 500);
      expect(maxAbsDiff(await fused.score(pairs), reference.subarray(0, 500))).toBeLessThanOrEqual(1e-4);
    } finally {
      await fused.close();
    }
  });

  it('takes the max length from max_position_embeddings when tokenizer_config has no model_max_length', async () => {
    const clone = cloneModel(dir, (d) => {
      const file = path.join(d, 'tokenizer_config.json');
      const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      delete config.model_max_length;
      fs.writeFileSync(file, JSON.stringify(config));
    });
    clones.push(clone);
    const bare = await CrossEncoder.load(clone);
    try {
      expect(bare.maxLength).toBe(family.positions);
    } finally {
      await bare.close();
    }
  });
});

/** CROSSRANK_PYTHON, else python3, when it imports `modules`. */
function pythonWith(modules: string): string | undefined {
  const python = process.env.CROSSRANK_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', `import ${modules}`], { stdio: 'ignore' });
  return probe.status === 0 ? python : undefined;
}

interface StHit {
  corpus_id: number;
  score: number;
}

const python = pythonWith('sentence_transformers');

describe.skipIf(python === undefined)('rank() against sentence-transformers CrossEncoder.rank (needs Python with sentence_transformers)', () => {
  const pairs = multilingualPairs(60, 47);
  const queries = [...pairs.slice(0, 4).map(([a]) => a), 'how long does it take to charge an electric car', '東京の人口'];
  const documents = [...pairs.map(([, b]) => b), ...ordinaryPairs(40, 49).map(([, b]) => b)];

  it.each(FAMILIES.filter((f) => f.sentenceTransformers))('$name: same top 10 corpus ids (ties of a repeated text either way), scores within 1e-4', async (family) => {
    const { dir } = family;
    const script = path.resolve(__dirname, 'helpers', 'st-rank.py');
    const run = spawnSync(python as string, [script, dir], {
      input: JSON.stringify({ queries, documents, top_k: 10 }),
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false' },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    const expected = JSON.parse(run.stdout) as { max_length: number; results: StHit[][] };
    const model = await CrossEncoder.load(dir);
    try {
      expect(model.maxLength).toBe(expected.max_length);
      for (const [q, query] of queries.entries()) {
        const hits = await model.rank(query, documents, { topK: 10 });
        const st = expected.results[q] as StHit[];
        // The same document text twice ties: crossrank scores both alike and keeps index order, torch's batched rows
        // can differ by ~1e-7, so either may lead there. Elsewhere the ids must match position by position.
        const stScores = new Map(st.map((h) => [h.corpus_id, h.score]));
        for (const [i, hit] of hits.entries()) {
          const at = st[i] as StHit;
          if (hit.corpusId === at.corpus_id) continue;
          expect(documents[hit.corpusId], `query ${q}, rank ${i}: ${hit.corpusId} vs ${at.corpus_id}`).toBe(documents[at.corpus_id]);
          expect(Math.abs((stScores.get(hit.corpusId) ?? Number.NEGATIVE_INFINITY) - at.score)).toBeLessThanOrEqual(1e-6);
        }
        expect(maxAbsDiff(hits.map((h) => h.score), st.map((h) => h.score)), `query ${q}`).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      await model.close();
    }
  }, 300_000);
});

const numpyPython = pythonWith('numpy, onnx, onnxruntime, tokenizers');

describe.skipIf(numpyPython === undefined)('JinaBERT graph against a NumPy forward pass (needs Python with numpy, onnx, onnxruntime, tokenizers)', () => {
  it('matches ALiBi + gated-GELU JinaBERT within 1e-4, past 512 tokens', () => {
    const script = path.resolve(__dirname, '..', 'models', 'check-jina-bert.py');
    const run = spawnSync(numpyPython as string, [script, path.join(GENERATED, 'tiny-jina')], { encoding: 'utf8' });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.stdout) as { max_abs_diff: number; max_tokens: number };
    expect(result.max_tokens).toBeGreaterThan(512);
    expect(result.max_abs_diff).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});
