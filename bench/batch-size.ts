// Picks the batching defaults by measurement: crossrank pairs/s and padding over a grid of maxBatchSize x runCostTokens.
import * as path from 'node:path';
import { CrossEncoder } from '../src';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { median } from './lib/stats';
import { formatTable } from './lib/table';

const flags = parseFlags(
  {
    model: { default: path.join('models', 'generated', 'minilm-l6'), help: 'model folder' },
    pairs: { default: 1024, help: 'pairs per set' },
    sizes: { default: '8,16,32,64,128', help: 'maxBatchSize values (maxBatchTokens = size x 128)' },
    costs: { default: '16', help: "batching.runCostTokens values (16: the CPU default); 'fill' = 2^30 (batches as full as the budget allows)" },
    rounds: { default: 3, help: 'timed passes per configuration, taken in turn so drift hits all alike; median reported' },
  },
  'Usage: npx tsx bench/batch-size.ts [flags]',
);

interface Config {
  label: string;
  model: CrossEncoder;
}

async function main(): Promise<void> {
  console.log(`batching grid on ${flags.model}; ${describeMachine(machineInfo())}`);
  const sets = { 'short (~60 tokens)': shortPairs(flags.pairs, 7), 'query-passage (~130 tokens)': queryPassagePairs(flags.pairs, 7) };
  const configs: Config[] = [];
  for (const size of flags.sizes.split(',').map(Number)) {
    for (const costText of flags.costs.split(',')) {
      const cost = costText === 'fill' ? 2 ** 30 : Number(costText);
      const model = await CrossEncoder.load(flags.model, {
        threads: physicalCores(),
        activation: 'identity',
        batching: { maxBatchSize: size, maxBatchTokens: size * 128, runCostTokens: cost },
      });
      configs.push({ label: `size ${size}, run cost ${costText}`, model });
    }
  }
  for (const [name, pairs] of Object.entries(sets)) {
    const seconds = configs.map(() => [] as number[]);
    const padding = configs.map(() => 0);
    for (const c of configs) await c.model.score(pairs.slice(0, 64));
    for (let round = 0; round < flags.rounds; round++) {
      for (const [i, c] of configs.entries()) {
        const before = c.model.batchStats;
        const started = performance.now();
        await c.model.score(pairs);
        seconds[i]?.push((performance.now() - started) / 1000);
        const after = c.model.batchStats;
        padding[i] = (after.paddedTokens - before.paddedTokens) / (after.tokens - before.tokens) - 1;
      }
    }
    const rates = seconds.map((s) => pairs.length / median(s));
    const best = Math.max(...rates);
    console.log(`\n## ${name}, ${pairs.length} pairs, median of ${flags.rounds} alternating passes`);
    console.log(
      formatTable(
        ['configuration', 'pairs/s', 'relative to best', 'padding'],
        configs.map((c, i) => [c.label, (rates[i] as number).toFixed(1), ((rates[i] as number) / best).toFixed(3), `${((padding[i] as number) * 100).toFixed(1)}%`]),
      ),
    );
  }
  for (const c of configs) await c.model.close();
}

void main();
