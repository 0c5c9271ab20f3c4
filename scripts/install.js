#!/usr/bin/env node
// npm install hook: does nothing when a prebuilt addon or a local build loads, else builds from source and says why.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// In a clone (sources beside a .git folder) `npm run setup` builds; an install hook must not race it.
if (fs.existsSync(path.join(root, '.git'))) process.exit(0);

function loadable() {
  try {
    return require('node-gyp-build').path(root);
  } catch {
    return undefined;
  }
}

if (process.env.CROSSRANK_NATIVE_BINDING || loadable()) process.exit(0);

console.log(
  `crossrank: no prebuilt addon for ${process.platform}-${process.arch} (Node-API) in prebuilds/; building from source ` +
    'with cmake-js (needs cmake and a C++17 compiler). Set CROSSRANK_NATIVE_BINDING to use an addon built elsewhere.',
);
try {
  require('./build-addon').buildAddon(path.join(root, 'build'));
} catch (error) {
  const missing = error.code === 'MODULE_NOT_FOUND';
  console.error(
    missing
      ? 'crossrank: cmake-js is not installed; run `npm install --save-dev cmake-js` in your project, then `npm rebuild crossrank`.'
      : `crossrank: building from source failed (${error.message}). Install cmake and a C++17 compiler, ` +
          'or use a platform with a prebuilt binary (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64).',
  );
  process.exit(1);
}
