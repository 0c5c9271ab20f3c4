// The crossrank command, spawned as a real process (through tsx, so no build is needed) on the generated tiny models.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder, evaluateBinary } from '../src';
import { DataType as TensorType, decodeModel } from '../src/quantize/onnx-proto';
import { TINY, TINY_3_LABELS } from './helpers/models';

const root = path.resolve(__dirname, '..');
const MAIN = path.join(root, 'src', 'cli', 'main.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finish(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function crossrank(...args: string[]): Promise<Result> {
  return finish(start(args));
}

let dir: string;
let model: CrossEncoder;
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

const PAIRS: Array<[string, string]> = [
  ['It was a black umbrella with a loop.', 'A black umbrella was found on the bus.'],
  ['A white sneaker, size 9', 'A "blue" backpack,\nwith black straps.'],
  ['lost phone', 'A black phone case.'],
  ['lost phone', 'Keys on a red ring'],
];
const LABELS = [1, 0, 1, 0];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-cli-'));
  model = await CrossEncoder.load(TINY);
});

afterAll(async () => {
  await model.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const csvField = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('crossrank', () => {
  it('prints help, and exits 2 without a command or with an unknown one', async () => {
    const help = await crossrank('--help');
    expect(help.code).toBe(0);
    for (const name of ['score', 'rank', 'eval', 'bench', 'info', 'quantize', 'optimize']) expect(help.stdout).toContain(`  ${name}`);
    const none = await crossrank();
    expect(none.code).toBe(2);
    const unknown = await crossrank('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it.each(['score', 'rank', 'eval', 'bench', 'info'])('%s --help', async (name) => {
    const { code, stdout } = await crossrank(name, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: crossrank ${name} --model`);
    expect(stdout).toContain('--max-length');
  });

  it('is the package bin, an executable script with a node shebang', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ crossrank: 'dist/src/cli/main.js' });
    expect(fs.readFileSync(MAIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('crossrank score', () => {
  it('scores JSONL, CSV (quoted commas, newlines, quotes) and TSV in input order, as the library does', async () => {
    const expected = Array.from(await model.score(PAIRS), String);
    const jsonl = file('pairs.jsonl', PAIRS.map(([a, b], i) => JSON.stringify(i % 2 ? { query: a, document: b } : { text1: a, text2: b })).join('\n'));
    const csv = file('pairs.csv', `id,document,query\n${PAIRS.map(([a, b], i) => `${i},${csvField(b)},${csvField(a)}`).join('\r\n')}\n`);
    const tsv = file('pairs.tsv', `a\tb\n${PAIRS.map(([a, b]) => `${a}\t${b.replace('\n', ' ')}`).join('\n')}\n`);
    const fromJsonl = await crossrank('score', '--model', TINY, '--input', jsonl);
    expect(fromJsonl).toMatchObject({ code: 0, stderr: '' });
    expect(lines(fromJsonl.stdout)).toEqual(expected);
    const fromCsv = await crossrank('score', '-m', TINY, '-i', csv);
    expect(lines(fromCsv.stdout)).toEqual(expected);
    const fromTsv = await crossrank('score', '-m', TINY, '-i', tsv);
    const tsvExpected = Array.from(await model.score(PAIRS.map(([a, b]) => [a, b.replace('\n', ' ')] as [string, string])), String);
    expect(lines(fromTsv.stdout)).toEqual(tsvExpected);
  });

  it('writes JSONL to an --output ending in .jsonl, applies --activation, and gives several labels per line', async () => {
    const input = file('act.jsonl', PAIRS.map((p) => JSON.stringify(p)).join('\n'));
    const out = path.join(dir, 'scores.jsonl');
    const { code } = await crossrank('score', '-m', TINY, '-i', input, '-o', out, '--activation', 'sigmoid');
    expect(code).toBe(0);
    const expected = Array.from(await model.score(PAIRS, { activation: 'sigmoid' }));
    expect(lines(fs.readFileSync(out, 'utf8')).map((l) => JSON.parse(l))).toEqual(expected.map((score) => ({ score })));

    const three = await crossrank('score', '-m', TINY_3_LABELS, '-i', input);
    expect(three.code).toBe(0);
    const rows = lines(three.stdout).map((l) => l.split('\t').map(Number));
    expect(rows).toHaveLength(PAIRS.length);
    for (const row of rows) expect(row).toHaveLength(3);
  });

  it('stops at a malformed line with its number, exit code 2', async () => {
    const badJson = file('bad.jsonl', '{"text1":"a","text2":"b"}\n\n{"text1":"a", text2}\n');
    let r = await crossrank('score', '-m', TINY, '-i', badJson);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${badJson}:3: not valid JSON`);
    const missingKey = file('missing.jsonl', '{"text1":"a","text2":"b"}\n{"text1":"a"}\n');
    r = await crossrank('score', '-m', TINY, '-i', missingKey);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missingKey}:2: "text2" must be a string but is nothing`);
    const shortRow = file('short.csv', 'query,document\n"multi\nline",b\nlonely\n');
    r = await crossrank('score', '-m', TINY, '-i', shortRow);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${shortRow}:4: expected at least 2 columns but found 1`);
    const unclosed = file('unclosed.csv', 'query,document\na,"b\n');
    r = await crossrank('score', '-m', TINY, '-i', unclosed);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unclosed\.csv:\d+: .*Quote Not Closed/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on usage errors and 1 on runtime errors', async () => {
    const input = file('ok.jsonl', '["a","b"]\n');
    const cases: Array<[string[], number, string]> = [
      [['score', '-i', input], 2, '--model is required'],
      [['score', '-m', TINY], 2, '--input is required'],
      [['score', '-m', TINY, '-i', input, '--bogus'], 2, "Unknown option '--bogus'"],
      [['score', '-m', TINY, '-i', path.join(dir, 'absent.jsonl')], 2, 'does not exist'],
      [['score', '-m', TINY, '-i', file('pairs.xml', '')], 2, 'Cannot tell the format'],
      [['score', '-m', path.join(dir, 'no-model'), '-i', input], 2, 'ERR_MODEL_NOT_FOUND'],
      [['score', '-m', TINY, '-i', input, '--activation', 'tanh'], 2, '--activation must be one of'],
      [['score', '-m', TINY, '-i', input, '--max-length', '2'], 2, 'for --max-length'],
    ];
    for (const [args, code, message] of cases) {
      const r = await crossrank(...args);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toContain(message);
    }
    const corrupt = path.join(dir, 'corrupt');
    fs.mkdirSync(path.join(corrupt, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
      if (fs.existsSync(path.join(TINY, f))) fs.copyFileSync(path.join(TINY, f), path.join(corrupt, f));
    }
    fs.writeFileSync(path.join(corrupt, 'onnx', 'model.onnx'), 'not an onnx graph');
    const r = await crossrank('score', '-m', corrupt, '-i', input);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_MODEL_LOAD');
  });

  it('Ctrl-C stops with exit code 130, leaving complete score lines for the first pairs', async () => {
    const words = 'the quick brown fox jumps over a lazy dog near the warm stove'.split(' ');
    const text = (i: number, n: number): string => Array.from({ length: n }, (_, j) => words[(i + j) % words.length]).join(' ');
    const total = 4000;
    const input = file('long.jsonl', Array.from({ length: total }, (_, i) => JSON.stringify([text(i, 10), text(i, 250)])).join('\n'));
    const out = path.join(dir, 'long.out');
    const child = start(['score', '-m', TINY, '-i', input, '-o', out]);
    const result = finish(child);
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(out) && fs.statSync(out).size > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const { code, stderr } = await result;
    expect(code).toBe(130);
    const text2 = fs.readFileSync(out, 'utf8');
    expect(text2.endsWith('\n')).toBe(true);
    const written = lines(text2);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(total);
    for (const l of written) expect(Number.isFinite(Number(l))).toBe(true);
    const first = await model.score([[text(0, 10), text(0, 250)]]);
    expect(written[0]).toBe(String(first[0]));
    expect(stderr).toContain(`wrote ${written.length} of ${total} scores`);
  });
});

describe('crossrank rank', () => {
  const docs = ['A black umbrella was found on the bus.', 'A blue backpack.', '', 'A black phone case.', 'Keys on a red ring'];
  const query = 'lost: black umbrella';

  it('ranks a .txt (blank lines skipped) and a .jsonl best first, --top-k', async () => {
    const kept = docs.filter((d) => d !== '');
    const expected = await model.rank(query, kept, { returnDocuments: true });
    const txt = file('docs.txt', `${docs.join('\n')}\n`);
    const table = await crossrank('rank', '-m', TINY, '-q', query, '-d', txt);
    expect(table.code).toBe(0);
    const [header, ...rows] = lines(table.stdout);
    expect(header).toBe('rank\tcorpus_id\tscore\ttext');
    expect(rows).toEqual(expected.map((r, i) => `${i + 1}\t${r.corpusId}\t${r.score}\t${r.text}`));

    const jsonl = file('docs.jsonl', kept.map((d, i) => JSON.stringify(i % 2 ? d : { text: d })).join('\n'));
    const json = await crossrank('rank', '-m', TINY, '--query', query, '--documents', jsonl, '--top-k', '2', '--json');
    expect(json.code).toBe(0);
    expect(lines(json.stdout).map((l) => JSON.parse(l))).toEqual(expected.slice(0, 2).map((r, i) => ({ rank: i + 1, ...r })));
  });

  it('rejects a bad document line, a bad --top-k and a model with several labels', async () => {
    const bad = file('bad-docs.jsonl', '"one"\n{"title": "two"}\n');
    let r = await crossrank('rank', '-m', TINY, '-q', 'q', '-d', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: expected a JSON string or {"text": "…"}`);
    const txt = file('few.txt', 'a\nb\n');
    r = await crossrank('rank', '-m', TINY, '-q', 'q', '-d', txt, '--top-k', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--top-k must be an integer of at least 1');
    r = await crossrank('rank', '-m', TINY, '-d', txt);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--query is required');
    r = await crossrank('rank', '-m', TINY_3_LABELS, '-q', 'q', '-d', txt);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_UNSUPPORTED');
  });
});

describe('crossrank eval', () => {
  it('reports evaluateBinary of the model scores, as JSON and as the model-card table', async () => {
    const scores = await model.score(PAIRS);
    const metrics = evaluateBinary(scores, LABELS);
    const jsonl = file('labeled.jsonl', PAIRS.map(([a, b], i) => JSON.stringify({ text1: a, text2: b, label: LABELS[i] })).join('\n'));
    const json = await crossrank('eval', '-m', TINY, '-i', jsonl, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      accuracy: metrics.accuracy,
      accuracy_threshold: metrics.accuracyThreshold,
      f1: metrics.f1,
      f1_threshold: metrics.f1Threshold,
      precision: metrics.precision,
      recall: metrics.recall,
      average_precision: metrics.averagePrecision,
    });
    const csv = file('labeled.csv', `query,document,label\n${PAIRS.map(([a, b], i) => `${csvField(a)},${csvField(b)},${LABELS[i]}.0`).join('\n')}\n`);
    const table = await crossrank('eval', '-m', TINY, '-i', csv);
    expect(table.code).toBe(0);
    expect(lines(table.stdout)).toEqual([
      '| Metric                | Value      |',
      '|:----------------------|:-----------|',
      `| accuracy              | ${metrics.accuracy.toFixed(4).padEnd(10)} |`,
      `| accuracy_threshold    | ${metrics.accuracyThreshold.toFixed(4).padEnd(10)} |`,
      `| f1                    | ${metrics.f1.toFixed(4).padEnd(10)} |`,
      `| f1_threshold          | ${metrics.f1Threshold.toFixed(4).padEnd(10)} |`,
      `| precision             | ${metrics.precision.toFixed(4).padEnd(10)} |`,
      `| recall                | ${metrics.recall.toFixed(4).padEnd(10)} |`,
      `| **average_precision** | ${`**${metrics.averagePrecision.toFixed(4)}**`.padEnd(10)} |`,
    ]);
  });

  it('stops at a non-numeric or non-binary label and at a missing label column, with the line', async () => {
    const word = file('word.jsonl', '{"text1":"a","text2":"b","label":1}\n{"text1":"a","text2":"b","label":"yes"}\n');
    let r = await crossrank('eval', '-m', TINY, '-i', word);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${word}:2: label must be a number, 0 or 1, but is "yes"`);
    const two = file('two.csv', 'a,b,c\nx,y,1\nx,y,2\n');
    r = await crossrank('eval', '-m', TINY, '-i', two);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${two}:3: label must be 0 or 1, but is "2"`);
    const noLabel = file('nolabel.csv', 'query,document,relevance\nx,y,1\n');
    r = await crossrank('eval', '-m', TINY, '-i', noLabel);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${noLabel}:1: no label column`);
    const missing = file('missing-label.jsonl', '{"text1":"a","text2":"b"}\n');
    r = await crossrank('eval', '-m', TINY, '-i', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}:1: missing "label"`);
  });
});

describe('crossrank bench', () => {
  it('reports pairs/s, p50/p99 latency and peak RSS per concurrency level, on synthetic or given pairs', async () => {
    const r = await crossrank('bench', '-m', TINY, '--concurrency', '1,4', '--duration', '0.3', '--json');
    expect(r.code).toBe(0);
    const levels = lines(r.stdout).map((l) => JSON.parse(l));
    expect(levels.map((l) => l.concurrency)).toEqual([1, 4]);
    for (const l of levels) {
      expect(l.pairsPerSecond).toBeGreaterThan(0);
      expect(l.p99Ms).toBeGreaterThanOrEqual(l.p50Ms);
      expect(l.peakRssMiB).toBeGreaterThan(10);
    }
    const input = file('bench.jsonl', PAIRS.map((p) => JSON.stringify(p)).join('\n'));
    const table = await crossrank('bench', '-m', TINY, '-i', input, '-c', '2', '--duration', '0.2', '--batch', '3');
    expect(table.code).toBe(0);
    expect(lines(table.stdout)[0]).toMatch(/concurrency\s+pairs\/s\s+p50 ms\s+p99 ms\s+requests\s+peak RSS MiB/);
    const bad = await crossrank('bench', '-m', TINY, '--concurrency', '1,x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--concurrency must be positive integers');
  });
});

describe('crossrank info', () => {
  it('describes the model, the activation and max length in effect, ONNX Runtime and providers', async () => {
    const json = await crossrank('info', '-m', TINY, '--json', '--max-length', '128', '--activation', 'sigmoid');
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout);
    expect(info).toMatchObject({
      model: model.modelPath,
      architecture: 'BertForSequenceClassification',
      modelType: 'bert',
      numLabels: 1,
      activation: 'sigmoid',
      maxLength: 128,
      onnxRuntime: { version: model.runtime.version, path: model.runtime.path },
      executionProviders: { inUse: 'cpu' },
    });
    const table = await crossrank('info', '-m', TINY_3_LABELS);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^labels\s+3: /m);
    expect(table.stdout).toMatch(/^activation\s+identity$/m);
    expect(table.stdout).toContain(`ONNX Runtime  ${model.runtime.version}`);
    expect(table.stdout).toMatch(/^providers\s+cpu in use; available: .*cpu/m);
  });
});

describe('crossrank quantize / optimize', () => {
  const source = path.join(TINY, 'onnx', 'model.onnx');

  it('write the files that quantize: int8 / optimize: true run, which then load through modelFile', async () => {
    const int8 = path.join(dir, 'transform', 'onnx', 'model_int8.onnx');
    const fused = path.join(dir, 'transform', 'onnx', 'model_fused.onnx');
    const q = await crossrank('quantize', '-i', source, '-o', int8);
    expect(q).toMatchObject({ code: 0, stderr: '' });
    expect(q.stdout).toMatch(/model_int8\.onnx: \d+ weight nodes int8; fp32 kept: classifier head/);
    const o = await crossrank('optimize', '--input', source, '--output', fused);
    expect(o).toMatchObject({ code: 0, stderr: '' });
    expect(o.stdout).toContain('2 attention blocks fused');
    for (const name of fs.readdirSync(TINY)) if (name.endsWith('.json') || name.endsWith('.txt')) fs.copyFileSync(path.join(TINY, name), path.join(dir, 'transform', name));
    const info = JSON.parse((await crossrank('info', '-m', path.join(dir, 'transform'), '--model-file', 'onnx/model_int8.onnx', '--json')).stdout);
    expect([info.precision, info.optimized]).toEqual(['int8', false]);
    const fusedInfo = JSON.parse((await crossrank('info', '-m', path.join(dir, 'transform'), '--model-file', 'onnx/model_fused.onnx', '--json')).stdout);
    expect([fusedInfo.precision, fusedInfo.optimized]).toEqual(['fp32', true]);
    const scored = await crossrank('score', '-m', TINY, '-i', file('fused.jsonl', PAIRS.map((p) => JSON.stringify(p)).join('\n')), '--optimize');
    const expected = await model.score(PAIRS);
    lines(scored.stdout).forEach((line, i) => expect(Math.abs(Number(line) - (expected[i] as number))).toBeLessThanOrEqual(1e-4));
  });

  it('--weights writes signed or unsigned int8 weights, the same MatMuls int8 and the same figures', async () => {
    const written: Record<string, { types: (number | undefined)[]; names: string[]; figures: string }> = {};
    for (const weights of ['int8', 'uint8']) {
      const file = path.join(dir, 'weights', `model_${weights}.onnx`);
      const q = await crossrank('quantize', '-i', source, '-o', file, '--weights', weights);
      expect(q).toMatchObject({ code: 0, stderr: '' });
      const quantized = (decodeModel(fs.readFileSync(file)).graph?.initializer ?? []).filter((t) => t.name?.endsWith('_int8_quantized'));
      written[weights] = {
        types: [...new Set(quantized.map((t) => t.dataType))],
        names: quantized.map((t) => t.name ?? '').sort(),
        figures: /fidelity on the probe pairs: ([^;]*)/.exec(q.stdout)?.[1] ?? q.stdout,
      };
    }
    expect(written.int8?.types).toEqual([TensorType.INT8]);
    expect(written.uint8?.types).toEqual([TensorType.UINT8]);
    expect(written.int8?.names.length).toBeGreaterThan(0);
    expect(written.int8?.names).toEqual(written.uint8?.names);
    expect(written.int8?.figures).toBe(written.uint8?.figures);
    const bad = await crossrank('quantize', '-i', source, '-o', path.join(dir, 'weights', 'x.onnx'), '--weights', 'int4');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--weights must be one of int8, uint8, got "int4"');
    expect(fs.existsSync(path.join(dir, 'weights', 'x.onnx'))).toBe(false);
  });

  it('exit 2 on a missing input, a missing flag, no tokenizer to check with, or a graph with nothing to do', async () => {
    const missing = await crossrank('quantize', '-i', path.join(dir, 'nope.onnx'), '-o', path.join(dir, 'x.onnx'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    const noOutput = await crossrank('optimize', '-i', source);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toContain('--output is required');
    const lone = path.join(dir, 'lone', 'model.onnx');
    fs.mkdirSync(path.dirname(lone), { recursive: true });
    fs.copyFileSync(source, lone);
    const noTokenizer = await crossrank('optimize', '-i', lone, '-o', path.join(dir, 'lone', 'fused.onnx'));
    expect(noTokenizer.code).toBe(2);
    expect(noTokenizer.stderr).toContain('needs the model\'s tokenizer.json');
    const folder = path.join(dir, 'again');
    fs.mkdirSync(folder);
    for (const name of fs.readdirSync(TINY)) if (name.endsWith('.json') || name.endsWith('.txt')) fs.copyFileSync(path.join(TINY, name), path.join(folder, name));
    const fused = path.join(folder, 'fused-once.onnx');
    expect((await crossrank('optimize', '-i', source, '-o', fused)).code).toBe(0);
    const again = await crossrank('optimize', '-i', fused, '-o', path.join(folder, 'fused-twice.onnx'));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('[ERR_NOT_OPTIMIZABLE]');
    expect(fs.existsSync(path.join(folder, 'fused-twice.onnx'))).toBe(false);
    expect(fs.readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
