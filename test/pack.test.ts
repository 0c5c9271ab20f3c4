// The packed tarball installs without a compiler and loads from ESM and CommonJS (scripts/pack-smoke.js end to end).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY } from './helpers/models';

const root = path.resolve(__dirname, '..');

interface Summary {
  tarball: string;
  size: number;
  files: string[];
  builtFromSource: boolean;
  esm: { kind: string; length: number; finite: boolean };
  cjs: { kind: string; length: number; finite: boolean };
}

describe('npm pack', () => {
  it('installs into a fresh project with only node on PATH, and import and require both score', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'pack-smoke.js'), TINY], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const summary = JSON.parse(out.trim().split('\n').pop() as string) as Summary;
    const scored = { kind: 'Float32Array', length: 1, finite: true };
    expect(summary.esm).toEqual(scored);
    expect(summary.cjs).toEqual(scored);
    expect(summary.builtFromSource).toBe(false);

    const files = summary.files;
    expect(files).toContain(`prebuilds/${process.platform}-${process.arch}/crossrank.napi.node`);
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/binding/native.js', 'scripts/install.js']) {
      expect(files).toContain(needed);
    }
    // No tests, models, build trees, TypeScript sources or source maps.
    const unwanted = files.filter((f) => /^(test|models|build|build-prebuild|bench|src|binding|deps)\//.test(f) || f.endsWith('.map'));
    expect(unwanted).toEqual([]);
  });
});
