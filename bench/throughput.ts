// Pairs/second of crossrank against transformers.js, a hand-written tokenizers + onnxruntime-node path and the pure ONNX Runtime ceiling.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { runInChild, serveChildTask } from './lib/child-process';
import type { QuantizeOptions } from '../src';
import { loadCrossrank } from './lib/crossrank';
import { EventLoopLag, type LagStats } from './lib/event-loop-lag';
import { HandWritten } from './lib/hand-written';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { linkConfigFiles } from './lib/model-folder';
import type { Pair } from './lib/ort-batches';
import { OrtCeiling } from './lib/ort-ceiling';
import { peakRssMiB } from './lib/peak-rss';
import { median } from './lib/stats';
import { fixed, formatTable, ratio } from './lib/table';
import { TransformersJs } from './lib/transformers-js';

const PATHS = [
  'crossrank',
  'crossrank-fused',
  'crossrank-int8',
  'crossrank-fused-int8',
  'transformers.js',
  'transformers.js-int8',
  'hand-written',
  'ort-ceiling',
] as const;
const SETS = ['short', 'query-passage'] as const;
type PathName = (typeof PATHS)[number];
type SetName = (typeof SETS)[number];

const LABELS: Record<PathName, string> = {
  crossrank: 'crossrank score(), one call',
  'crossrank-fused': 'crossrank, optimize: true (fp32)',
  'crossrank-int8': "crossrank, quantize: 'int8'",
  'crossrank-fused-int8': "crossrank, optimize + quantize: 'int8'",
  'transformers.js': 'transformers.js, batch 32, input order',
  'transformers.js-int8': "transformers.js q8 (crossrank's int8 file), batch 32",
  'hand-written': 'tokenizers + onnxruntime-node, sorted 32',
  'ort-ceiling': 'ORT ceiling (pre-tokenized, sorted 32)',
};

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folder' },
    'short-pairs': { default: 2048, help: 'short pairs (~60 tokens) timed per path' },
    'long-pairs': { default: 1024, help: 'query-passage pairs (~130 tokens) timed per path' },
    warmup: { default: 64, help: 'pairs scored before timing, per path' },
    rounds: { default: 3, help: 'timed passes per path; the median pass is reported (this VM drifts by ~10% between passes)' },
    threads: { default: physicalCores(), help: 'intra-op threads for every ONNX Runtime session' },
    seed: { default: 7, help: 'seed of the pair generators' },
    paths: { default: PATHS.join(','), help: 'paths to run, comma-separated' },
    sets: { default: SETS.join(','), help: 'pair sets to run, comma-separated' },
    json: { default: false, help: 'print the results as JSON instead of tables' },
    'int8-min-spearman': { default: 0.99, help: "quantize's fidelity target for the int8 paths (0 times all-int8 on random-weight models that miss it)" },
    'int8-min-topk': { default: 0.9, help: "quantize's top-10 overlap target for the int8 paths" },
  },
  'Usage: npx tsx bench/throughput.ts [flags]',
);

interface Task {
  path: PathName | 'interleaved';
  set: SetName;
  pairs: number;
}

/** Per path, ceiling seconds / its seconds in each round: every path and the ceiling timed in turn in one process. */
interface Interleaved {
  rounds: number;
  vsCeiling: Partial<Record<PathName, number[]>>;
}

interface Measurement {
  pairs: number;
  seconds: number;
  pairsPerSecond: number;
  lag: LagStats;
  peakRssMiB: number;
  scores: number[];
}

function pairsFor(set: SetName, n: number, seed: number): Pair[] {
  return set === 'short' ? shortPairs(n, seed) : queryPassagePairs(n, seed);
}

/**
 * Loads every requested scorer and the ceiling side by side and times them in turn, `max(5, rounds)` rounds, so machine
 * drift (this VM's runs differ by up to 20% between processes) hits all alike; a path that cannot load (DeBERTa,
 * ModernBERT, JinaBERT have no fused attention...) is left out.
 */
async function interleave(task: Task): Promise<Interleaved> {
  const pairs = pairsFor(task.set, task.pairs, flags.seed);
  const warmup = pairsFor(task.set, flags.warmup, flags.seed + 1000);
  const dir = path.resolve(flags.model);
  const requested = flags.paths.split(',').filter((p): p is Exclude<PathName, 'ort-ceiling'> => p in SCORERS && p !== 'hand-written');
  const scorers: [PathName, Awaited<ReturnType<(typeof SCORERS)['crossrank']>>][] = [];
  for (const name of requested) {
    const scorer = await SCORERS[name](dir, flags.threads).catch(() => undefined);
    if (scorer) scorers.push([name, scorer]);
  }
  const ceiling = await OrtCeiling.load(dir, flags.threads);
  const batches = await ceiling.prepare(pairs);
  for (const [, scorer] of scorers) await scorer.score(warmup);
  await ceiling.run(await ceiling.prepare(warmup));
  const time = async (run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    return performance.now() - t0;
  };
  const rounds = Math.max(5, flags.rounds);
  const vsCeiling: Interleaved['vsCeiling'] = {};
  for (let round = 0; round < rounds; round++) {
    const ceilingSeconds = await time(() => ceiling.run(batches));
    for (const [name, scorer] of scorers) (vsCeiling[name] ??= []).push(ceilingSeconds / (await time(() => scorer.score(pairs))));
  }
  for (const [, scorer] of scorers) await scorer.close();
  await ceiling.close();
  return { rounds, vsCeiling };
}

function int8Target(): QuantizeOptions {
  return { type: 'int8', minSpearman: flags['int8-min-spearman'], minTopKOverlap: flags['int8-min-topk'] };
}

/**
 * A scratch copy of the model folder whose onnx/model_quantized.onnx (what transformers.js loads for dtype 'q8') is
 * crossrank's int8 file, so both run the same int8 graph and only the code around ONNX Runtime differs.
 */
async function int8Folder(dir: string, threads: number): Promise<string> {
  const int8 = await loadCrossrank(dir, threads, { quantize: int8Target() });
  const file = int8.modelPath;
  await int8.close();
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-bench-q8-')), path.basename(dir));
  fs.mkdirSync(path.join(copy, 'onnx'), { recursive: true });
  linkConfigFiles(dir, copy);
  fs.symlinkSync(file, path.join(copy, 'onnx', 'model_quantized.onnx'));
  if (fs.existsSync(`${file}_data`)) fs.symlinkSync(`${file}_data`, path.join(copy, 'onnx', path.basename(`${file}_data`)));
  return copy;
}

/** The paths that score pairs end to end (the ceiling instead runs prepared batches). */
const SCORERS: Record<Exclude<PathName, 'ort-ceiling'>, (dir: string, threads: number) => Promise<{
  score(pairs: readonly Pair[]): Promise<Float32Array>;
  close(): Promise<unknown>;
}>> = {
  crossrank: loadCrossrank,
  'crossrank-fused': (dir, threads) => loadCrossrank(dir, threads, { optimize: true }),
  'crossrank-int8': (dir, threads) => loadCrossrank(dir, threads, { quantize: int8Target() }),
  'crossrank-fused-int8': (dir, threads) => loadCrossrank(dir, threads, { optimize: true, quantize: int8Target() }),
  'transformers.js': (dir, threads) => TransformersJs.load(dir, threads),
  'transformers.js-int8': async (dir, threads) => TransformersJs.load(await int8Folder(dir, threads), threads, 'q8'),
  'hand-written': (dir, threads) => HandWritten.load(dir, threads),
};

/** Loads one path, warms it up on other pairs, then times `rounds` passes over the set while sampling event-loop lag. */
async function measure(task: Task): Promise<Measurement> {
  const pairs = pairsFor(task.set, task.pairs, flags.seed);
  const warmup = pairsFor(task.set, flags.warmup, flags.seed + 1000);
  const dir = path.resolve(flags.model);
  const lag = new EventLoopLag();
  let run: () => Promise<Float32Array | undefined>;
  let close: () => Promise<unknown>;
  if (task.path !== 'ort-ceiling') {
    const model = await SCORERS[task.path as Exclude<PathName, 'ort-ceiling'>](dir, flags.threads);
    await model.score(warmup);
    run = () => model.score(pairs);
    close = () => model.close();
  } else {
    const model = await OrtCeiling.load(dir, flags.threads);
    await model.run(await model.prepare(warmup));
    const batches = await model.prepare(pairs);
    run = async () => {
      await model.run(batches);
      return undefined;
    };
    close = () => model.close();
  }
  lag.start();
  const passes: number[] = [];
  let scores: Float32Array | undefined;
  for (let round = 0; round < Math.max(1, flags.rounds); round++) {
    const t0 = performance.now();
    scores = await run();
    passes.push((performance.now() - t0) / 1000);
  }
  const lagStats = lag.stop();
  await close();
  const seconds = passes.sort((a, b) => a - b)[Math.floor(passes.length / 2)] as number;
  return {
    pairs: pairs.length,
    seconds,
    pairsPerSecond: pairs.length / seconds,
    lag: lagStats,
    peakRssMiB: peakRssMiB(),
    scores: scores ? Array.from(scores) : [],
  };
}

type Row = { path: PathName; error?: string } & Partial<Measurement> & { maxAbsDiffVsHandWritten?: number };

function maxAbsDiff(a: readonly number[], b: readonly number[] | undefined): number | undefined {
  if (!b || a.length === 0 || a.length !== b.length) return undefined;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const paths = flags.paths.split(',').filter((p): p is PathName => (PATHS as readonly string[]).includes(p));
  const sets = flags.sets.split(',').filter((s): s is SetName => (SETS as readonly string[]).includes(s));
  if (!flags.json) {
    console.log(`crossrank throughput benchmark: ${flags.model}, ${flags.threads} intra-op threads, graph optimization 'all'`);
    console.log(`int8 paths: quantize target Spearman >= ${flags['int8-min-spearman']}, top-10 overlap >= ${flags['int8-min-topk']}`);
    console.log(describeMachine(machine));
    console.log(`Each path runs alone in a fresh process after a warm-up, ${flags.rounds} timed passes, median reported;`);
    console.log('lag = how late a 1 ms interval timer fires during the timed passes;');
    console.log('peak RSS = that process\'s high-water mark (model load included).\n');
  }
  const results: Record<string, Row[]> = {};
  for (const set of sets) {
    const n = set === 'short' ? flags['short-pairs'] : flags['long-pairs'];
    const rows: Row[] = [];
    for (const p of paths) {
      try {
        rows.push({ path: p, ...(await runInChild<Task, Measurement>(__filename, { path: p, set, pairs: n })) });
      } catch (error) {
        rows.push({ path: p, error: (error as Error).message.split('\n')[0]?.slice(0, 120) });
      }
    }
    const reference = rows.find((r) => r.path === 'hand-written')?.scores;
    for (const r of rows) {
      r.maxAbsDiffVsHandWritten = maxAbsDiff(r.scores ?? [], reference);
      delete r.scores;
    }
    results[set] = rows;
    let interleaved: Interleaved | undefined;
    if (paths.includes('crossrank') && paths.includes('ort-ceiling')) {
      interleaved = await runInChild<Task, Interleaved>(__filename, { path: 'interleaved', set, pairs: n });
      (results as Record<string, unknown>)[`${set}-interleaved`] = interleaved;
    }
    if (!flags.json) printSet(set, n, rows, interleaved);
  }
  if (flags.json) console.log(JSON.stringify({ benchmark: 'throughput', machine, flags, results }, null, 2));
}

function printSet(set: SetName, n: number, rows: readonly Row[], interleaved?: Interleaved): void {
  console.log(`## ${set} pairs (${n} pairs, seed ${flags.seed})`);
  const table = rows.map((r) =>
    r.error
      ? [LABELS[r.path], `failed: ${r.error}`, '', '', '', '', '']
      : [
          LABELS[r.path],
          fixed(r.pairsPerSecond),
          fixed(r.seconds, 2),
          fixed(r.lag?.maxMs),
          fixed(r.lag?.p99Ms),
          fixed(r.peakRssMiB, 0),
          r.maxAbsDiffVsHandWritten === undefined ? '-' : r.maxAbsDiffVsHandWritten.toExponential(1),
        ],
  );
  console.log(formatTable(['path', 'pairs/s', 'seconds', 'lag max ms', 'lag p99 ms', 'peak RSS MiB', 'max |d| vs hand'], table));
  const rate = (p: PathName): number | undefined => rows.find((r) => r.path === p)?.pairsPerSecond;
  const cr = rate('crossrank');
  console.log(
    `crossrank / ceiling ${ratio(cr, rate('ort-ceiling'))}, / transformers.js ${ratio(cr, rate('transformers.js'))}, / hand-written ${ratio(cr, rate('hand-written'))}` +
      ' (crossrank batches and overlaps tokenization inside the one call)',
  );
  console.log(
    `crossrank-fused / ceiling ${ratio(rate('crossrank-fused'), rate('ort-ceiling'))}; ` +
      `crossrank-int8 / crossrank ${ratio(rate('crossrank-int8'), cr)}; crossrank-fused-int8 / crossrank ${ratio(rate('crossrank-fused-int8'), cr)}; ` +
      `crossrank-int8 / transformers.js q8 ${ratio(rate('crossrank-int8'), rate('transformers.js-int8'))}`,
  );
  if (interleaved) {
    // Each round's ratios against the same round's crossrank fp32 pass, then the median over rounds.
    const base = interleaved.vsCeiling.crossrank;
    console.log(`alternating in one process, ${interleaved.rounds} rounds, median (min-max):`);
    for (const [name, values] of Object.entries(interleaved.vsCeiling) as [PathName, number[]][]) {
      const span = (v: number[]) => `${median(v).toFixed(3)}x (${Math.min(...v).toFixed(3)}-${Math.max(...v).toFixed(3)})`;
      const vsCrossrank = base && name !== 'crossrank' ? `, ${span(values.map((v, i) => v / (base[i] as number)))} crossrank fp32` : '';
      const crossrankOver = base && name.startsWith('transformers.js') ? `; crossrank fp32 ${span(base.map((b, i) => b / (values[i] as number)))} it` : '';
      console.log(`  ${LABELS[name]}: ${span(values)} the ceiling${vsCrossrank}${crossrankOver}`);
    }
  }
  console.log('');
}

if (!serveChildTask<Task, Measurement | Interleaved>((task) => (task.path === 'interleaved' ? interleave(task) : measure(task)))) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
