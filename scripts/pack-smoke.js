#!/usr/bin/env node
// End-to-end package check: prebuild, npm pack, install the tarball into a fresh project with only node on PATH (no
// compiler), then load a model folder and score from both ESM and CommonJS. Prints a JSON summary on its last line.
// Usage: node scripts/pack-smoke.js <model-dir>   (CI and test/pack.test.ts pass models/generated/tiny)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const modelDir = path.resolve(process.argv[2] || path.join(root, 'models', 'generated', 'tiny'));
const npmCli =
  process.env.npm_execpath && process.env.npm_execpath.endsWith('.js')
    ? process.env.npm_execpath
    : [path.join(path.dirname(process.execPath), '..', 'lib'), path.dirname(process.execPath)]
        .map((dir) => path.join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'))
        .find((file) => fs.existsSync(file));
if (!npmCli) throw new Error('pack-smoke: npm-cli.js not found beside node; run it with `npm run pack:smoke`');

function npm(args, options) {
  return execFileSync(process.execPath, [npmCli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

// 1. The prebuild for this platform, then the tarball (prepack compiles dist/).
npm(['run', 'build:prebuild'], { cwd: root, stdio: 'inherit' });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-pack-'));
const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], { cwd: root }))[0];
const tarball = path.join(work, packed.filename);
const shipped = packed.files.map((f) => f.path);

// 2. A project whose PATH holds node and nothing else: no cc, c++, cmake or make can be found.
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
if (process.platform === 'win32') {
  // npm runs lifecycle scripts through %ComSpec% (cmd.exe), found without PATH.
  fs.copyFileSync(process.execPath, path.join(bin, 'node.exe'));
} else {
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  // npm runs lifecycle scripts through sh, looked up on PATH.
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
}
const project = path.join(work, 'project');
fs.mkdirSync(project);
fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'crossrank-smoke', private: true }));
const env = {
  ...process.env,
  PATH: bin,
  // onnxruntime-node's own install script would fetch CUDA files; the CPU library ships in its package.
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  npm_config_onnxruntime_node_install: 'skip',
};
delete env.CROSSRANK_NATIVE_BINDING;
for (const key of Object.keys(env)) if (key.startsWith('npm_') && key !== 'npm_config_onnxruntime_node_install' && key !== 'npm_config_cache') delete env[key];
npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts'], { cwd: project, env, stdio: 'inherit' });

// 3. Both module systems load the package by name and score a pair with the prebuilt addon.
const esm = `import { CrossEncoder } from 'crossrank';
const m = await CrossEncoder.load(${JSON.stringify(modelDir)}, { threads: 1 });
const s = await m.score([['what is a panda?', 'A bear of China.']]);
await m.close();
console.log(JSON.stringify({ kind: s.constructor.name, length: s.length, finite: Number.isFinite(s[0]) }));`;
const cjs = `const { CrossEncoder } = require('crossrank');
CrossEncoder.load(${JSON.stringify(modelDir)}, { threads: 1 }).then(async (m) => {
  const s = await m.score([['what is a panda?', 'A bear of China.']]);
  await m.close();
  console.log(JSON.stringify({ kind: s.constructor.name, length: s.length, finite: Number.isFinite(s[0]) }));
});`;
const run = (args) => JSON.parse(execFileSync(process.execPath, args, { cwd: project, env, encoding: 'utf8' }).trim().split('\n').pop());
const installed = path.join(project, 'node_modules', 'crossrank');
const summary = {
  tarball: packed.filename,
  size: packed.size,
  unpackedSize: packed.unpackedSize,
  files: shipped,
  builtFromSource: fs.existsSync(path.join(installed, 'build')),
  esm: run(['--input-type=module', '-e', esm]),
  cjs: run(['-e', cjs]),
};
fs.rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(summary));
