// The addon loader: explicit override first, every failure named, one addon per process; hub/loader option validation.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { TINY } from './helpers/models';

const root = path.resolve(__dirname, '..');
const LOCAL_BUILD = path.join(root, 'build', 'Release', 'crossrank.node');

/** Runs `body` (CommonJS, with `CrossEncoder` in scope) in a fresh process, so the addon is not loaded yet. */
function child(body: string, env: Record<string, string> = {}): Record<string, unknown> {
  const code = `const { CrossEncoder } = require(${JSON.stringify(path.join(root, 'src'))});
    (async () => { ${body} })().then((r) => console.log(JSON.stringify(r)), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: root,
    env: { ...process.env, CROSSRANK_NATIVE_BINDING: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('native addon loader', () => {
  it('names the CROSSRANK_NATIVE_BINDING path it could not load, and what to do', () => {
    const missing = path.join(root, 'no-such-dir', 'crossrank.node');
    const result = child(`await CrossEncoder.load(${JSON.stringify(TINY)});`, { CROSSRANK_NATIVE_BINDING: missing });
    expect(result.code).toBe('ERR_NATIVE_LOAD');
    expect(result.message).toContain(`${missing}: not found`);
    expect(result.message).toContain('CROSSRANK_NATIVE_BINDING');
  });

  it('loads the addon named by the nativeBinding option, and refuses a second, different one', () => {
    const result = child(`
      const m = await CrossEncoder.load(${JSON.stringify(TINY)}, { nativeBinding: ${JSON.stringify(LOCAL_BUILD)}, threads: 1 });
      const s = await m.score([['a', 'b']]);
      await m.close();
      try {
        await CrossEncoder.load(${JSON.stringify(TINY)}, { nativeBinding: '/elsewhere/crossrank.node' });
        return { scored: s.length, second: 'loaded' };
      } catch (e) {
        return { scored: s.length, second: e.code, message: e.message };
      }`);
    expect(result).toMatchObject({ scored: 1, second: 'ERR_NATIVE_LOAD', message: expect.stringContaining('one process loads one addon') });
  });
});

describe('hub and loader options of load()', () => {
  it.each([
    ['nativeBinding', 5, 'ERR_INVALID_ARG_TYPE'],
    ['nativeBinding', '', 'ERR_OUT_OF_RANGE'],
    ['revision', 1, 'ERR_INVALID_ARG_TYPE'],
    ['cacheDir', '', 'ERR_OUT_OF_RANGE'],
    ['token', null, 'ERR_INVALID_ARG_TYPE'],
    ['offline', 'yes', 'ERR_INVALID_ARG_TYPE'],
    ['onProgress', 'log', 'ERR_INVALID_ARG_TYPE'],
  ])('rejects %s = %o with %s naming the option', async (name, value, code) => {
    await expect(CrossEncoder.load(TINY, { [name]: value } as never)).rejects.toMatchObject({
      code,
      message: expect.stringContaining(`for options.${name} but received`),
    });
  });
});
