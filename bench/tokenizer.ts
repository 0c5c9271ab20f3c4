// Pairs/second of crossrank's C++ tokenizer against Hugging Face tokenizers (npm 0.23), both on one thread, same pairs.
// tokenizers' encodeBatch rejects [a, b] pairs in this binding, so it gets the 2n texts as single sequences (the same
// tokenization work minus the pair template); encode(a, b) per pair is shown too.
// Run: npm run bench:tokenizer [tokenizer.json ...]   (default: one tokenizer of each family; RAYON_NUM_THREADS=1 is set
// here so the Rust binding uses one thread too)
process.env.RAYON_NUM_THREADS = '1';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { queryPassagePairs, shortPairs, type TextPair } from '../test/helpers/pairs';
import { Tokenizer } from '../src/tokenizer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer: RefTokenizer } = require('tokenizers') as {
  Tokenizer: {
    fromFile(f: string): {
      setTruncation(n: number, o?: { strategy?: string }): void;
      disablePadding(): void;
      encode(a: string, b: string): Promise<unknown>;
      encodeBatch(texts: string[]): Promise<unknown[]>;
    };
  };
};

const DATA = path.resolve(__dirname, '../../shared/data/tokenizers');
const FIXTURES = path.resolve(__dirname, '../test/fixtures/tokenizers');
// One of each family: WordPiece, SentencePiece Unigram (DeBERTa-v3, T5 / XLM-R layout), byte-level BPE.
const FAMILIES = [
  ['WordPiece (ms-marco MiniLM)', `${DATA}/ms-marco-MiniLM-L6-v2/tokenizer.json`],
  ['Unigram (DeBERTa-v3, mxbai-rerank)', `${DATA}/deberta-v3/tokenizer.json`],
  ['Unigram (XLM-R layout, t5-small)', `${DATA}/t5-small/tokenizer.json`],
  ['Unigram (XLM-R fixture)', `${FIXTURES}/xlm-roberta/tokenizer.json`],
  ['byte-level BPE (ModernBERT)', `${DATA}/modernbert/tokenizer.json`],
  ['byte-level BPE (RoBERTa)', `${DATA}/roberta-base/tokenizer.json`],
].filter(([, file]) => fs.existsSync(file!)) as [string, string][];
const FILES: [string, string][] = process.argv.length > 2 ? process.argv.slice(2).map((f) => [path.basename(path.dirname(f)), f]) : FAMILIES;
const MAX_LENGTH = 512;
const MIN_SECONDS = 1.5;

async function timeLoop(run: () => Promise<number> | number): Promise<number> {
  await run(); // warm-up
  let pairs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS) {
    pairs += await run();
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return pairs / elapsed;
}

function tenMegabyteDocument(): string {
  const words = ['the', 'reranker', 'scores', 'each', 'passage', 'against', 'a', 'query,', 'and', 'returns', 'relevance.'];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 10_000_000; i++) {
    const w = words[(i * 7 + (i >> 4)) % words.length]!;
    parts.push(w);
    size += w.length + 1;
  }
  return parts.join(' ');
}

async function main(): Promise<void> {
  for (const [family, file] of FILES) await benchOne(family, file);
  console.log('\ncrossrank encodePairs runs one libuv threadpool task (string conversion included); the native loop excludes JS.');
}

async function benchOne(family: string, file: string): Promise<void> {
  const tok = await Tokenizer.fromFile(file);
  const ref = RefTokenizer.fromFile(file);
  ref.setTruncation(MAX_LENGTH, { strategy: 'LongestFirst' });
  ref.disablePadding(); // a tokenizer.json may save padding; crossrank never pads in the tokenizer
  const sets: [string, TextPair[]][] = [
    ['short (~60 tokens)', shortPairs(2000, 1)],
    ['query-passage (~130 tokens)', queryPassagePairs(1000, 2)],
    ['10 MB document', [['what does a reranker return?', tenMegabyteDocument()]]],
  ];
  console.log(`\n${family}: ${path.relative(process.cwd(), file)}, maxLength ${MAX_LENGTH}, one thread each\n`);
  const header = [
    'case',
    'crossrank native loop',
    'crossrank encodePairs',
    'tokenizers encodeBatch',
    'tokenizers encode(a,b)',
    'loop/encodeBatch',
    'encodePairs/encodeBatch',
    'encodePairs/encode',
  ];
  const rows: string[][] = [header];
  for (const [name, pairs] of sets) {
    const firsts = pairs.map((p) => p[0]);
    const seconds = pairs.map((p) => p[1]);
    const native = tok.nativeTokenizer;
    const loop = await timeLoop(() => {
      const rounds = pairs.length > 1 ? 1 : 50;
      native.timeEncodePairs(firsts, seconds, MAX_LENGTH, 'longest_first', rounds);
      return pairs.length * rounds;
    });
    const batch = await timeLoop(async () => (await tok.encodePairs(pairs, { maxLength: MAX_LENGTH })).length);
    const texts = pairs.flatMap((p) => [p[0], p[1]]);
    const batchRef = await timeLoop(async () => (await ref.encodeBatch(texts)).length / 2);
    const sample = pairs.slice(0, 300);
    const pairRef = await timeLoop(async () => {
      for (const [a, b] of sample) await ref.encode(a, b);
      return sample.length;
    });
    const digits = pairs.length > 1 ? 0 : 2;
    rows.push([
      name,
      `${loop.toFixed(0)} pairs/s`,
      `${batch.toFixed(0)} pairs/s`,
      `${batchRef.toFixed(digits)} pairs/s`,
      `${pairRef.toFixed(digits)} pairs/s`,
      `${(loop / batchRef).toFixed(1)}x`,
      `${(batch / batchRef).toFixed(1)}x`,
      `${(batch / pairRef).toFixed(1)}x`,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
