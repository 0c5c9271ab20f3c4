// Native memory returns: 200 load/close rounds, and models dropped without close() are freed by the GC.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

function rssSeries(mode: 'close' | 'gc', rounds: number): number[] {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'fixtures', 'load-close-loop.ts'), mode, String(rounds)],
    { cwd: root, encoding: 'utf8', timeout: 300_000 },
  );
  return JSON.parse(out) as number[];
}

describe('native memory', { timeout: 300_000 }, () => {
  // Each minilm-l6 session holds ~90 MB of weights and its tokenizer ~2 MB: leaking either per round would add
  // 400 MB to gigabytes, while allocator arenas of the threadpool (tokenizer.json is parsed there) swing by ~100 MB.
  it('returns after 200 load/close rounds', () => {
    const rss = rssSeries('close', 200);
    const settled = rss[1]!;
    const last = rss[rss.length - 1]!;
    expect(last - settled).toBeLessThan(250 * 1024 * 1024);
  });

  it('is freed for models garbage-collected without close()', () => {
    // Several unreachable models (~90 MB each) may await collection at any time: allow about six sessions' worth,
    // still a tenth of what never freeing them would add over 60 rounds (a clean-clone run measured 434 MB).
    const rss = rssSeries('gc', 60);
    const settled = Math.min(...rss.slice(1));
    const last = rss[rss.length - 1]!;
    expect(last - settled).toBeLessThan(600 * 1024 * 1024);
  });
});
