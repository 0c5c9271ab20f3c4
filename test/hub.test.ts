// Hub loading against a local server that mimics the Hugging Face resolve endpoint and its CDN: never the network.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { resolveModel } from '../src/hub/resolve-model';
import { TINY } from './helpers/models';

const EXTERNAL_FIXTURES = path.join(__dirname, 'fixtures', 'external-data');
const COMMIT = 'c0ffee0000000000000000000000000000000042';
const TOKEN = 'hf_secret';
const PAIRS: [string, string][] = [
  ['what is a panda?', 'The giant panda is a bear species endemic to China.'],
  ['what is a panda?', 'Paris is the capital of France.'],
];

interface Entry {
  body: Buffer;
  lfs: boolean;
  sha256: string;
  gitSha1: string;
}

interface Logged {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  authorization: string | undefined;
  range: string | undefined;
}

function entry(body: Buffer, lfs: boolean): Entry {
  const gitSha1 = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
  return { body, lfs, sha256: createHash('sha256').update(body).digest('hex'), gitSha1 };
}

function tinyFiles(): Map<string, Entry> {
  const files = new Map<string, Entry>();
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
    files.set(name, entry(fs.readFileSync(path.join(TINY, name)), false));
  }
  files.set('onnx/model.onnx', entry(fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')), true));
  return files;
}

const repos = new Map<string, { files: Map<string, Entry>; private: boolean }>();
const log: Logged[] = [];
const faults = { cutOnce: false, corruptOnce: false, corruptAlways: false, slow: false };
let hub: http.Server;
let cdn: http.Server;
let hubUrl = '';
let cdnUrl = '';
const blobsBySha = new Map<string, Buffer>();

function record(server: 'hub' | 'cdn', req: http.IncomingMessage): void {
  log.push({
    server,
    method: req.method ?? '',
    url: req.url ?? '',
    authorization: req.headers.authorization,
    range: req.headers.range,
  });
}

function notFound(res: http.ServerResponse, code: string): void {
  res.writeHead(404, { 'x-error-code': code }).end();
}

// GET /{org}/{name}/resolve/{revision}/{file}: small files inline, LFS files as a redirect to the CDN origin.
function handleHub(req: http.IncomingMessage, res: http.ServerResponse): void {
  record('hub', req);
  const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(req.url ?? '');
  if (!match) return notFound(res, 'RepoNotFound');
  const [, repoId, rawRevision, rawFile] = match as unknown as [string, string, string, string];
  const repo = repos.get(repoId);
  if (!repo || (repo.private && req.headers.authorization !== `Bearer ${TOKEN}`)) {
    res.writeHead(401, { 'x-error-code': 'RepoNotFound' }).end();
    return;
  }
  const revision = decodeURIComponent(rawRevision);
  if (revision !== 'main' && revision !== COMMIT) return notFound(res, 'RevisionNotFound');
  const file = repo.files.get(rawFile.split('/').map(decodeURIComponent).join('/'));
  if (!file) return notFound(res, 'EntryNotFound');
  if (file.lfs) {
    res.writeHead(302, {
      location: `${cdnUrl}/blobs/${file.sha256}`,
      'x-repo-commit': COMMIT,
      'x-linked-etag': `"${file.sha256}"`,
      'x-linked-size': String(file.body.length),
      etag: `"${file.sha256}"`,
    });
    res.end();
    return;
  }
  res.writeHead(200, { 'x-repo-commit': COMMIT, etag: `"${file.gitSha1}"`, 'content-length': String(file.body.length) });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

// GET /blobs/{sha256} with Range support and the injected faults.
function handleCdn(req: http.IncomingMessage, res: http.ServerResponse): void {
  record('cdn', req);
  const body = blobsBySha.get((req.url ?? '').replace('/blobs/', ''));
  if (!body) return notFound(res, 'EntryNotFound');
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  let sent = body.subarray(start);
  if (faults.corruptOnce || faults.corruptAlways) {
    faults.corruptOnce = false;
    sent = Buffer.from(sent);
    sent[sent.length >> 1] = (sent[sent.length >> 1] as number) ^ 0xff;
  }
  const headers: http.OutgoingHttpHeaders = { 'content-length': String(sent.length), 'accept-ranges': 'bytes' };
  if (range) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
  res.writeHead(range ? 206 : 200, headers);
  if (faults.cutOnce) {
    faults.cutOnce = false;
    res.write(sent.subarray(0, sent.length >> 1), () => res.destroy());
    return;
  }
  if (faults.slow) {
    // Twenty pieces over about a second, so that concurrent downloads overlap.
    const piece = Math.ceil(sent.length / 20);
    const next = (at: number): void => {
      if (at >= sent.length) return void res.end();
      res.write(sent.subarray(at, at + piece), () => setTimeout(() => next(at + piece), 50));
    };
    return next(0);
  }
  res.end(sent);
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const savedEnv: Record<string, string | undefined> = {};
const ENV_KEYS = ['HF_ENDPOINT', 'HF_TOKEN', 'HF_HUB_OFFLINE', 'HF_HUB_CACHE', 'HF_HOME', 'HUGGING_FACE_HUB_TOKEN'];
let cacheDir: string;
let reference: Float32Array;

beforeAll(async () => {
  const files = tinyFiles();
  const withoutOnnx = new Map([...files].filter(([name]) => !name.startsWith('onnx/')));
  repos.set('test/tiny', { files, private: false });
  repos.set('test/private', { files, private: true });
  repos.set('test/no-onnx', { files: withoutOnnx, private: false });
  // A graph with its weights in two external-data files, one in a subfolder (test/fixtures/external-data).
  const external = new Map([...files].filter(([name]) => !name.startsWith('onnx/')));
  external.set('onnx/model.onnx', entry(fs.readFileSync(path.join(EXTERNAL_FIXTURES, 'external.onnx')), true));
  external.set('onnx/weights.bin', entry(fs.readFileSync(path.join(EXTERNAL_FIXTURES, 'weights.bin')), true));
  repos.set('test/external-missing', { files: new Map(external), private: false });
  external.set('onnx/nested/more.bin', entry(fs.readFileSync(path.join(EXTERNAL_FIXTURES, 'nested', 'more.bin')), true));
  repos.set('test/external', { files: external, private: false });
  const spmOnly = new Map([...files].filter(([name]) => !['tokenizer.json', 'vocab.txt'].includes(name)));
  spmOnly.set('sentencepiece.bpe.model', entry(Buffer.from('not fetched'), true));
  repos.set('test/spm-only', { files: spmOnly, private: false });
  repos.set('test/vocab-only', { files: new Map([...files].filter(([name]) => name !== 'tokenizer.json')), private: false });
  for (const repo of repos.values()) for (const file of repo.files.values()) if (file.lfs) blobsBySha.set(file.sha256, file.body);
  hub = http.createServer(handleHub);
  cdn = http.createServer(handleCdn);
  hubUrl = await listen(hub);
  cdnUrl = await listen(cdn);
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  for (const key of ENV_KEYS) delete process.env[key];
  process.env.HF_ENDPOINT = hubUrl;
  // No token file of a real login may leak into the requests.
  process.env.HF_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-hf-home-'));
  const local = await CrossEncoder.load(TINY, { threads: 1 });
  reference = await local.score(PAIRS);
  await local.close();
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await new Promise((resolve) => hub.close(resolve));
  await new Promise((resolve) => cdn.close(resolve));
});

beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-hub-'));
  log.length = 0;
  Object.assign(faults, { cutOnce: false, corruptOnce: false, corruptAlways: false, slow: false });
});

afterEach(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

async function scoreFromHub(id: string, options: Parameters<typeof CrossEncoder.load>[1] = {}): Promise<Float32Array> {
  const model = await CrossEncoder.load(id, { threads: 1, cacheDir, ...options });
  try {
    return await model.score(PAIRS);
  } finally {
    await model.close();
  }
}

const repoRoot = (): string => path.join(cacheDir, 'models--test--tiny');
const modelSha = (): string => (repos.get('test/tiny')?.files.get('onnx/model.onnx') as Entry).sha256;

function listTree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('loading from the hub', () => {
  it('downloads only the needed files into the Hugging Face cache layout and scores like the local folder', async () => {
    const progress: { file: string; loaded: number; total: number | undefined }[] = [];
    const scores = await scoreFromHub('test/tiny', { token: TOKEN, onProgress: (p) => progress.push(p) });
    expect(Array.from(scores)).toEqual(Array.from(reference));

    const root = repoRoot();
    expect(fs.readFileSync(path.join(root, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    const snapshot = path.join(root, 'snapshots', COMMIT);
    const model = path.join(snapshot, 'onnx', 'model.onnx');
    expect(fs.lstatSync(model).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(model)).toBe(path.join('..', '..', '..', 'blobs', modelSha()));
    const config = repos.get('test/tiny')?.files.get('config.json') as Entry;
    expect(fs.realpathSync(path.join(snapshot, 'config.json'))).toBe(fs.realpathSync(path.join(root, 'blobs', config.gitSha1)));
    expect(listTree(snapshot)).toEqual(
      // vocab.txt is not fetched: tokenizer.json is there.
      ['config.json', 'onnx', 'onnx/model.onnx', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    expect(listTree(path.join(root, 'blobs')).some((name) => name.includes('incomplete') || name.endsWith('.tmp'))).toBe(false);
    // Files the repo lacks are remembered the way huggingface_hub does.
    expect(fs.existsSync(path.join(root, '.no_exist', COMMIT, 'config_sentence_transformers.json'))).toBe(true);

    const last = progress.filter((p) => p.file === 'onnx/model.onnx').at(-1);
    const size = blobsBySha.get(modelSha())?.length;
    expect(last).toEqual({ file: 'onnx/model.onnx', loaded: size, total: size });
    // The token reaches the hub, never the CDN on another origin.
    expect(log.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const cdnRequests = log.filter((r) => r.server === 'cdn');
    expect(cdnRequests.map((r) => r.method)).toEqual(['GET']);
    expect(cdnRequests[0]?.authorization).toBeUndefined();
  });

  it('loads a second time with offline: true (and with HF_HUB_OFFLINE) without any request', async () => {
    await scoreFromHub('test/tiny');
    log.length = 0;
    expect(Array.from(await scoreFromHub('test/tiny', { offline: true }))).toEqual(Array.from(reference));
    process.env.HF_HUB_OFFLINE = '1';
    try {
      expect(Array.from(await scoreFromHub('test/tiny'))).toEqual(Array.from(reference));
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
    expect(log).toEqual([]);
  });

  it('offline with an empty cache fails with ERR_HUB_OFFLINE and makes no request', async () => {
    await expect(resolveModel('test/tiny', { cacheDir, offline: true })).rejects.toMatchObject({
      code: 'ERR_HUB_OFFLINE',
      message: expect.stringContaining('test/tiny'),
    });
    await scoreFromHub('test/tiny');
    await expect(resolveModel('test/tiny', { cacheDir, offline: true, modelFile: 'onnx/model_quantized.onnx' })).rejects.toMatchObject({
      code: 'ERR_HUB_OFFLINE',
      message: expect.stringContaining('onnx/model_quantized.onnx'),
    });
    expect(log.filter((r) => r.url.includes('model_quantized'))).toEqual([]);
  });

  it('falls back to a complete cached snapshot when the hub cannot be reached', async () => {
    await scoreFromHub('test/tiny');
    const closed = http.createServer();
    const unreachable = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    process.env.HF_ENDPOINT = unreachable;
    try {
      expect(Array.from(await scoreFromHub('test/tiny'))).toEqual(Array.from(reference));
      await expect(resolveModel('test/private', { cacheDir })).rejects.toMatchObject({
        code: 'ERR_HUB_DOWNLOAD',
        message: expect.stringContaining('config.json of test/private'),
      });
    } finally {
      process.env.HF_ENDPOINT = hubUrl;
    }
  });

  it('uses HF_HUB_CACHE when no cacheDir is given', async () => {
    process.env.HF_HUB_CACHE = cacheDir;
    try {
      const dir = await resolveModel('test/tiny');
      expect(dir).toBe(path.join(cacheDir, 'models--test--tiny', 'snapshots', COMMIT));
    } finally {
      delete process.env.HF_HUB_CACHE;
    }
  });

  it('refuses a blob whose sha256 does not match the ETag and downloads it again', async () => {
    faults.corruptOnce = true;
    expect(Array.from(await scoreFromHub('test/tiny'))).toEqual(Array.from(reference));
    expect(log.filter((r) => r.server === 'cdn')).toHaveLength(2);
    const blob = fs.readFileSync(path.join(repoRoot(), 'blobs', modelSha()));
    expect(createHash('sha256').update(blob).digest('hex')).toBe(modelSha());
  });

  it('never caches a blob that keeps failing verification', async () => {
    faults.corruptAlways = true;
    await expect(resolveModel('test/tiny', { cacheDir })).rejects.toMatchObject({
      code: 'ERR_HUB_DOWNLOAD',
      message: expect.stringMatching(/onnx\/model\.onnx of test\/tiny.*sha256/),
    });
    expect(fs.readdirSync(path.join(repoRoot(), 'blobs')).filter((name) => name.startsWith(modelSha()))).toEqual([]);
    expect(fs.existsSync(path.join(repoRoot(), 'snapshots', COMMIT, 'onnx', 'model.onnx'))).toBe(false);
  });

  it('resumes a download cut mid-file with a Range request', async () => {
    faults.cutOnce = true;
    expect(Array.from(await scoreFromHub('test/tiny'))).toEqual(Array.from(reference));
    const gets = log.filter((r) => r.server === 'cdn');
    expect(gets).toHaveLength(2);
    expect(gets[0]?.range).toBeUndefined();
    const size = blobsBySha.get(modelSha())?.length as number;
    // It asks for the rest of what arrived before the cut (the server sent half; some may be lost in flight).
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(size >> 1);
    const blob = fs.readFileSync(path.join(repoRoot(), 'blobs', modelSha()));
    expect(createHash('sha256').update(blob).digest('hex')).toBe(modelSha());
  });

  it('gives ERR_HUB_NOT_FOUND naming the repo and file for a 404', async () => {
    await expect(resolveModel('test/tiny', { cacheDir, modelFile: 'onnx/model_o4.onnx' })).rejects.toMatchObject({
      code: 'ERR_HUB_NOT_FOUND',
      message: expect.stringMatching(/test\/tiny.*onnx\/model_o4\.onnx/),
    });
    await expect(resolveModel('test/no-onnx', { cacheDir })).rejects.toMatchObject({
      code: 'ERR_HUB_NOT_FOUND',
      message: expect.stringMatching(/test\/no-onnx.*onnx\/model\.onnx and model\.onnx/),
    });
    await expect(resolveModel('test/tiny', { cacheDir, revision: 'v9' })).rejects.toMatchObject({
      code: 'ERR_HUB_NOT_FOUND',
      message: expect.stringMatching(/v9.*test\/tiny.*config\.json/),
    });
  });

  it('fetches the external-data files the graph names, beside it, and names one the repo lacks', async () => {
    const snapshot = await resolveModel('test/external', { cacheDir });
    for (const file of ['onnx/model.onnx', 'onnx/weights.bin', 'onnx/nested/more.bin']) {
      expect(fs.readFileSync(path.join(snapshot, file))).toEqual(repos.get('test/external')?.files.get(file)?.body);
    }
    log.length = 0;
    expect(await resolveModel('test/external', { cacheDir, offline: true })).toBe(snapshot);
    expect(log).toEqual([]);
    await expect(resolveModel('test/external-missing', { cacheDir })).rejects.toMatchObject({
      code: 'ERR_HUB_NOT_FOUND',
      message: expect.stringContaining('onnx/nested/more.bin'),
    });
    await expect(resolveModel('test/external-missing', { cacheDir, offline: true })).rejects.toMatchObject({
      code: 'ERR_HUB_OFFLINE',
      message: expect.stringContaining('onnx/nested/more.bin'),
    });
  });

  it('fetches vocab.txt when the repo has no tokenizer.json, and scores the same', async () => {
    expect(Array.from(await scoreFromHub('test/vocab-only'))).toEqual(Array.from(reference));
    expect(log.some((r) => r.url.endsWith('/vocab.txt'))).toBe(true);
  });

  it('names the SentencePiece file of a repo without tokenizer.json, without downloading it', async () => {
    await expect(resolveModel('test/spm-only', { cacheDir })).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_TOKENIZER',
      message: expect.stringMatching(/sentencepiece\.bpe\.model.*tokenizer\.json/),
    });
    expect(log.filter((r) => r.url.endsWith('sentencepiece.bpe.model')).map((r) => r.method)).toEqual(['HEAD']);
  });

  it('gives ERR_HUB_UNAUTHORIZED naming the repo and file for a 401, and loads with the token', async () => {
    await expect(resolveModel('test/private', { cacheDir })).rejects.toMatchObject({
      code: 'ERR_HUB_UNAUTHORIZED',
      message: expect.stringMatching(/config\.json of test\/private/),
    });
    process.env.HF_TOKEN = TOKEN;
    try {
      expect(Array.from(await scoreFromHub('test/private'))).toEqual(Array.from(reference));
    } finally {
      delete process.env.HF_TOKEN;
    }
  });

  it('fetches a pinned commit and records the branch it came from', async () => {
    const dir = await resolveModel('test/tiny', { cacheDir, revision: COMMIT });
    expect(dir).toBe(path.join(repoRoot(), 'snapshots', COMMIT));
    expect(fs.existsSync(path.join(repoRoot(), 'refs'))).toBe(false);
    expect(await resolveModel('test/tiny', { cacheDir, revision: COMMIT, offline: true })).toBe(dir);
  });
});

describe('processes sharing one cache', () => {
  const resolveIn = (cache: string): Promise<{ code: number | null; stderr: string }> => {
    const code = `require(${JSON.stringify(path.resolve(__dirname, '..', 'src', 'hub', 'resolve-model.ts'))})` +
      `.resolveModel('test/tiny', { cacheDir: ${JSON.stringify(cache)} }).catch((e) => { console.error(e); process.exit(1); })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { env: { ...process.env, HF_ENDPOINT: hubUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (exit) => resolve({ code: exit, stderr })));
  };
  const blobGets = () => log.filter((l) => l.server === 'cdn' && l.method === 'GET' && l.url.endsWith(modelSha())).length;
  const leftovers = () => listTree(repoRoot()).filter((name) => name.endsWith('.lock') || name.endsWith('.incomplete'));

  it('download each blob once: the others wait on its lock and reuse the file', async () => {
    faults.slow = true;
    const results = await Promise.all([resolveIn(cacheDir), resolveIn(cacheDir), resolveIn(cacheDir)]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(blobGets()).toBe(1);
    const blob = fs.readFileSync(path.join(repoRoot(), 'blobs', modelSha()));
    expect(createHash('sha256').update(blob).digest('hex')).toBe(modelSha());
    expect(leftovers()).toEqual([]);
  });

  it('take over a lock left by a process that died', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('close', resolve));
    const lock = path.join(repoRoot(), 'blobs', `${modelSha()}.lock`);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, `${dead.pid}\n${os.hostname()}\n`);
    const result = await resolveIn(cacheDir);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(blobGets()).toBe(1);
    expect(leftovers()).toEqual([]);
  });
});

describe('ids that could escape the cache', () => {
  it.each([
    ['org/../../etc', {}],
    ['org/..', {}],
    ['org/na\\me', {}],
    ['org/name/extra', {}],
    ['org--x/name', {}],
    ['test/tiny', { revision: '../../x' }],
    ['test/tiny', { revision: '/etc' }],
    ['test/tiny', { revision: 'a\\b' }],
    ['test/tiny', { modelFile: '../../../outside.onnx' }],
    ['test/tiny', { modelFile: '/etc/passwd' }],
    ['test/tiny', { modelFile: 'C:\\x.onnx' }],
    ['test/tiny', { modelFile: 'onnx//model.onnx' }],
  ])('refuses %s %o with ERR_INVALID_REPO_ID before any request', async (id, options) => {
    await expect(resolveModel(id, { cacheDir, ...options })).rejects.toMatchObject({ code: 'ERR_INVALID_REPO_ID' });
    expect(log).toEqual([]);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('uses an absolute, relative or existing path as a local folder without any request', async () => {
    expect(await resolveModel(TINY)).toBe(TINY);
    expect(await resolveModel('./models/generated/tiny')).toBe('./models/generated/tiny');
    expect(await resolveModel('/no/such/folder')).toBe('/no/such/folder');
    await expect(CrossEncoder.load('/no/such/org/name')).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
    expect(log).toEqual([]);
  });
});
