// Generates native/tokenizer/normalizers/normalization_tables.cc: what NFC/NFKC/NFKD and StripAccents need beyond
// unicode_tables.cc (which has the canonical decompositions and combining classes): full compatibility decompositions,
// primary composites and the General_Category=Mark set.
// Version: the crate's unicode-normalization-alignments 0.1.12 has Unicode 9.0.0 tables (measured against npm tokenizers
// 0.23.2), so only code points assigned in 9.0.0 or earlier count, taken from Debian unicode-data 15.0.0
// (/usr/share/unicode: UnicodeData.txt, DerivedAge.txt, DerivedNormalizationProps.txt). Decompositions never change
// once assigned, so each generated mapping is then checked against Node's String.prototype.normalize (ICU, newer
// Unicode) on every such code point; the script fails on any difference. General categories do change (U+1CF2, U+1CF3,
// U+111C9 became marks later), so the Mark set comes from npm @unicode/unicode-9.0.0@2.0.7 itself.
// Run: apt-get install unicode-data && npx tsx scripts/gen-normalization-tables.ts   (fetches that package with npm pack)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const UCD = '/usr/share/unicode';
const MARKS_PACKAGE = '@unicode/unicode-9.0.0@2.0.7';
const VERSION = 90; // Unicode 9.0, as major * 10 + minor
const OUT = path.resolve(__dirname, '../native/tokenizer/normalizers/normalization_tables.cc');
const MAX = 0x110000;
const BLOCK = 256;
const S_BASE = 0xac00, S_COUNT = 11172;

function ucdLines(file: string): string[][] {
  const text = fs.readFileSync(path.join(UCD, file), 'utf8');
  return text.split('\n').map((l) => l.split('#')[0].trim()).filter(Boolean).map((l) => l.split(';').map((f) => f.trim()));
}

function parseRange(r: string): [number, number] {
  const [a, b] = r.split('..');
  return [parseInt(a, 16), parseInt(b ?? a, 16)];
}

function fetchPackage(spec: string): string {
  const dir = path.join(os.tmpdir(), 'crossrank-unicode', spec.replace(/[@/]/g, '_'));
  if (!fs.existsSync(path.join(dir, 'package', 'package.json'))) {
    fs.mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir]);
  }
  return path.join(dir, 'package');
}

async function main(): Promise<void> {
  const age = new Uint8Array(MAX).fill(255);
  for (const [r, v] of ucdLines('DerivedAge.txt')) {
    const [a, b] = parseRange(r);
    const [maj, min] = v.split('.').map(Number);
    for (let c = a; c <= b; c++) age[c] = maj * 10 + min;
  }
  const assigned = (c: number) => age[c] <= VERSION;

  const ccc = new Uint8Array(MAX);
  const single = new Map<number, { compat: boolean; seq: number[] }>();
  const mark = new Uint8Array(MAX);
  let first = -1;
  for (const f of ucdLines('UnicodeData.txt')) {
    const cp = parseInt(f[0], 16);
    if (f[1].endsWith('First>')) { first = cp; continue; }
    const [lo, hi] = f[1].endsWith('Last>') ? [first, cp] : [cp, cp];
    for (let c = lo; c <= hi; c++) {
      if (!assigned(c)) continue;
      ccc[c] = Number(f[3]);
      if (f[5]) {
        const compat = f[5].startsWith('<');
        const seq = f[5].replace(/^<[^>]*>\s*/, '').split(' ').map((x) => parseInt(x, 16));
        single.set(c, { compat, seq });
      }
    }
  }
  const marks = (await import(pathToFileURL(path.join(fetchPackage(MARKS_PACKAGE), 'General_Category/Mark/code-points.mjs')).href)).default as number[];
  for (const c of marks) mark[c] = 1;
  const exclusion = new Uint8Array(MAX);
  for (const [r, prop] of ucdLines('DerivedNormalizationProps.txt')) {
    if (prop !== 'Full_Composition_Exclusion') continue;
    const [a, b] = parseRange(r);
    for (let c = a; c <= b; c++) exclusion[c] = 1;
  }

  // Full compatibility decomposition, canonical reordering included (Hangul syllables are left to the algorithm).
  const fullCompat = (c: number): number[] => {
    const d = single.get(c);
    return d ? d.seq.flatMap(fullCompat) : [c];
  };
  const reorder = (seq: number[]): number[] => {
    const out = seq.slice();
    for (let i = 1; i < out.length; i++) {
      for (let j = i; j > 0 && ccc[out[j]] !== 0 && ccc[out[j - 1]] > ccc[out[j]]; j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
    }
    return out;
  };
  const compat = new Map<number, number[]>();
  for (const c of single.keys()) compat.set(c, reorder(fullCompat(c)));

  // Primary composites: canonical pairs whose composite is not excluded.
  const pairs: [number, number, number][] = [];
  for (const [c, d] of single) {
    if (d.compat || d.seq.length !== 2 || exclusion[c]) continue;
    pairs.push([d.seq[0], d.seq[1], c]);
  }
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);

  // Check each assigned code point against ICU: NFKD, and NFC/NFKC of that decomposition.
  let checked = 0;
  const str = (cps: number[]) => String.fromCodePoint(...cps);
  for (let c = 0; c < MAX; c++) {
    if (!assigned(c) || (c >= 0xd800 && c <= 0xdfff) || (c >= S_BASE && c < S_BASE + S_COUNT)) continue;
    const s = String.fromCodePoint(c);
    const mine = compat.get(c) ?? [c];
    if (s.normalize('NFKD') !== str(mine)) throw new Error(`NFKD U+${c.toString(16)}: ${JSON.stringify(s.normalize('NFKD'))} vs ${JSON.stringify(str(mine))}`);
    checked++;
  }
  const composite = new Map(pairs.map(([a, b, c]) => [`${a},${b}`, c]));
  for (const [a, b, c] of pairs) {
    if (str([a, b]).normalize('NFC') !== String.fromCodePoint(c)) throw new Error(`pair U+${a.toString(16)} U+${b.toString(16)}`);
  }
  if (composite.size !== pairs.length) throw new Error('duplicate pair');

  const flags = new Uint8Array(MAX); // 1: Mark (General_Category M), 2: has a compatibility-only decomposition
  const compatIdx = new Uint16Array(MAX);
  const pool: number[] = [];
  const entries: [number, number][] = [[0, 0]];
  for (const [c, seq] of [...compat].sort((x, y) => x[0] - y[0])) {
    compatIdx[c] = entries.length;
    entries.push([pool.length, seq.length]);
    pool.push(...seq);
  }
  if (entries.length > 0xffff) throw new Error('too many mappings for uint16 indices');
  for (let c = 0; c < MAX; c++) if (mark[c]) flags[c] |= 1;

  const parts: string[] = [];
  const twoStage = (name: string, type: string, values: ArrayLike<number>) => {
    const blocks: string[] = [];
    const ids = new Map<string, number>();
    const stage1: number[] = [];
    for (let b = 0; b < MAX / BLOCK; b++) {
      const key = Array.prototype.slice.call(values, b * BLOCK, (b + 1) * BLOCK).join(',');
      if (!ids.has(key)) { ids.set(key, blocks.length); blocks.push(key); }
      stage1.push(ids.get(key)!);
    }
    parts.push(`const uint16_t ${name}Stage1[${stage1.length}] = {${wrap(stage1)}};`);
    parts.push(`const ${type} ${name}Stage2[${blocks.length * BLOCK}] = {${wrap(blocks.join(',').split(',').map(Number))}};`);
  };
  twoStage('kMark', 'uint8_t', flags);
  twoStage('kCompatibility', 'uint16_t', compatIdx);
  parts.push(`const unicode::MappingEntry kCompatibilityMappings[${entries.length}] = {${wrap(entries.map(([o, n]) => `{${o}, ${n}}`))}};`);
  parts.push(`const char32_t kCompatibilityPool[${pool.length}] = {${wrap(pool)}};`);
  parts.push(`const CompositionPair kCompositionPairs[${pairs.length}] = {${wrap(pairs.map(([a, b, c]) => `{${a}, ${b}, ${c}}`))}};`);
  parts.push(`const size_t kCompositionPairCount = ${pairs.length};`);

  const header = [
    '// GENERATED by scripts/gen-normalization-tables.ts; do not edit. Unicode 9.0.0 (the crate\'s unicode-normalization-alignments)',
    '// compatibility decompositions, primary composites and General_Category=Mark, from Debian unicode-data 15.0.0 + DerivedAge and ' + MARKS_PACKAGE + '.',
    '#include "tokenizer/normalizers/normalization_tables.h"',
    '',
    'namespace crossrank {',
    'namespace normalization {',
    '',
  ];
  fs.writeFileSync(OUT, [...header, ...parts, '', '}  // namespace normalization', '}  // namespace crossrank', ''].join('\n'));
  console.log(`wrote ${OUT}: ${compat.size} decompositions (${pool.length} pooled), ${pairs.length} composites; ${checked} code points checked against ICU`);
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
