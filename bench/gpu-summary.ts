// The closing summary of bench/gpu.sh: crossrank's rows against sentence-transformers fp16 and the two GPU goals.
// Usage: npx tsx bench/gpu-summary.ts OUT_DIR   (reads results.json from bench/gpu.ts and st.json from bench/gpu_st.py)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PeerResult, Results, RowResult } from './lib/gpu-results';
import { fixed, formatTable, ratio } from './lib/table';

/** Goals of the GPU issue, on an H100. */
const THROUGHPUT_GOAL = 2;
const P99_GOAL_MS = 3;

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The first sentence of a long provider message, which names what failed. */
function firstSentence(message: string | undefined): string {
  return (message ?? '').split(/(?<=\.) /)[0]?.slice(0, 300) ?? '';
}

function best(rows: RowResult[], value: (r: RowResult) => number | undefined, lowest = false): RowResult | undefined {
  const measured = rows.filter((r) => Number.isFinite(value(r)));
  return measured.sort((a, b) => ((value(a) as number) - (value(b) as number)) * (lowest ? 1 : -1))[0];
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? 'MET' : 'NOT MET';
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('Usage: npx tsx bench/gpu-summary.ts OUT_DIR\n');
    process.exit(2);
  }
  const crossrank = readJson<Results>(path.join(dir, 'results.json'));
  const peer = readJson<PeerResult>(path.join(dir, 'st.json'));
  const rows = crossrank?.results ?? [];
  const st = peer?.status === 'ok' ? peer : undefined;

  console.log('== Summary');
  if (!crossrank) console.log('crossrank: no results (bench/gpu.ts did not get as far as measuring a row)');
  console.log(
    st
      ? `sentence-transformers ${st.dtype} on ${st.device} (predict batch ${st.bestBatchSize}): ${fixed(st.shortPairsPerSecond, 0)} short pairs/s, ` +
          `rank(20) p50 ${fixed(st.rankP50Ms, 2)} ms, p99 ${fixed(st.rankP99Ms, 2)} ms; fp32 weights check max |diff| ${st.maxAbsDiffFp32?.toExponential(1)}`
      : `sentence-transformers: ${peer ? `${peer.status}: ${peer.message ?? ''}` : 'not run (no Python with torch and sentence-transformers, or no time left)'}`,
  );
  const table = rows.map((r) =>
    r.status === 'ok'
      ? [r.label, r.executionProvider ?? '', fixed(r.shortPairsPerSecond, 0), ratio(r.shortPairsPerSecond, st?.shortPairsPerSecond),
          fixed(r.concurrentPairsPerSecond, 0), ratio(r.concurrentPairsPerSecond, st?.shortPairsPerSecond), fixed(r.rankP99Ms, 2),
          ratio(r.rankP99Ms, st?.rankP99Ms)]
      : [r.label, r.status, '', '', '', '', '', ''],
  );
  if (table.length > 0) {
    console.log(formatTable(['crossrank row', 'provider', 'short/s 1 call', 'vs ST', 'short/s callers', 'vs ST', 'rank p99 ms', 'vs ST'], table));
  }
  for (const r of rows.filter((x) => x.status !== 'ok')) console.log(`${r.label} ${r.status}: ${firstSentence(r.message)}`);

  const gpuRows = rows.filter((r) => r.status === 'ok' && r.executionProvider !== 'cpu');
  const fastest = best(gpuRows, (r) => Math.max(r.shortPairsPerSecond ?? NaN, r.concurrentPairsPerSecond ?? NaN));
  const fastestRate = fastest ? Math.max(fastest.shortPairsPerSecond ?? 0, fastest.concurrentPairsPerSecond ?? 0) : undefined;
  const throughputMet = fastestRate !== undefined && st?.shortPairsPerSecond ? fastestRate >= THROUGHPUT_GOAL * st.shortPairsPerSecond : undefined;
  console.log(
    `Goal: >= ${THROUGHPUT_GOAL}x sentence-transformers fp16 short-pair throughput: ` +
      (fastest ? `${fastest.label} ${fixed(fastestRate, 0)} pairs/s = ${ratio(fastestRate, st?.shortPairsPerSecond)}` : 'no GPU row ran') +
      ` -> ${verdict(throughputMet)}`,
  );
  const quickest = best(gpuRows, (r) => r.rankP99Ms, true);
  console.log(
    `Goal: rank(query, 20) p99 < ${P99_GOAL_MS} ms: ` +
      (quickest ? `${quickest.label} ${fixed(quickest.rankP99Ms, 2)} ms over ${quickest.rankCalls} calls` : 'no GPU row ran') +
      ` -> ${verdict(quickest ? (quickest.rankP99Ms as number) < P99_GOAL_MS : undefined)}`,
  );
}

main();
