// Generates the seeded test models under models/generated/ in Hugging Face folder layout.
// Usage: npx tsx models/generate.ts [--force]   (skips models whose stamp is current)

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBertModel, DEFAULT_INIT_SCALES, MINILM_L6, type AttentionExport, type BertArchitecture, type InitScales } from './bert-graph';
import { encodeModel } from './onnx-writer';

/** Bump when the output changes in a way the source hash would not show (it normally does). */
const GENERATOR_VERSION = '1';

const TOKENIZER_SUBDIR = path.join('data', 'tokenizers', 'ms-marco-MiniLM-L6-v2');
const TOKENIZER_DIR = findTokenizerDir();
const OUTPUT_ROOT = path.resolve(__dirname, 'generated');
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];
const GENERATOR_SOURCES = ['generate.ts', 'bert-graph.ts', 'onnx-writer.ts', 'prng.ts'];
const STAMP_FILE = '.generator-stamp.json';

interface ModelPlan {
  name: string;
  seed: number;
  arch: BertArchitecture;
  labels: readonly string[];
  /** Keep the original config's sentence-transformers activation key (single-logit rerankers). */
  keepActivationKey: boolean;
  scales: InitScales;
  /** How attention is written in the graph (default 'eager'). */
  attentionExport?: AttentionExport;
  /** tokenizer_config.json's model_max_length, when it differs from the copied MiniLM file's 512. */
  modelMaxLength?: number;
}

const TINY: BertArchitecture = {
  ...MINILM_L6,
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 128,
};

// Two layers mix less: stronger type embeddings and softer attention keep every token, type id and mask bit visible.
const TINY_SCALES: InitScales = { ...DEFAULT_INIT_SCALES, tokenTypeEmbedding: 1.0, queryKey: 1.5 };

const PLANS: readonly ModelPlan[] = [
  { name: 'minilm-l6', seed: 1501, arch: MINILM_L6, labels: ['LABEL_0'], keepActivationKey: true, scales: DEFAULT_INIT_SCALES },
  { name: 'tiny', seed: 1502, arch: TINY, labels: ['LABEL_0'], keepActivationKey: true, scales: TINY_SCALES },
  // tiny's weights (same seed) with attention written as torch.onnx exports scaled_dot_product_attention.
  { name: 'tiny-sdpa', seed: 1502, arch: TINY, labels: ['LABEL_0'], keepActivationKey: true, scales: TINY_SCALES, attentionExport: 'sdpa' },
  {
    name: 'tiny-no-token-types',
    seed: 1503,
    arch: { ...TINY, tokenTypeInput: false },
    labels: ['LABEL_0'],
    keepActivationKey: true,
    scales: TINY_SCALES,
  },
  // JinaBERT (jina-reranker-v1-tiny/turbo-en): ALiBi instead of positions, gated GELU feed-forward, 8,192 tokens.
  {
    name: 'tiny-jina',
    seed: 1506,
    arch: { ...TINY, maxPositions: 8192, jina: true },
    labels: ['LABEL_0'],
    keepActivationKey: true,
    scales: TINY_SCALES,
    modelMaxLength: 8192,
  },
  // int8-hostile variants (quantize fidelity tests): weights wider than tiny's, and two outlier residual channels (20x gain).
  { name: 'tiny-wide', seed: 1502, arch: TINY, labels: ['LABEL_0'], keepActivationKey: true, scales: { ...TINY_SCALES, dense: 6, queryKey: 4 } },
  {
    name: 'tiny-outlier',
    seed: 1502,
    arch: TINY,
    labels: ['LABEL_0'],
    keepActivationKey: true,
    scales: { ...TINY_SCALES, outlierChannels: [7, 33], outlierGain: 20 },
  },
  {
    name: 'tiny-3-labels',
    seed: 1504,
    arch: { ...TINY, numLabels: 3 },
    labels: ['contradiction', 'entailment', 'neutral'],
    keepActivationKey: false,
    scales: TINY_SCALES,
  },
];

/** The tokenizer files come from the shared data folder beside the checkout (or inside it, or from an override). */
function findTokenizerDir(): string {
  const override = process.env.CROSSRANK_TOKENIZER_DIR;
  const candidates = override
    ? [path.resolve(override)]
    : [path.resolve(__dirname, '..', '..', 'shared', TOKENIZER_SUBDIR), path.resolve(__dirname, '..', 'shared', TOKENIZER_SUBDIR)];
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'tokenizer.json')));
  if (!found) {
    throw new Error(
      `models: tokenizer files not found in ${candidates.join(' or ')}; ` +
        'set CROSSRANK_TOKENIZER_DIR to a folder with the ms-marco-MiniLM-L6-v2 tokenizer files',
    );
  }
  return found;
}

function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Everything the output depends on; a model is regenerated when this changes. */
function stampFor(plan: ModelPlan): string {
  const inputs = [
    ...GENERATOR_SOURCES.map((f) => fs.readFileSync(path.join(__dirname, f))),
    ...TOKENIZER_FILES.map((f) => fs.readFileSync(path.join(TOKENIZER_DIR, f))),
    fs.readFileSync(path.join(TOKENIZER_DIR, 'config.json')),
  ];
  return JSON.stringify(
    {
      generatorVersion: GENERATOR_VERSION,
      seed: plan.seed,
      arch: plan.arch,
      scales: plan.scales,
      attentionExport: plan.attentionExport ?? 'eager',
      modelMaxLength: plan.modelMaxLength,
      inputsSha256: sha256(...inputs),
    },
    null,
    2,
  );
}

function isCurrent(dir: string, stamp: string): boolean {
  const stampPath = path.join(dir, STAMP_FILE);
  if (!fs.existsSync(stampPath) || fs.readFileSync(stampPath, 'utf8') !== stamp) return false;
  const expected = ['config.json', ...TOKENIZER_FILES, path.join('onnx', 'model.onnx')];
  return expected.every((f) => fs.existsSync(path.join(dir, f)));
}

function configFor(plan: ModelPlan): Record<string, unknown> {
  const base = JSON.parse(fs.readFileSync(path.join(TOKENIZER_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  const { arch } = plan;
  const config: Record<string, unknown> = {
    ...base,
    _name_or_path: `crossrank-generated/${plan.name}`,
    hidden_size: arch.hiddenSize,
    num_hidden_layers: arch.numLayers,
    num_attention_heads: arch.numHeads,
    intermediate_size: arch.intermediateSize,
    max_position_embeddings: arch.maxPositions,
    type_vocab_size: arch.typeVocabSize,
    vocab_size: arch.vocabSize,
    layer_norm_eps: arch.layerNormEps,
    hidden_act: 'gelu',
    id2label: Object.fromEntries(plan.labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(plan.labels.map((l, i) => [l, i])),
  };
  if (arch.jina) {
    // What jina-reranker-v1's config.json says (its modelling code is remote code on the hub).
    Object.assign(config, {
      architectures: ['JinaBertForSequenceClassification'],
      position_embedding_type: 'alibi',
      feed_forward_type: 'geglu',
      auto_map: { AutoConfig: 'jinaai/jina-bert-implementation--configuration_bert.JinaBertConfig', AutoModelForSequenceClassification: 'jinaai/jina-bert-implementation--modeling_bert.JinaBertForSequenceClassification' },
    });
  }
  if (!plan.keepActivationKey) delete config.sbert_ce_default_activation_function;
  return config;
}

/** Writes to a temporary name first so an interrupted run never leaves a truncated file behind. */
function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function generate(plan: ModelPlan, stamp: string): void {
  const dir = path.join(OUTPUT_ROOT, plan.name);
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.rmSync(path.join(dir, STAMP_FILE), { force: true });

  const model = buildBertModel(plan.arch, plan.seed, GENERATOR_VERSION, plan.scales, plan.attentionExport);
  const bytes = encodeModel(model);
  writeAtomic(path.join(dir, 'onnx', 'model.onnx'), bytes);
  // Copied by content (not copyFileSync) so the shared folder's read-only mode does not carry over.
  for (const f of TOKENIZER_FILES) writeAtomic(path.join(dir, f), fs.readFileSync(path.join(TOKENIZER_DIR, f)));
  if (plan.modelMaxLength !== undefined) {
    const file = path.join(dir, 'tokenizer_config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeAtomic(file, `${JSON.stringify({ ...config, model_max_length: plan.modelMaxLength }, null, 2)}\n`);
  }
  writeAtomic(path.join(dir, 'config.json'), `${JSON.stringify(configFor(plan), null, 2)}\n`);
  writeAtomic(path.join(dir, STAMP_FILE), stamp);
}

function main(): void {
  const force = process.argv.includes('--force');
  const started = Date.now();
  for (const plan of PLANS) {
    const dir = path.join(OUTPUT_ROOT, plan.name);
    const stamp = stampFor(plan);
    if (!force && isCurrent(dir, stamp)) {
      console.log(`models: ${plan.name} is current`);
      continue;
    }
    const t0 = Date.now();
    generate(plan, stamp);
    const size = fs.statSync(path.join(dir, 'onnx', 'model.onnx')).size;
    console.log(`models: generated ${plan.name} (${(size / 1e6).toFixed(1)} MB) in ${Date.now() - t0} ms`);
  }
  console.log(`models: done in ${Date.now() - started} ms (${path.relative(process.cwd(), OUTPUT_ROOT)})`);
}

main();
