// The batcher: padding-aware cuts, the run-cost knob, batch statistics and the default intra-op thread count.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { TINY } from './helpers/models';

const SHORT: [string, string] = ['red bike', 'a red bike'];
const LONG: [string, string] = [
  'where did I leave the blue umbrella with the wooden handle',
  Array.from({ length: 12 }, (_, i) => `found item ${i}: a blue umbrella with a wooden handle near the station`).join(' '),
];

/** Token counts from the tokenizers package, the reference tokenizer. */
async function lengthOf(pair: readonly [string, string]): Promise<number> {
  const tokenizer = Tokenizer.fromFile(path.join(TINY, 'tokenizer.json'));
  return (await tokenizer.encode(pair[0], pair[1])).getIds().length;
}

/** Physical cores from sysfs topology (the code under test reads /proc/cpuinfo). */
function sysfsCores(): number | undefined {
  const root = '/sys/devices/system/cpu';
  if (!fs.existsSync(root)) return undefined;
  const cores = new Set<string>();
  for (const cpu of fs.readdirSync(root).filter((d) => /^cpu\d+$/.test(d))) {
    const topology = path.join(root, cpu, 'topology');
    if (!fs.existsSync(path.join(topology, 'core_id'))) continue;
    const read = (f: string) => fs.readFileSync(path.join(topology, f), 'utf8').trim();
    cores.add(`${read('physical_package_id')}/${read('core_id')}`);
  }
  return cores.size || undefined;
}

describe('batching', () => {
  let short: number;
  let long: number;
  beforeAll(async () => {
    short = await lengthOf(SHORT);
    long = await lengthOf(LONG);
  });
  const models: CrossEncoder[] = [];
  afterAll(async () => {
    await Promise.all(models.map((m) => m.close()));
  });
  const load = async (runCostTokens?: number) => {
    const model = await CrossEncoder.load(TINY, { batching: runCostTokens === undefined ? {} : { runCostTokens } });
    models.push(model);
    return model;
  };
  const mixed = (): [string, string][] => Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? LONG : SHORT));

  it('counts pairs and real tokens as the reference tokenizer does', async () => {
    const model = await load();
    expect(model.batchStats).toEqual({ batches: 0, pairs: 0, tokens: 0, paddedTokens: 0 });
    await model.score([SHORT, SHORT, SHORT]);
    expect(model.batchStats).toEqual({ batches: 1, pairs: 3, tokens: 3 * short, paddedTokens: 3 * short });
    await model.close();
    expect(model.batchStats.pairs).toBe(3);
  });

  it('runs a much longer pair in its own batch instead of padding every short row to it', async () => {
    expect(long).toBeGreaterThan(5 * short);
    const model = await load();
    await model.score(mixed());
    // 12 short rows alone yield 12s / (12s + 16) real tokens per unit of cost (16: the default run cost); padded to
    // the long rows, all 16 would yield (12s + 4l) / (16l + 16), and a mixed batch less still.
    expect(12 * short * (16 * long + 16)).toBeGreaterThan((12 * short + 4 * long) * (12 * short + 16));
    expect(model.batchStats).toEqual({ batches: 2, pairs: 16, tokens: 12 * short + 4 * long, paddedTokens: 12 * short + 4 * long });
  });

  it('fills the batch when a run costs more than any padding', async () => {
    const model = await load(1 << 30);
    await model.score(mixed());
    expect(model.batchStats).toEqual({ batches: 1, pairs: 16, tokens: 12 * short + 4 * long, paddedTokens: 16 * long });
  });

  it('scores the same whichever way the pairs are cut', async () => {
    const [cut, whole] = await Promise.all([load(), load(1 << 30)]);
    const a = await cut.score(mixed());
    const b = await whole.score(mixed());
    for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-5);
  });

  it('keeps equal lengths in one batch with no run cost at all', async () => {
    const model = await load(0);
    await model.score(Array.from({ length: 8 }, () => SHORT));
    expect(model.batchStats.batches).toBe(1);
  });

  it('rejects a negative run cost at the front door', async () => {
    await expect(CrossEncoder.load(TINY, { batching: { runCostTokens: -1 } })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  it('gives ONNX Runtime one thread per physical core by default, the count asked for otherwise', async () => {
    const model = await load();
    const cores = sysfsCores();
    if (cores !== undefined) expect(model.threads).toBe(cores);
    else expect(model.threads).toBeGreaterThanOrEqual(0);
    const three = await CrossEncoder.load(TINY, { threads: 3 });
    models.push(three);
    expect(three.threads).toBe(3);
  });
});
