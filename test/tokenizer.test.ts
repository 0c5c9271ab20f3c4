// Tokenizer API behaviour: loading (tokenizer.json, vocab.txt), options, errors and their codes, huge documents.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from '../src/tokenizer';
import { SHARED_TOKENIZERS } from './helpers/models';
import { ordinaryPairs } from './helpers/pairs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ref = require('tokenizers') as {
  Tokenizer: { fromFile(f: string): RefTokenizer; fromString(s: string): RefTokenizer };
};
interface RefTokenizer {
  setTruncation(n: number, o?: { strategy?: string }): void;
  disableTruncation(): void;
  disablePadding(): void;
  encode(a: string, b?: string): Promise<{ getIds(): number[]; getTypeIds(): number[] }>;
}

const DATA = SHARED_TOKENIZERS;
const MS_MARCO = `${DATA}/ms-marco-MiniLM-L6-v2/tokenizer.json`;
const CASED_DIR = `${DATA}/bert-base-cased`;

// The tokenizer.json transformers builds for a BertTokenizer from vocab.txt (its BertConverter), for the reference.
function bertTokenizerJson(vocabFile: string, lowercase: boolean): string {
  const lines = fs.readFileSync(vocabFile, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const vocab: Record<string, number> = {};
  lines.forEach((t, i) => (vocab[t] = i));
  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  });
}

function tmpDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-tok-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const SAMPLES: [string, string][] = [
  ['Hello, World! Héllò hôw are ü?', 'Straße İstanbul ΣΟΦΊΑ 東京タワー [SEP] naïve café'],
  ['', 'only the second text'],
  ['A black phone case.', 'The item is a promotional display featuring a variety of phone cases, including solid blue cases.'],
];

describe('Tokenizer.fromModelDir with a bare vocab.txt', () => {
  for (const lower of [false, true]) {
    it(`matches the reference built from the same vocab (do_lower_case ${lower})`, async () => {
      const dir = tmpDir({
        'vocab.txt': fs.readFileSync(path.join(CASED_DIR, 'vocab.txt'), 'utf8'),
        'tokenizer_config.json': JSON.stringify({ do_lower_case: lower, model_max_length: 512 }),
      });
      const tok = await Tokenizer.fromModelDir(dir);
      const reference = ref.Tokenizer.fromString(bertTokenizerJson(path.join(CASED_DIR, 'vocab.txt'), lower));
      reference.setTruncation(24, { strategy: 'LongestFirst' });
      for (const [a, b] of SAMPLES) {
        const want = await reference.encode(a, b);
        const got = tok.encodePair(a, b, { maxLength: 24 });
        expect(Array.from(got.ids)).toEqual(want.getIds());
        expect(Array.from(got.typeIds)).toEqual(want.getTypeIds());
      }
    });
  }

  it('reads the shared bert-base-cased folder (vocab.txt + config.json; no tokenizer_config means do_lower_case true, as in transformers)', async () => {
    const tok = await Tokenizer.fromModelDir(CASED_DIR);
    expect(tok.defaultMaxLength).toBe(512);
    expect(tok.encodePair('a', 'b').ids.length).toBe(5);
  });
});

describe('Tokenizer API', () => {
  let tok: Tokenizer;
  let reference: RefTokenizer;
  beforeAll(async () => {
    tok = await Tokenizer.fromFile(MS_MARCO);
    reference = ref.Tokenizer.fromFile(MS_MARCO);
  });

  it('takes the default max length from tokenizer_config.json and config.json', () => {
    expect(tok.defaultMaxLength).toBe(512);
  });

  it('encodePairs (threadpool) equals encodePair', async () => {
    const many = Array.from({ length: 200 }, (_, i) => SAMPLES[i % SAMPLES.length]!);
    const batch = await tok.encodePairs(many, { maxLength: 16, truncation: 'longest_first' });
    batch.forEach((e, i) => expect(e).toEqual(tok.encodePair(many[i]![0], many[i]![1], { maxLength: 16 })));
  });

  it('raises ERR_TRUNCATION where the reference errors (only_second with a long first text)', async () => {
    const a = 'word '.repeat(50);
    reference.setTruncation(10, { strategy: 'OnlySecond' });
    await expect(reference.encode(a, 'short')).rejects.toThrow();
    expect(() => tok.encodePair(a, 'short', { maxLength: 10, truncation: 'only_second' })).toThrow(
      expect.objectContaining({ code: 'ERR_TRUNCATION' }),
    );
    await expect(tok.encodePairs([[a, 'short']], { maxLength: 10, truncation: 'only_second' })).rejects.toMatchObject({
      code: 'ERR_TRUNCATION',
    });
  });

  it('validates its arguments with coded errors', async () => {
    expect(() => tok.encodePair(1 as unknown as string, 'b')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => tok.encodePair('a', 'b', { maxLength: 2 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => tok.encodePair('a', 'b', { maxLength: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => tok.encodePair('a', 'b', { truncation: 'middle' as never })).toThrow(/longest_first/);
    expect(() => tok.encodePair('a', 'b', { maxlength: 3 } as never)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_OPTION' }));
    await expect(tok.encodePairs([['a']] as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('turns lone surrogates into U+FFFD like Node, and never crashes on odd input', async () => {
    reference.disableTruncation();
    for (const [a, b] of [['\uD800x\uDFFF', 'a\uDC00b'], ['\u0000\u0000', '\uFFFF\u{10FFFF}'], ['[SEP][CLS]', '[MASK']] as [string, string][]) {
      const want = await reference.encode(a, b);
      expect(Array.from(tok.encodePair(a, b, { maxLength: 512 }).ids)).toEqual(want.getIds());
    }
  });

  it('refuses a component it does not implement, naming it, and a malformed file with ERR_TOKENIZER', async () => {
    const json = JSON.parse(fs.readFileSync(MS_MARCO, 'utf8'));
    const dir = tmpDir({});
    const file = path.join(dir, 'tokenizer.json');
    const refused = async (patch: Record<string, unknown>, name: string) => {
      fs.writeFileSync(file, JSON.stringify({ ...json, ...patch }));
      await expect(Tokenizer.fromFile(file)).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED_TOKENIZER',
        message: expect.stringContaining(name),
      });
    };
    await refused({ model: { type: 'Tiktoken', vocab: {} } }, 'Tiktoken');
    await refused({ pre_tokenizer: { type: 'UnicodeScripts' } }, 'UnicodeScripts');
    await refused({ normalizer: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'Frobnicate' }] } }, 'Frobnicate');
    await refused({ post_processor: { type: 'Wrapper' } }, 'Wrapper');
    await expect(Tokenizer.fromFile(`${DATA}/gpt2/tokenizer.json`)).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_TOKENIZER',
      message: expect.stringContaining('no special tokens'),
    });
    fs.writeFileSync(file, '{"model": ');
    await expect(Tokenizer.fromFile(file)).rejects.toMatchObject({ code: 'ERR_TOKENIZER', message: expect.stringContaining(file) });
    fs.writeFileSync(file, JSON.stringify({ ...json, model: { type: 'WordPiece', vocab: 'nope' } }));
    await expect(Tokenizer.fromFile(file)).rejects.toMatchObject({ code: 'ERR_TOKENIZER' });
    await expect(Tokenizer.fromModelDir(tmpDir({}))).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
    // A slow SentencePiece tokenizer alone: say how to get the tokenizer.json (as TEI does), not "not found".
    await expect(Tokenizer.fromModelDir(tmpDir({ 'spm.model': 'x', 'tokenizer_config.json': '{}' }))).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_TOKENIZER',
      message: expect.stringMatching(/spm\.model.*save_pretrained/),
    });
  });

  it('ignores truncation and padding saved in a tokenizer.json', async () => {
    const file = `${DATA}/bert-base-multilingual-cased/tokenizer.json`;
    const multi = await Tokenizer.fromFile(file);
    const long = 'many words here '.repeat(40);
    expect(multi.encodePair(long, 'x', { maxLength: 100 }).ids.length).toBe(100);
    expect(multi.encodePair('a', 'b', { maxLength: 100 }).ids.length).toBe(5);
  });

  it('encodes a 10 MB document exactly like the reference', async () => {
    const words = ['reranking', 'passage', 'the', 'of', 'cross-encoder', 'Zürich', 'data,', 'tokens.'];
    let doc = '';
    for (let i = 0; doc.length < 10_000_000; i++) doc += words[(i * 7 + (i >> 3)) % words.length] + ' ';
    const query = 'what is a cross-encoder?';
    for (const [truncation, strategy] of [['longest_first', 'LongestFirst']] as const) {
      reference.setTruncation(128, { strategy });
      const want = await reference.encode(query, doc);
      const got = tok.encodePair(query, doc, { maxLength: 128, truncation });
      expect(Array.from(got.ids)).toEqual(want.getIds());
      expect(Array.from(got.typeIds)).toEqual(want.getTypeIds());
    }
  }, 60_000);
});

describe('remembered pieces', () => {
  // The pipeline remembers each thread's recent pieces (the crate caches words too). Two tokenizers that give the same
  // piece different ids, used in turn on one thread, must each keep their own ids.
  it('never hands one tokenizer the ids another gave the same piece', async () => {
    const file = path.resolve(__dirname, 'fixtures/tokenizers/xlm-roberta/tokenizer.json');
    const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as { model: { vocab: [string, number][] } };
    const vocab = spec.model.vocab;
    // Same pieces and scores (so the same segmentation) at other ids; the added tokens keep theirs (0-3 and the last).
    spec.model.vocab = [...vocab.slice(0, 4), ...vocab.slice(4, -1).reverse(), vocab.at(-1)!];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-cache-'));
    const shuffled = path.join(dir, 'tokenizer.json');
    fs.writeFileSync(shuffled, JSON.stringify(spec));
    const pairs = ordinaryPairs(40, 7);
    const sides = await Promise.all([file, shuffled].map(async (f) => {
      const reference = ref.Tokenizer.fromFile(f);
      reference.disablePadding();
      reference.setTruncation(512);
      const expected = [];
      for (const [a, b] of pairs) expected.push((await reference.encode(a, b)).getIds());
      return { tok: await Tokenizer.fromFile(f), expected };
    }));
    expect(sides[0]!.expected).not.toEqual(sides[1]!.expected);
    for (let round = 0; round < 3; round++) {
      pairs.forEach(([a, b], i) => {
        for (const side of sides) expect(Array.from(side.tok.encodePair(a, b, { maxLength: 512 }).ids)).toEqual(side.expected[i]);
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('Tokenizer.fromModelDir with vocab.json + merges.txt', () => {
  const ROBERTA = path.join(DATA, 'roberta-base', 'tokenizer.json');

  it("matches roberta-base's tokenizer.json when given only its vocabulary and merges (RobertaTokenizer)", async () => {
    const saved = JSON.parse(fs.readFileSync(ROBERTA, 'utf8')) as { model: { vocab: Record<string, number>; merges: string[] } };
    const dir = tmpDir({
      'vocab.json': JSON.stringify(saved.model.vocab),
      'merges.txt': ['#version: 0.2', ...saved.model.merges, ''].join('\n'),
      'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'RobertaTokenizer', model_max_length: 512 }),
    });
    const tok = await Tokenizer.fromModelDir(dir);
    expect(tok.defaultMaxLength).toBe(512);
    const reference = ref.Tokenizer.fromString(fs.readFileSync(ROBERTA, 'utf8'));
    reference.setTruncation(40, { strategy: 'LongestFirst' });
    const pairs: [string, string][] = [...SAMPLES, ...ordinaryPairs(300, 11), ['a <mask> here', ' <s>x</s>  spaced\tout ']];
    for (const [a, b] of pairs) {
      const want = await reference.encode(a, b);
      const got = tok.encodePair(a, b, { maxLength: 40 });
      expect(Array.from(got.ids)).toEqual(want.getIds());
    }
  }, 60_000);

  it('refuses the files of another BPE family, naming it and how to get a tokenizer.json', async () => {
    const dir = tmpDir({
      'vocab.json': '{"a": 0}',
      'merges.txt': '#version: 0.2\n',
      'tokenizer_config.json': fs.readFileSync(path.join(DATA, 'qwen2', 'tokenizer_config.json'), 'utf8'),
    });
    await expect(Tokenizer.fromModelDir(dir)).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_TOKENIZER',
      message: expect.stringMatching(/Qwen2Tokenizer.*save_pretrained/),
    });
  });
});
