// crossrank on CPU, CUDA fp32, CUDA fp16 and TensorRT fp16: short-pair throughput (one call, many callers) and rank(query, 20) latency.
// bench/gpu.sh runs it after building and making the fp16 copy; alone: npx tsx bench/gpu.ts --help. Exit 3: a GPU row could not start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossEncoder, CrossrankError, type ExecutionProvider, type LoadOptions } from '../src';
import { ordinaryPairs, queryPassagePairs, shortPairs, type TextPair } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { closedLoop } from './lib/closed-loop';
import type { RankCall, Reference, Results, RowResult } from './lib/gpu-results';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { quantile } from './lib/stats';
import { fixed, formatTable } from './lib/table';

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folder' },
    'fp16-file': { default: 'onnx/model_fp16.onnx', help: 'the fp16 copy inside the model folder (models/to-fp16.ts)' },
    rows: { default: 'cpu,cuda,cuda-fp16,tensorrt-fp16', help: 'rows to run, comma-separated' },
    seconds: { default: 3, help: 'target seconds of each throughput measurement (sets how many pairs it scores)' },
    'max-pairs': { default: 65536, help: 'most pairs in one throughput measurement' },
    'warmup-pairs': { default: 2048, help: 'pairs of each warm-up call (two per pair kind; the second sets the measurement size)' },
    callers: { default: 64, help: 'concurrent callers in the many-callers measurement' },
    'call-pairs': { default: 20, help: 'pairs per score() call of each concurrent caller' },
    docs: { default: 20, help: 'documents per rank() call' },
    'latency-calls': { default: 300, help: 'rank() calls timed one at a time (p50/p99)' },
    'latency-seconds': { default: 10, help: 'stop timing rank() calls after this long (at least 20 calls)' },
    'max-length': { default: 256, help: 'maxLength of every row (also the TensorRT profile length)' },
    'batch-size': { default: 128, help: 'batching.maxBatchSize of the GPU rows (the CPU row keeps the defaults)' },
    'batch-tokens': { default: 16384, help: 'batching.maxBatchTokens of the GPU rows' },
    threads: { default: physicalCores(), help: 'ONNX Runtime intra-op threads' },
    'trt-cache': { default: 'models/generated/.trt-cache', help: 'TensorRT engine cache folder' },
    'check-pairs': { default: 100, help: 'pairs whose scores each row compares with CPU fp32' },
    seed: { default: 7, help: 'seed of the pair generators' },
    out: { default: '', help: 'folder for results.json and reference.json (the pairs and CPU scores for bench/gpu_st.py)' },
  },
  'Usage: npx tsx bench/gpu.ts [flags]',
);

interface RowSpec {
  id: string;
  label: string;
  modelFile?: string;
  providers: ExecutionProvider[];
}

const trtCache = path.resolve(flags['trt-cache']);
const ROWS: Record<string, RowSpec> = {
  cpu: { id: 'cpu', label: 'CPU fp32', providers: ['cpu'] },
  cuda: { id: 'cuda', label: 'CUDA fp32', providers: ['cuda'] },
  'cuda-fp16': { id: 'cuda-fp16', label: 'CUDA fp16', modelFile: flags['fp16-file'], providers: ['cuda'] },
  // fp32 graph, fp16 engines. 'cuda' takes only nodes TensorRT declines; no fallback: a TensorRT that cannot start rejects the load.
  'tensorrt-fp16': {
    id: 'tensorrt-fp16',
    label: 'TensorRT fp16',
    providers: [{ name: 'tensorrt', fp16: true, engineCacheDir: trtCache }, 'cuda'],
  },
};

const short = shortPairs(flags['max-pairs'], flags.seed);
const passages = queryPassagePairs(flags['max-pairs'], flags.seed + 1);
const check = ordinaryPairs(flags['check-pairs'], flags.seed + 2);
/** Distinct rank() calls, cycled: each ranks `docs` passages under the query of its first pair. */
const rankCalls: RankCall[] = Array.from({ length: 50 }, (_, i) => {
  const slice = queryPassagePairs(flags.docs, flags.seed + 100 + i);
  return { query: (slice[0] as TextPair)[0], documents: slice.map(([, d]) => d) };
});

function loadOptions(row: RowSpec): LoadOptions {
  const gpu = row.providers[0] !== 'cpu';
  return {
    activation: 'identity',
    threads: flags.threads,
    maxLength: flags['max-length'],
    executionProviders: row.providers,
    ...(row.modelFile ? { modelFile: row.modelFile } : {}),
    batching: {
      maxQueuedPairs: Math.max(100_000, flags['max-pairs']),
      ...(gpu ? { maxBatchSize: flags['batch-size'], maxBatchTokens: flags['batch-tokens'] } : {}),
    },
  };
}

function providerName(p: ExecutionProvider | undefined): string {
  return typeof p === 'string' ? p : (p?.name ?? 'cpu');
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** Pairs/s of one score() call of `pairs`. */
async function oneCall(model: CrossEncoder, pairs: TextPair[]): Promise<number> {
  const t0 = performance.now();
  await model.score(pairs);
  return pairs.length / seconds(t0);
}

/** Two warm-up calls (new shapes, allocator growth); the second's rate sizes a measurement of about `flags.seconds`. */
async function warmAndSize(model: CrossEncoder, pool: TextPair[]): Promise<number> {
  const warm = pool.slice(0, Math.min(flags['warmup-pairs'], pool.length));
  await model.score(warm);
  const rate = await oneCall(model, warm);
  return Math.max(64, Math.min(pool.length, Math.round(rate * flags.seconds)));
}

async function concurrent(model: CrossEncoder, pairs: TextPair[]): Promise<number> {
  const size = flags['call-pairs'];
  const calls = Array.from({ length: Math.ceil(pairs.length / size) }, (_, i) => pairs.slice(i * size, (i + 1) * size));
  const loop = await closedLoop(flags.callers, calls.length, (i) => model.score(calls[i] as TextPair[]));
  return pairs.length / loop.seconds;
}

/** rank() one call at a time, until `latency-calls` calls or `latency-seconds` (at least 20 calls). */
async function rankLatencies(model: CrossEncoder): Promise<number[]> {
  for (const call of rankCalls.slice(0, 10)) await model.rank(call.query, call.documents);
  const out: number[] = [];
  const started = performance.now();
  for (let i = 0; i < flags['latency-calls']; i++) {
    if (i >= 20 && seconds(started) > flags['latency-seconds']) break;
    const call = rankCalls[i % rankCalls.length] as RankCall;
    const t0 = performance.now();
    await model.rank(call.query, call.documents);
    out.push(performance.now() - t0);
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max; // NaN when any score is NaN (e.g. an fp16 overflow): Math.max propagates it
}

async function measure(model: CrossEncoder, result: RowResult, reference: Float32Array): Promise<void> {
  result.maxAbsDiff = maxAbsDiff(await model.score(check), reference);
  const nShort = await warmAndSize(model, short);
  result.shortPairs = nShort;
  result.shortPairsPerSecond = await oneCall(model, short.slice(0, nShort));
  result.concurrentPairsPerSecond = await concurrent(model, short.slice(0, nShort));
  const nPassage = await warmAndSize(model, passages);
  result.passagePairs = nPassage;
  result.passagePairsPerSecond = await oneCall(model, passages.slice(0, nPassage));
  const latencies = await rankLatencies(model);
  result.rankCalls = latencies.length;
  result.rankP50Ms = quantile(latencies, 0.5);
  result.rankP99Ms = quantile(latencies, 0.99);
}

function writeJson(name: string, value: unknown): void {
  if (!flags.out) return;
  fs.mkdirSync(flags.out, { recursive: true });
  fs.writeFileSync(path.join(flags.out, name), JSON.stringify(value));
}

function diffText(diff: number | undefined): string {
  return diff !== undefined && Number.isNaN(diff) ? 'NaN' : fixed(diff, 4);
}

function print(results: RowResult[]): void {
  const rows = results.map((r) =>
    r.status === 'ok'
      ? [r.label, r.executionProvider ?? '', fixed(r.loadSeconds), fixed(r.shortPairsPerSecond, 0), fixed(r.concurrentPairsPerSecond, 0),
          fixed(r.passagePairsPerSecond, 0), fixed(r.rankP50Ms, 2), fixed(r.rankP99Ms, 2), String(r.rankCalls ?? '-'), diffText(r.maxAbsDiff)]
      : [r.label, r.status, '', '', '', '', '', '', '', ''],
  );
  console.log(formatTable(['row', 'provider', 'load s', 'short/s 1 call', `short/s ${flags.callers} callers`, 'passage/s 1 call',
    `rank(${flags.docs}) p50 ms`, 'p99 ms', 'calls', 'max|Δ| vs CPU'], rows));
}

function errorText(error: unknown): string {
  return error instanceof CrossrankError ? `[${error.code}] ${error.message}` : String(error);
}

/** Loads one row; the load is the authoritative check that its provider starts (TensorRT builds its engines here). */
async function loadRow(spec: RowSpec, dir: string, result: RowResult): Promise<CrossEncoder | undefined> {
  const t0 = performance.now();
  let model: CrossEncoder | undefined;
  try {
    model = await CrossEncoder.load(dir, loadOptions(spec));
    result.loadSeconds = seconds(t0);
    result.executionProvider = model.executionProvider;
    const wanted = providerName(spec.providers[0]);
    if (model.executionProvider !== wanted) throw new Error(`asked for ${wanted} but it runs on ${model.executionProvider}`);
    console.log(`${spec.label}: runs on ${model.executionProvider}, batch buffers in ${model.hostMemory} memory (${path.relative(process.cwd(), model.modelPath)}, ` +
      `ONNX Runtime ${model.runtime.version} at ${model.runtime.path}), loaded in ${fixed(result.loadSeconds)} s`);
    return model;
  } catch (error) {
    await model?.close();
    const unavailable = error instanceof CrossrankError && error.code === 'ERR_PROVIDER_UNAVAILABLE';
    result.status = unavailable ? 'unavailable' : 'failed';
    result.message = errorText(error);
    console.log(`${spec.label}: ${unavailable ? 'UNAVAILABLE' : 'FAILED'}, skipped: ${result.message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const ids = flags.rows.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !ROWS[id]);
  if (unknown.length > 0) throw new Error(`Unknown row ${unknown.join(', ')}; rows are ${Object.keys(ROWS).join(', ')}`);
  const dir = path.resolve(flags.model);
  console.log(`crossrank GPU benchmark: ${flags.model}, maxLength ${flags['max-length']}, GPU batches of <= ${flags['batch-size']} pairs / ` +
    `${flags['batch-tokens']} tokens, ${flags.threads} intra-op threads, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
  console.log(describeMachine(machine));

  // CPU fp32 scores of the check pairs first: every row's reference, and the sentence-transformers peer's (which then
  // need not wait for TensorRT's engine build).
  const results: RowResult[] = ids.map((id) => ({ id, label: (ROWS[id] as RowSpec).label, status: 'ok' }));
  const models = new Map<string, CrossEncoder>();
  const cpuResult = results.find((r) => r.id === 'cpu') ?? { id: 'cpu', label: 'CPU fp32 (reference)', status: 'ok' };
  const cpuModel = await loadRow(ROWS.cpu as RowSpec, dir, cpuResult);
  if (!cpuModel) throw new Error(`the CPU reference cannot load: ${cpuResult.message}`);
  const reference = await cpuModel.score(check);
  if (ids.includes('cpu')) models.set('cpu', cpuModel);
  else await cpuModel.close();
  writeJson('reference.json', {
    model: dir,
    maxLength: flags['max-length'],
    checkPairs: check,
    checkScores: Array.from(reference),
    shortPairs: short,
    rankCalls,
    seconds: flags.seconds,
    latencyCalls: flags['latency-calls'],
    latencySeconds: flags['latency-seconds'],
  } satisfies Reference);

  // Every GPU row loads before any timing, so which providers start is known (and printed) up front.
  if (ids.includes('tensorrt-fp16')) fs.mkdirSync(trtCache, { recursive: true });
  for (const result of results.filter((r) => r.id !== 'cpu')) {
    const model = await loadRow(ROWS[result.id] as RowSpec, dir, result);
    if (model) models.set(result.id, model);
  }
  const output = (): Results & { machine: unknown } => ({ benchmark: 'gpu', machine, flags, results });
  writeJson('results.json', output());

  for (const result of results) {
    const model = models.get(result.id);
    if (!model) continue;
    try {
      await measure(model, result, reference);
      console.log(`${result.label}: ${fixed(result.shortPairsPerSecond, 0)} short pairs/s, rank(${flags.docs}) p99 ${fixed(result.rankP99Ms, 2)} ms`);
    } catch (error) {
      result.status = 'failed';
      result.message = errorText(error);
      console.log(`${result.label}: FAILED while measuring: ${result.message}`);
    }
    await model.close();
    // Written after every row, so a run cut short by the time budget still leaves what it measured.
    writeJson('results.json', output());
  }

  console.log('');
  print(results);
  console.log(JSON.stringify(output()));
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
  else if (results.some((r) => r.status === 'unavailable')) process.exitCode = 3;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
