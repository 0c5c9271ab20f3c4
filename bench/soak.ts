// Soak: scores a million short pairs through many concurrent score() calls and watches RSS for growth after warm-up.
import { Prng } from '../models/prng';
import type { CrossEncoder } from '../src';
import { shortPairs, type TextPair } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { physicalCores } from './lib/machine';

const flags = parseFlags(
  {
    model: { default: 'models/generated/tiny', help: 'model folder (minilm-l6 takes hours for a million pairs)' },
    pairs: { default: 1_000_000, help: 'pairs scored in all' },
    pool: { default: 20_000, help: 'distinct pairs generated and reused' },
    callers: { default: 64, help: 'concurrent callers, each awaiting one score() call at a time' },
    'min-call': { default: 100, help: 'fewest pairs in one call' },
    'max-call': { default: 500, help: 'most pairs in one call' },
    every: { default: 100_000, help: 'print RSS after every this many pairs' },
    threads: { default: physicalCores(), help: 'ONNX Runtime intra-op threads' },
    seed: { default: 7, help: 'seed of the pairs and call sizes' },
    'max-growth': { default: 5, help: 'exit 1 when RSS grows by this many percent or more after the first report' },
  },
  'Usage: npx tsx bench/soak.ts [flags]',
);

const MiB = 1024 * 1024;

interface Sample {
  pairs: number;
  rssMiB: number;
  heapMiB: number;
  seconds: number;
}

async function main(): Promise<void> {
  const { CrossEncoder } = await import('../src');
  const model: CrossEncoder = await CrossEncoder.load(flags.model, { threads: flags.threads });
  const pool: TextPair[] = shortPairs(flags.pool, flags.seed);
  const rng = new Prng(flags.seed + 1);
  const span = flags['max-call'] - flags['min-call'] + 1;
  if (span < 1 || flags['min-call'] < 1) throw new Error('Expected 1 <= --min-call <= --max-call');

  const samples: Sample[] = [];
  const start = performance.now();
  let issued = 0;
  let done = 0;
  let nextReport = flags.every;
  let cursor = 0;

  const report = () => {
    const m = process.memoryUsage();
    const s = { pairs: done, rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB, seconds: (performance.now() - start) / 1000 };
    samples.push(s);
    console.log(
      `${String(s.pairs).padStart(9)} pairs  rss ${s.rssMiB.toFixed(1).padStart(7)} MiB  heap ${s.heapMiB.toFixed(1).padStart(6)} MiB  ` +
        `${s.seconds.toFixed(1).padStart(7)} s  ${(s.pairs / s.seconds).toFixed(0)} pairs/s`,
    );
  };

  // Each caller takes the next slice of the pool (wrapping) and checks that every score is finite.
  const caller = async () => {
    while (issued < flags.pairs) {
      const n = Math.min(flags['min-call'] + rng.int(span), flags.pairs - issued);
      issued += n;
      const batch: TextPair[] = [];
      for (let i = 0; i < n; i++) batch.push(pool[(cursor + i) % pool.length] as TextPair);
      cursor = (cursor + n) % pool.length;
      const scores = await model.score(batch);
      if (scores.length !== n || !scores.every(Number.isFinite)) throw new Error(`a call of ${n} pairs returned a bad score`);
      done += n;
      while (done >= nextReport) {
        report();
        nextReport += flags.every;
      }
    }
  };

  console.log(
    `soak: ${flags.pairs} pairs from a pool of ${flags.pool}, ${flags.callers} callers of ${flags['min-call']}-${flags['max-call']} ` +
      `pairs, model ${flags.model}, ${flags.threads} threads`,
  );
  await Promise.all(Array.from({ length: flags.callers }, caller));
  if (samples.at(-1)?.pairs !== done) report();
  await model.close();

  const first = samples[0] as Sample;
  const last = samples.at(-1) as Sample;
  const peak = Math.max(...samples.map((s) => s.rssMiB));
  const growth = ((last.rssMiB - first.rssMiB) / first.rssMiB) * 100;
  const peakGrowth = ((peak - first.rssMiB) / first.rssMiB) * 100;
  console.log(
    `RSS after the first ${first.pairs} pairs: ${first.rssMiB.toFixed(1)} MiB; at the end: ${last.rssMiB.toFixed(1)} MiB ` +
      `(${growth >= 0 ? '+' : ''}${growth.toFixed(2)}%); peak ${peak.toFixed(1)} MiB (+${peakGrowth.toFixed(2)}%)`,
  );
  if (growth >= flags['max-growth']) {
    console.log(`FAIL: RSS grew by ${growth.toFixed(2)}% (limit ${flags['max-growth']}%)`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
