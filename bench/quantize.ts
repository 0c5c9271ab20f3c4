// crossrank int8 (quantize: 'int8') and fused (optimize: true) against crossrank fp32, per model, in one process: pairs/s,
// fidelity on held-out pairs, the probe figures quantize measured, MatMuls kept fp32 and derivation time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_INIT_SCALES, MINILM_L6, buildBertModel } from '../models/bert-graph';
import { encodeModel } from '../models/onnx-writer';
import { CrossEncoder } from '../src/cross-encoder';
import { CrossrankError } from '../src/errors';
import { type QuantizeOptions, quantizeInt8 } from '../src/quantize/quantize-int8';
import { ordinaryPairs, queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { linkConfigFiles } from './lib/model-folder';
import { median } from './lib/stats';
import { fixed, formatTable, ratio } from './lib/table';

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folders, comma-separated' },
    hard: { default: false, help: 'also MiniLM-L6-shaped int8-hostile variants made on the fly: wide weights (6/sqrt(fan-in)) and two outlier residual channels (20x LayerNorm gain)' },
    'short-pairs': { default: 1024, help: 'short pairs (~60 tokens) timed per variant and pass' },
    'long-pairs': { default: 512, help: 'query-passage pairs (~130 tokens) timed per variant and pass' },
    rounds: { default: 3, help: 'timed passes, variants alternating; the median pass is reported' },
    'fidelity-pairs': { default: 2000, help: 'ordinary pairs compared with fp32' },
    queries: { default: 50, help: 'rank() queries of 100 documents each, top-10 compared with fp32' },
    threads: { default: physicalCores(), help: 'intra-op threads' },
    variants: { default: false, help: 'also time the operator and weight-scheme alternatives (MatMulInteger chain, asymmetric weights, int8 head)' },
    seed: { default: 11, help: 'seed of the pair generators' },
  },
  'Usage: npm run bench:quantize -- [flags]',
);

type Pair = [string, string];

const progress = (message: string): void => void process.stderr.write(`${message}\n`);

/** The alternatives quantizeInt8 offers, written into a scratch copy of the model folder and loaded with modelFile. */
const ALTERNATIVES: Record<string, QuantizeOptions> = {
  'int8 MatMulInteger chain': { operator: 'matmul-integer' },
  'int8 asymmetric weights': { symmetric: false },
  'int8 incl. classifier head': { quantizeHead: true },
  'int8 incl. first attention': { quantizeFirstLayer: true },
  'int8, whole first layer fp32': { keepFp32: (weight) => /layer\.0\./.test(weight) },
};

function scratchFolder(modelDir: string, source: Uint8Array): { dir: string; files: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-bench-quantize-'));
  linkConfigFiles(modelDir, dir);
  const files: Record<string, string> = {};
  for (const [label, options] of Object.entries(ALTERNATIVES)) {
    const file = `variant-${Object.keys(files).length}.onnx`;
    fs.writeFileSync(path.join(dir, file), quantizeInt8(source, options).bytes);
    files[label] = file;
  }
  return { dir, files };
}

function ranks(values: Float32Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => (values[a] as number) - (values[b] as number));
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number]) j++;
    for (let t = i; t <= j; t++) out[order[t] as number] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function spearman(a: Float32Array, b: Float32Array): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    const x = (ra[i] as number) - mean;
    const y = (rb[i] as number) - mean;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return num / Math.sqrt(da * db);
}

/** MiniLM-L6-shaped int8-hostile variants of minilm-l6's weights, with its tokenizer files linked in: their folders. */
function hardVariants(): string[] {
  const tokenizerDir = path.resolve('models/generated/minilm-l6');
  const variants = {
    'minilm-l6-wide': { ...DEFAULT_INIT_SCALES, dense: 6, queryKey: 4 },
    'minilm-l6-outlier': { ...DEFAULT_INIT_SCALES, outlierChannels: [7, 33], outlierGain: 20 },
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-bench-hard-'));
  return Object.entries(variants).map(([name, scales]) => {
    const dir = path.join(root, name);
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    linkConfigFiles(tokenizerDir, dir);
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), encodeModel(buildBertModel(MINILM_L6, 1501, 'bench', scales)));
    return dir;
  });
}

/** Loads a derived variant, or returns the CrossrankError that refused it (ERR_NOT_OPTIMIZABLE, ERR_QUANTIZATION_FIDELITY). */
async function loadOrRefusal(modelDir: string, options: Parameters<typeof CrossEncoder.load>[1]): Promise<CrossEncoder | CrossrankError> {
  try {
    return await CrossEncoder.load(modelDir, options);
  } catch (error) {
    if (error instanceof CrossrankError && (error.code === 'ERR_NOT_OPTIMIZABLE' || error.code === 'ERR_QUANTIZATION_FIDELITY')) return error;
    throw error;
  }
}

async function main(): Promise<void> {
  const dirs = flags.model.split(',').map((m) => path.resolve(m));
  if (flags.hard) dirs.push(...hardVariants());
  console.log(describeMachine(machineInfo()));
  for (const dir of dirs) await benchModel(dir);
}

async function benchModel(modelDir: string): Promise<void> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-bench-cache-'));
  const base = { threads: flags.threads, activation: 'identity' as const };
  const models = new Map<string, CrossEncoder>();
  const refused: string[] = [];
  const add = (label: string, loaded: CrossEncoder | CrossrankError) => {
    if (loaded instanceof CrossEncoder) models.set(label, loaded);
    else refused.push(`${label}: ${loaded.code}: ${loaded.message}`);
  };
  progress(`${modelDir}: deriving int8 (fidelity probes, and mixed precision when they miss the target)`);
  models.set('fp32', await CrossEncoder.load(modelDir, base));
  let started = performance.now();
  add('int8', await loadOrRefusal(modelDir, { ...base, quantize: 'int8', modelCacheDir: cacheDir }));
  const firstLoad = performance.now() - started;
  let cachedLoad: number | undefined;
  if (models.has('int8')) {
    started = performance.now();
    await (await CrossEncoder.load(modelDir, { ...base, quantize: 'int8', modelCacheDir: cacheDir })).close();
    cachedLoad = performance.now() - started;
  }
  add('fused fp32', await loadOrRefusal(modelDir, { ...base, optimize: true, modelCacheDir: cacheDir }));
  if (models.has('fused fp32') && models.has('int8')) {
    add('fused int8', await loadOrRefusal(modelDir, { ...base, optimize: true, quantize: 'int8', modelCacheDir: cacheDir }));
  }
  if (flags.variants) {
    const fp32Path = (models.get('fp32') as CrossEncoder).modelPath;
    const scratch = scratchFolder(modelDir, fs.readFileSync(fp32Path));
    for (const [label, file] of Object.entries(scratch.files)) models.set(label, await CrossEncoder.load(scratch.dir, { ...base, modelFile: file }));
  }

  const sets: Record<string, Pair[]> = {
    short: shortPairs(flags['short-pairs'], flags.seed),
    'query-passage': queryPassagePairs(flags['long-pairs'], flags.seed + 1),
  };
  for (const model of models.values()) await model.score(shortPairs(64, flags.seed + 2));
  const samples = new Map<string, number[]>();
  for (let round = 0; round < flags.rounds; round++) {
    progress(`timing pass ${round + 1} of ${flags.rounds}`);
    for (const [set, pairs] of Object.entries(sets)) {
      for (const [label, model] of models) {
        const t = performance.now();
        await model.score(pairs);
        const key = `${label}|${set}`;
        samples.set(key, [...(samples.get(key) ?? []), pairs.length / ((performance.now() - t) / 1000)]);
      }
    }
  }

  console.log(`\n## ${path.basename(modelDir)} (random weights), ${flags.threads} threads, median of ${flags.rounds} passes, variants alternating`);
  console.log(
    cachedLoad === undefined
      ? `int8 refused after ${(firstLoad / 1000).toFixed(2)} s (quantize, probe fidelity, mixed-precision search): fp32 is the fastest model meeting the target`
      : `int8 first load (quantize, probe fidelity, mixed-precision search if needed, write cache) ${(firstLoad / 1000).toFixed(2)} s, ` +
          `cached load ${(cachedLoad / 1000).toFixed(2)} s`,
  );
  for (const [label, model] of models) {
    const q = model.quantization;
    if (q) {
      console.log(
        `${label} probe figures: Spearman ${q.spearman.toFixed(4)}, top-10 overlap ${(q.top10Overlap * 100).toFixed(1)}%, ` +
          `max |Δlogit| ${q.maxAbsDelta.toFixed(3)}, mean ${q.meanAbsDelta.toFixed(3)}; ${q.int8MatMuls} MatMuls int8, ${q.fp32MatMuls} fp32`,
      );
    }
  }
  for (const line of refused) console.log(`refused: ${line}`);
  console.log('');
  const speed = (label: string, set: string) => median(samples.get(`${label}|${set}`) ?? []);
  console.log(
    formatTable(
      ['model', 'short pairs/s', 'vs fp32', 'query-passage pairs/s', 'vs fp32'],
      [...models.keys()].map((label) => [
        label,
        fixed(speed(label, 'short')),
        ratio(speed(label, 'short'), speed('fp32', 'short')),
        fixed(speed(label, 'query-passage')),
        ratio(speed(label, 'query-passage'), speed('fp32', 'query-passage')),
      ]),
    ),
  );
  progress('fidelity');
  const fidelityPairs = ordinaryPairs(flags['fidelity-pairs'], flags.seed + 3);
  const reference = await (models.get('fp32') as CrossEncoder).score(fidelityPairs);
  const rankSets = Array.from({ length: flags.queries }, (_, q) => {
    const pairs = queryPassagePairs(100, flags.seed + 100 + q);
    return { query: (pairs[0] as Pair)[0], documents: pairs.map((p) => p[1]) };
  });
  const top10 = async (model: CrossEncoder) =>
    Promise.all(rankSets.map(async (s) => (await model.rank(s.query, s.documents, { topK: 10 })).map((r) => r.corpusId)));
  const referenceTop = await top10(models.get('fp32') as CrossEncoder);

  const rows: string[][] = [];
  for (const [label, model] of models) {
    const scores = await model.score(fidelityPairs);
    let maxDiff = 0;
    let sumDiff = 0;
    for (let i = 0; i < scores.length; i++) {
      const d = Math.abs((scores[i] as number) - (reference[i] as number));
      maxDiff = Math.max(maxDiff, d);
      sumDiff += d;
    }
    const tops = await top10(model);
    const overlap = tops.reduce((sum, top, q) => sum + top.filter((id) => (referenceTop[q] as number[]).includes(id)).length / 10, 0) / tops.length;
    rows.push([
      label,
      spearman(scores, reference).toFixed(4),
      maxDiff.toFixed(4),
      (sumDiff / scores.length).toFixed(4),
      `${(overlap * 100).toFixed(1)}%`,
    ]);
  }
  console.log(`\nfidelity on ${fidelityPairs.length} ordinary pairs and ${flags.queries} rank() calls of 100 documents, against fp32`);
  console.log(
    formatTable(
      ['model', 'Spearman', 'max |Δlogit|', 'mean |Δlogit|', 'top-10 overlap'],
      rows,
    ),
  );
  for (const model of models.values()) await model.close();
  fs.rmSync(cacheDir, { recursive: true, force: true });
}

void main();
