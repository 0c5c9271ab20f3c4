// rank(query, 20 documents) under 1, 8 and 64 concurrent callers: crossrank against a hand-written tokenizers + onnxruntime-node server.
import * as path from 'node:path';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { runInChild, serveChildTask } from './lib/child-process';
import { closedLoop, sequentialLatencies } from './lib/closed-loop';
import { loadCrossrank } from './lib/crossrank';
import { EventLoopLag, type LagStats } from './lib/event-loop-lag';
import { HandWritten } from './lib/hand-written';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { OrtCeiling } from './lib/ort-ceiling';
import { median, quantile } from './lib/stats';
import { fixed, formatTable, ratio } from './lib/table';

const IMPLS = ['crossrank', 'hand-written'] as const;
type Impl = (typeof IMPLS)[number];

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folder' },
    docs: { default: 20, help: 'documents per rank() call' },
    'doc-kind': { default: 'passage', help: "'passage' (~130-token pairs) or 'short' (~60)" },
    callers: { default: '1,8,64', help: 'concurrency levels, comma-separated' },
    rounds: { default: 2, help: 'calls per caller at each level (total calls = max(min-calls, callers x rounds))' },
    'min-calls': { default: 16, help: 'fewest calls timed at any level' },
    'latency-runs': { default: 20, help: 'single rank() calls (and single ORT runs) whose median is compared' },
    'reference-calls': { default: 16, help: "calls' worth of pairs scored in one score() call: crossrank's single-call throughput" },
    threads: { default: physicalCores(), help: 'intra-op threads for every ONNX Runtime session' },
    seed: { default: 11, help: 'seed of the pair generators' },
    json: { default: false, help: 'print the results as JSON instead of tables' },
  },
  'Usage: npx tsx bench/concurrency.ts [flags]',
);

const levels = flags.callers.split(',').map(Number).filter((c) => c > 0);
const callsAt = (callers: number): number => Math.max(flags['min-calls'], callers * flags.rounds);

interface RankCall {
  query: string;
  documents: string[];
}

/** Call i ranks `docs` passages under the query of its first pair; the same calls for every implementation. */
function rankCalls(count: number, seed: number): RankCall[] {
  const n = flags.docs;
  const pairs = flags['doc-kind'] === 'short' ? shortPairs(count * n, seed) : queryPassagePairs(count * n, seed);
  return Array.from({ length: count }, (_, i) => {
    const slice = pairs.slice(i * n, (i + 1) * n);
    return { query: (slice[0] as [string, string])[0], documents: slice.map(([, d]) => d) };
  });
}

type Task = { kind: Impl } | { kind: 'ort-single' };

interface LevelResult {
  callers: number;
  calls: number;
  seconds: number;
  callsPerSecond: number;
  pairsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  lag: LagStats;
}

interface ChildResult {
  levels: LevelResult[];
  /** Median ms of one call alone: rank() for the implementations, session.run of the same pairs for 'ort-single'. */
  singleMedianMs: number;
  /** crossrank only: pairs/s of one score() call over `reference-calls` calls' pairs. */
  singleCallPairsPerSecond?: number;
}

async function measure(task: Task): Promise<ChildResult> {
  const dir = path.resolve(flags.model);
  const warmup = rankCalls(2, flags.seed + 1000);
  const single = rankCalls(1, flags.seed + 2000)[0] as RankCall;
  if (task.kind === 'ort-single') {
    const ort = await OrtCeiling.load(dir, flags.threads);
    for (const call of warmup) await ort.run(await ort.prepare(call.documents.map((d) => [call.query, d] as const)));
    const batches = await ort.prepare(single.documents.map((d) => [single.query, d] as const), flags.docs);
    const latencies = await sequentialLatencies(flags['latency-runs'], () => ort.run(batches));
    await ort.close();
    return { levels: [], singleMedianMs: median(latencies) };
  }
  let rank: (call: RankCall) => Promise<unknown>;
  let close: () => Promise<unknown>;
  let singleCallPairsPerSecond: number | undefined;
  if (task.kind === 'crossrank') {
    const model = await loadCrossrank(dir, flags.threads);
    rank = (call) => model.rank(call.query, call.documents);
    close = () => model.close();
    for (const call of warmup) await rank(call);
    const pairs = rankCalls(flags['reference-calls'], flags.seed).flatMap((c) => c.documents.map((d) => [c.query, d] as [string, string]));
    const t0 = performance.now();
    await model.score(pairs);
    singleCallPairsPerSecond = pairs.length / ((performance.now() - t0) / 1000);
  } else {
    const model = await HandWritten.load(dir, flags.threads);
    rank = (call) => model.rank(call.query, call.documents);
    close = () => model.close();
    for (const call of warmup) await rank(call);
  }
  const singleMedianMs = median(await sequentialLatencies(flags['latency-runs'], () => rank(single)));
  const results: LevelResult[] = [];
  for (const callers of levels) {
    const calls = rankCalls(callsAt(callers), flags.seed);
    const lag = new EventLoopLag();
    lag.start();
    const loop = await closedLoop(callers, calls.length, (i) => rank(calls[i] as RankCall));
    results.push({
      callers,
      calls: calls.length,
      seconds: loop.seconds,
      callsPerSecond: calls.length / loop.seconds,
      pairsPerSecond: (calls.length * flags.docs) / loop.seconds,
      p50Ms: quantile(loop.latenciesMs, 0.5),
      p99Ms: quantile(loop.latenciesMs, 0.99),
      lag: lag.stop(),
    });
  }
  await close();
  return { levels: results, singleMedianMs, singleCallPairsPerSecond };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const results: Partial<Record<Impl | 'ort-single', ChildResult | { error: string }>> = {};
  for (const kind of [...IMPLS, 'ort-single'] as const) {
    try {
      results[kind] = await runInChild<Task, ChildResult>(__filename, { kind });
    } catch (error) {
      results[kind] = { error: (error as Error).message.split('\n')[0]?.slice(0, 120) ?? 'failed' };
    }
  }
  if (flags.json) {
    console.log(JSON.stringify({ benchmark: 'concurrency', machine, flags, results }, null, 2));
    return;
  }
  console.log(`crossrank concurrency benchmark: rank(query, ${flags.docs} ${flags['doc-kind']} documents) on ${flags.model}, ${flags.threads} intra-op threads`);
  console.log(describeMachine(machine));
  console.log('Closed loop: each caller issues its next call when the previous resolves; total calls = max(min-calls, callers x rounds).');
  console.log('hand-written: per call, tokenizers encode() of its pairs on the threadpool, then one session.run of that batch,');
  console.log('runs serialized through a promise chain (one run at a time already uses every core). Each implementation runs alone in its own process.\n');
  const ok = (r: ChildResult | { error: string } | undefined): ChildResult | undefined => (r && 'levels' in r ? r : undefined);
  const rows: string[][] = [];
  for (const impl of IMPLS) {
    const r = results[impl];
    if (!ok(r)) {
      rows.push([impl, '', `failed: ${(r as { error: string } | undefined)?.error ?? 'no result'}`, '', '', '', '', '', '']);
      continue;
    }
    for (const l of ok(r)?.levels ?? []) {
      rows.push([impl, String(l.callers), String(l.calls), fixed(l.callsPerSecond, 2), fixed(l.pairsPerSecond), fixed(l.p50Ms, 0), fixed(l.p99Ms, 0), fixed(l.lag.maxMs), fixed(l.lag.p99Ms)]);
    }
  }
  console.log(formatTable(['implementation', 'callers', 'calls', 'calls/s', 'pairs/s', 'p50 ms', 'p99 ms', 'lag max ms', 'lag p99 ms'], rows));
  const cr = ok(results.crossrank);
  const hw = ok(results['hand-written']);
  const ortSingle = ok(results['ort-single']);
  const top = Math.max(...levels);
  const at = (r: ChildResult | undefined): LevelResult | undefined => r?.levels.find((l) => l.callers === top);
  console.log('');
  console.log(`crossrank single score() call of ${flags['reference-calls'] * flags.docs} pairs: ${fixed(cr?.singleCallPairsPerSecond)} pairs/s; ` +
    `${top} callers / single call: ${ratio(at(cr)?.pairsPerSecond, cr?.singleCallPairsPerSecond)}`);
  console.log(`p99 latency at ${top} callers, crossrank / hand-written: ${ratio(at(cr)?.p99Ms, at(hw)?.p99Ms)}`);
  console.log(`single rank(query, ${flags.docs}) median: crossrank ${fixed(cr?.singleMedianMs)} ms, hand-written ${fixed(hw?.singleMedianMs)} ms, ` +
    `one pure-ORT session.run of the same pre-tokenized pairs ${fixed(ortSingle?.singleMedianMs)} ms; ` +
    `crossrank / ORT ${ratio(cr?.singleMedianMs, ortSingle?.singleMedianMs)} (median of ${flags['latency-runs']})`);
}

if (!serveChildTask<Task, ChildResult>(measure)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
