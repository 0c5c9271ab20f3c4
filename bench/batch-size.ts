// Picks the batching defaults by measurement: crossrank pairs/s for a grid of maxBatchSize x maxBatchTokens.
import * as path from 'node:path';
import { CrossEncoder } from '../src';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';

const flags = parseFlags(
  {
    model: { default: path.join('models', 'generated', 'minilm-l6'), help: 'model folder' },
    pairs: { default: 1024, help: 'pairs per set' },
    sizes: { default: '8,16,32,64,128', help: 'maxBatchSize values (maxBatchTokens = size x 128)' },
  },
  'Usage: npx tsx bench/batch-size.ts [flags]',
);

async function rate(model: CrossEncoder, pairs: [string, string][]): Promise<number> {
  await model.score(pairs.slice(0, 64));
  const started = performance.now();
  await model.score(pairs);
  return pairs.length / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  console.log(`batch-size grid on ${flags.model}; ${describeMachine(machineInfo())}`);
  const sets = { 'short (~60 tokens)': shortPairs(flags.pairs, 7), 'query-passage (~130 tokens)': queryPassagePairs(flags.pairs, 7) };
  const sizes = flags.sizes.split(',').map(Number);
  const results: Record<string, number[]> = {};
  for (const size of sizes) {
    const model = await CrossEncoder.load(flags.model, {
      threads: physicalCores(),
      activation: 'identity',
      batching: { maxBatchSize: size, maxBatchTokens: size * 128 },
    });
    for (const [name, pairs] of Object.entries(sets)) (results[name] ??= []).push(await rate(model, pairs));
    await model.close();
  }
  console.log(`\n${'maxBatchSize'.padEnd(30)}${sizes.map((s) => String(s).padStart(9)).join('')}`);
  for (const [name, rates] of Object.entries(results)) {
    const best = Math.max(...rates);
    console.log(`${name.padEnd(30)}${rates.map((r) => r.toFixed(1).padStart(9)).join('')}   pairs/s`);
    console.log(`${'  relative to best'.padEnd(30)}${rates.map((r) => (r / best).toFixed(2).padStart(9)).join('')}`);
  }
}

void main();
