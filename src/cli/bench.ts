// `crossrank bench`: throughput, latency and peak memory of the user's model at several concurrency levels.
import { CrossEncoder } from '../cross-encoder';
import { type Command, integerOption, MODEL_HELP, MODEL_OPTIONS, modelArgs, numberOption, optionalString, UsageError } from './args';
import { type Pair, readPairs } from './input';
import { openOutput } from './output';
import { progressBar } from './progress';

export interface LevelResult {
  concurrency: number;
  requests: number;
  pairs: number;
  seconds: number;
  pairsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Peak resident set size of the process so far, in MiB. */
  peakRssMiB: number;
}

const WORDS = (
  'the a of to and in is for on with black white blue red small large bag phone case umbrella bottle lid strap ' +
  'pocket zipper leather metal plastic found lost near station bus train left seat brand new old worn label tag ' +
  'button cover handle wheel front back side inside outside pink silver green round square soft hard light heavy'
).split(' ');

/** Deterministic query/passage-like pairs: an 8-word query and a 48-word passage each. */
export function syntheticPairs(count: number): Pair[] {
  let state = 12345;
  const word = (): string => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return WORDS[state % WORDS.length] as string;
  };
  const text = (n: number): string => Array.from({ length: n }, word).join(' ');
  return Array.from({ length: count }, () => [text(8), text(48)]);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

function parseConcurrency(text: string): number[] {
  const levels = text.split(',').map((s) => Number(s.trim()));
  if (levels.length === 0 || levels.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UsageError(`--concurrency must be positive integers separated by commas, got ${JSON.stringify(text)}`);
  }
  return levels;
}

/** `concurrency` callers each score `batch` pairs per request, back to back, for `seconds`. */
async function runLevel(
  model: CrossEncoder,
  pairs: readonly Pair[],
  concurrency: number,
  batch: number,
  seconds: number,
  signal: AbortSignal,
  onTime: (elapsedMs: number) => void,
): Promise<LevelResult> {
  const latencies: number[] = [];
  let cursor = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const caller = async (): Promise<void> => {
    while (performance.now() < end && !signal.aborted) {
      const request = Array.from({ length: batch }, () => pairs[cursor++ % pairs.length] as Pair);
      const t0 = performance.now();
      await model.score(request, { signal });
      latencies.push(performance.now() - t0);
      onTime(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requests: latencies.length,
    pairs: latencies.length * batch,
    seconds: elapsed,
    pairsPerSecond: (latencies.length * batch) / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  };
}

function table(results: readonly LevelResult[]): string {
  const header = ['concurrency', 'pairs/s', 'p50 ms', 'p99 ms', 'requests', 'peak RSS MiB'];
  const rows = results.map((r) => [
    String(r.concurrency),
    r.pairsPerSecond.toFixed(1),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.requests),
    r.peakRssMiB.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => `${cells.map((c, i) => c.padStart(widths[i] as number)).join('  ')}\n`;
  return line(header) + rows.map(line).join('');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'pairs/s, p50/p99 latency and peak RSS at several concurrency levels',
  help: `Usage: crossrank bench --model DIR [--input PAIRS] [--concurrency 1,8,64] [--duration S] [--batch N] [--json]

For each concurrency level, that many callers score requests of --batch pairs back to back for --duration seconds
(after a short warm-up), cycling through the input pairs. Prints pairs per second, the median and 99th percentile
request latency, and the process's peak resident memory so far.

Options:
  -i, --input FILE         pairs as for \`crossrank score\` (default: synthetic 8-word queries with 48-word passages)
  -c, --concurrency LIST   concurrent callers, comma-separated (default 1,8,64)
      --duration S         seconds per level (default 10)
      --batch N            pairs per request (default 1)
      --json               JSON lines, one per level, instead of the table
${MODEL_HELP}`,
  options: {
    ...MODEL_OPTIONS,
    input: { type: 'string', short: 'i' },
    concurrency: { type: 'string', short: 'c' },
    duration: { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, signal) {
    const { model: modelId, options } = modelArgs(values);
    const levels = parseConcurrency(optionalString(values, 'concurrency') ?? '1,8,64');
    const seconds = numberOption(values, 'duration', 10, 0.01);
    const batch = integerOption(values, 'batch', 1) ?? 1;
    const input = optionalString(values, 'input');
    const pairs = input === undefined ? syntheticPairs(1000) : readPairs(input, { labels: false, header: true }).pairs;
    if (pairs.length === 0) throw new UsageError('The input holds no pairs');
    const model = await CrossEncoder.load(modelId, options);
    const results: LevelResult[] = [];
    const progress = progressBar(levels.length * seconds * 1000);
    try {
      await model.score(pairs.slice(0, 32), { signal });
      for (const [i, concurrency] of levels.entries()) {
        const base = i * seconds * 1000;
        results.push(await runLevel(model, pairs, concurrency, batch, seconds, signal, (ms) => progress.update(Math.round(base + ms))));
      }
    } finally {
      progress.stop();
      await model.close();
    }
    const output = openOutput(undefined);
    output.write(values.json ? results.map((r) => `${JSON.stringify(r)}\n`).join('') : table(results));
    await output.close();
    return 0;
  },
};
