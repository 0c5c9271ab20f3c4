// The built package loads by name from ESM and CommonJS, with type declarations beside it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY } from './helpers/models';

const root = path.resolve(__dirname, '..');

function run(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

describe('package entry points', () => {
  it('import { CrossEncoder } from "crossrank" works and scores', () => {
    const code = `import { CrossEncoder } from 'crossrank';
      const m = await CrossEncoder.load(${JSON.stringify(TINY)});
      const s = await m.score([['a', 'b']]);
      await m.close();
      console.log(s.constructor.name, s.length);`;
    expect(run(['--input-type=module', '-e', code]).trim()).toBe('Float32Array 1');
  });

  it('require("crossrank") works and scores', () => {
    const code = `const { CrossEncoder, CrossrankError } = require('crossrank');
      CrossEncoder.load(${JSON.stringify(TINY)}).then(async (m) => {
        const s = await m.score([['a', 'b']]);
        await m.close();
        console.log(typeof CrossrankError, s.length);
      });`;
    expect(run(['-e', code]).trim()).toBe('function 1');
  });

  it('ships type declarations for the entry point', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const types = path.join(root, pkg.exports['.'].types);
    expect(fs.readFileSync(types, 'utf8')).toContain('CrossEncoder');
  });
});
