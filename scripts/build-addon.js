// Runs cmake-js for the addon, with Node's own headers when they sit beside the node binary (no header download).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Builds into `<out>/Release/crossrank.node`; `arch` other than the host's makes cmake-js fetch that target's headers. */
function buildAddon(out, arch = process.arch) {
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root, process.cwd()] });
  const env = { ...process.env };
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  const archArgs = arch === process.arch ? [] : ['--arch', arch];
  execFileSync(process.execPath, [cmakeJs, 'build', '--out', out, ...archArgs, '--log-level', 'warn'], { cwd: root, env, stdio: 'inherit' });
  return path.join(out, 'Release', 'crossrank.node');
}

module.exports = { buildAddon };
