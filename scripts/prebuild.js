#!/usr/bin/env node
// Builds the addon into build-prebuild/ and copies it to prebuilds/<platform>-<arch>/crossrank.napi.node, the layout
// and name node-gyp-build picks for any Node-API runtime (prebuildify's layout; prebuildify itself only drives node-gyp).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildAddon } = require('./build-addon');

const root = path.resolve(__dirname, '..');
const platform = process.env.PREBUILD_PLATFORM || process.platform;
const arch = process.env.PREBUILD_ARCH || process.arch;

const built = buildAddon(path.join(root, 'build-prebuild'), arch);
const dir = path.join(root, 'prebuilds', `${platform}-${arch}`);
const dest = path.join(dir, 'crossrank.napi.node');
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(built, dest);
// Symbols only help a debugger; the dynamic symbol table Node needs stays.
if (platform === 'linux') execFileSync('strip', ['--strip-unneeded', dest], { stdio: 'inherit' });
if (platform === 'darwin') execFileSync('strip', ['-x', dest], { stdio: 'inherit' });
console.log(`prebuild: ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`);
