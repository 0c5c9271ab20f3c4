// crossrank serve on loopback ports, called with real clients (the cohere-ai SDK, fetch, node:http); every score is
// checked against the library's own rank() / score() on the same model.
import { type ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { documentWindows } from '../src/document-windows';
import { RerankServer, type ServerOptions } from '../src/server/app';
import { MINILM, TINY, TINY_3_LABELS } from './helpers/models';

const QUERY = 'where did I leave the black umbrella';
const DOCS = [
  'A black umbrella was found on the bus.',
  'A white sneaker with pink accents.',
  'Keys on a red ring, left at the front desk.',
  'The umbrella had a wooden handle and a loop.',
  'A blue backpack with black straps.',
];

interface Served {
  server: RerankServer;
  url: string;
}

const servers: RerankServer[] = [];

async function serve(model: CrossEncoder | undefined, options: Partial<ServerOptions> = {}): Promise<Served> {
  const server = new RerankServer({ modelName: 'test-model', ...options });
  if (model) server.setModel(model);
  const { port } = await server.listen(0, '127.0.0.1');
  servers.push(server);
  return { server, url: `http://127.0.0.1:${port}` };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function counter(server: RerankServer, route: string, status: string): Promise<number> {
  const metric = await server.metrics.requests.get();
  return metric.values.find((v) => v.labels.route === route && v.labels.status === status)?.value ?? 0;
}

async function until(condition: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 5));
}

let model: CrossEncoder;
let served: Served;

beforeAll(async () => {
  // Sigmoid, so TEI's raw_scores (logits) and the default (the model's activation) differ.
  model = await CrossEncoder.load(TINY, { activation: 'sigmoid' });
  served = await serve(model);
});

afterAll(async () => {
  for (const server of servers) await server.shutdown();
  await model.close();
});

describe('TEI POST /rerank', () => {
  it('returns the library rank(), best first, with the texts when asked', async () => {
    const { status, json } = await post(`${served.url}/rerank`, { query: QUERY, texts: DOCS, return_text: true });
    expect(status).toBe(200);
    const expected = await model.rank(QUERY, DOCS, { returnDocuments: true });
    expect(json).toEqual(expected.map((r) => ({ index: r.corpusId, score: r.score, text: r.text })));
  });

  it('raw_scores returns the logits; without it the model activation', async () => {
    const raw = await post(`${served.url}/rerank`, { query: QUERY, texts: DOCS, raw_scores: true });
    const logits = await model.rank(QUERY, DOCS, { activation: 'identity' });
    expect(raw.json).toEqual(logits.map((r) => ({ index: r.corpusId, score: r.score })));
    const plain = await post(`${served.url}/rerank`, { query: QUERY, texts: DOCS });
    const sigmoid = await model.rank(QUERY, DOCS);
    expect(plain.json).toEqual(sigmoid.map((r) => ({ index: r.corpusId, score: r.score })));
    expect(plain.json[0].score).not.toBe(raw.json[0].score);
  });

  it('refuses an over-long pair without truncate (413, as TEI), and cuts it with truncate: true', async () => {
    const long = 'umbrella '.repeat(600);
    const refused = await post(`${served.url}/rerank`, { query: QUERY, texts: ['short', long] });
    expect(refused.status).toBe(413);
    expect(refused.json).toEqual({ error: expect.stringContaining('texts[1]'), error_type: 'validation' });
    const cut = await post(`${served.url}/rerank`, { query: QUERY, texts: ['short', long], truncate: true, truncation_direction: 'Right' });
    expect(cut.status).toBe(200);
    expect(cut.json).toEqual((await model.rank(QUERY, ['short', long])).map((r) => ({ index: r.corpusId, score: r.score })));
    const left = await post(`${served.url}/rerank`, { query: QUERY, texts: ['a'], truncation_direction: 'left' });
    expect(left.status).toBe(422);
    expect(left.json.error).toMatch(/truncation_direction/);
  });
});

describe('Cohere /v1/rerank and /v2/rerank through the cohere-ai SDK', () => {
  it('v1: relevance scores, order, top_n and returned documents equal the library', async () => {
    const cohere = new CohereClient({ token: 'unused', environment: served.url, maxRetries: 0 });
    const documents = [DOCS[0] as string, { text: DOCS[1] as string, id: 'b' }, ...DOCS.slice(2)];
    const response = await cohere.rerank({ model: 'test-model', query: QUERY, documents, topN: 3, returnDocuments: true });
    const expected = await model.rank(QUERY, DOCS, { topK: 3, maxChunksPerDoc: 10 });
    expect(response.results.map((r) => ({ index: r.index, relevanceScore: r.relevanceScore }))).toEqual(
      expected.map((r) => ({ index: r.corpusId, relevanceScore: r.score })),
    );
    for (const r of response.results) {
      expect(r.document).toEqual(r.index === 1 ? { text: DOCS[1], id: 'b' } : { text: DOCS[r.index] });
    }
    expect(response.meta?.billedUnits?.searchUnits).toBe(1);
    const tokens = await model.tokenizer.encodePairs(DOCS.map((d) => [QUERY, d] as const));
    expect(response.meta?.tokens?.inputTokens).toBe(tokens.reduce((n, t) => n + t.ids.length, 0));
  });

  it('v2: every result, no documents, equal to the library', async () => {
    const cohere = new CohereClientV2({ token: 'unused', environment: served.url, maxRetries: 0 });
    const response = await cohere.rerank({ model: 'test-model', query: QUERY, documents: DOCS });
    const expected = await model.rank(QUERY, DOCS, { maxChunksPerDoc: 10, maxTokensPerDoc: 4096 });
    expect(response.results).toEqual(expected.map((r) => ({ index: r.corpusId, relevanceScore: r.score })));
    expect(response.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers the plain JSON shape Jina and vLLM clients read (snake_case, document.text, usage)', async () => {
    const { status, json } = await post(`${served.url}/v1/rerank`, { model: 'x', query: QUERY, documents: DOCS, top_n: 2, return_documents: true });
    expect(status).toBe(200);
    const expected = await model.rank(QUERY, DOCS, { topK: 2, maxChunksPerDoc: 10 });
    expect(json.results).toEqual(expected.map((r) => ({ index: r.corpusId, relevance_score: r.score, document: { text: DOCS[r.corpusId] } })));
    expect(json.model).toBe('test-model');
    expect(json.usage.total_tokens).toBe(json.meta.tokens.input_tokens);
  });
});

describe('long documents', () => {
  const long = Array.from({ length: 400 }, (_, i) => (i === 350 ? 'the black umbrella is here' : `filler${i % 17}`)).join(' ');

  it('maxChunksPerDoc scores a long document by its best window; the windows cover it in order and each fits', async () => {
    const { texts, owners } = await documentWindows(model.tokenizer, QUERY, ['short one', long], { maxLength: model.maxLength, maxChunks: 10, maxTokens: Infinity });
    expect(owners[0]).toBe(0);
    const windows = texts.filter((_, i) => owners[i] === 1);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows.join(' ').length).toBeGreaterThan(long.length); // they overlap
    expect(long.startsWith(windows[0] as string)).toBe(true);
    expect(long.endsWith(windows[windows.length - 1] as string)).toBe(true);
    for (const w of windows) {
      expect(long.includes(w)).toBe(true);
      expect(model.tokenizer.encodePair(QUERY, w, { maxLength: 100_000 }).ids.length).toBeLessThanOrEqual(model.maxLength);
    }
    const windowScores = await model.score(windows.map((w) => [QUERY, w] as [string, string]));
    const ranked = await model.rank(QUERY, ['short one', long], { maxChunksPerDoc: 10 });
    expect(ranked.find((r) => r.corpusId === 1)?.score).toBe(Math.max(...windowScores));
    // One window is the old behaviour: the truncated document.
    const truncated = await model.rank(QUERY, ['short one', long]);
    expect(await model.rank(QUERY, ['short one', long], { maxChunksPerDoc: 1 })).toEqual(truncated);
  });

  it('a query that fills the window leaves documents whole (the same scores as without chunking)', async () => {
    const longQuery = 'umbrella '.repeat(600);
    const docs = ['short one', long];
    expect(await model.rank(longQuery, docs, { maxChunksPerDoc: 10 })).toEqual(await model.rank(longQuery, docs));
  });

  it('max_chunks_per_doc and max_tokens_per_doc reach rank() unchanged', async () => {
    const docs = [DOCS[0] as string, long];
    const v1 = await post(`${served.url}/v1/rerank`, { query: QUERY, documents: docs, max_chunks_per_doc: 3 });
    const expected1 = await model.rank(QUERY, docs, { maxChunksPerDoc: 3 });
    expect(v1.json.results).toEqual(expected1.map((r) => ({ index: r.corpusId, relevance_score: r.score })));
    const v2 = await post(`${served.url}/v2/rerank`, { model: 'm', query: QUERY, documents: docs, max_tokens_per_doc: 300 });
    const expected2 = await model.rank(QUERY, docs, { maxChunksPerDoc: 10, maxTokensPerDoc: 300 });
    expect(v2.json.results).toEqual(expected2.map((r) => ({ index: r.corpusId, relevance_score: r.score })));
  });
});

describe('vLLM POST /score', () => {
  it('1:N, N:N and 1:1 pairs score as the library score()', async () => {
    const oneToMany = await post(`${served.url}/score`, { model: 'm', text_1: QUERY, text_2: DOCS });
    const expected = await model.score(DOCS.map((d) => [QUERY, d] as [string, string]));
    expect(oneToMany.json.data).toEqual(Array.from(expected, (score, index) => ({ index, object: 'score', score })));
    expect(oneToMany.json).toMatchObject({ object: 'list', model: 'test-model', usage: { completion_tokens: 0 } });
    expect(oneToMany.json.id).toMatch(/^score-/);

    const firsts = DOCS.map((d) => `${d} (query)`);
    const zipped = await post(`${served.url}/v1/score`, { text_1: firsts, text_2: DOCS });
    const expectedZip = await model.score(DOCS.map((d, i) => [firsts[i] as string, d] as [string, string]));
    expect(zipped.json.data.map((d: { score: number }) => d.score)).toEqual(Array.from(expectedZip));

    const single = await post(`${served.url}/score`, { text_1: [QUERY], text_2: DOCS[0] });
    expect(single.json.data).toEqual([{ index: 0, object: 'score', score: expected[0] }]);

    const mismatch = await post(`${served.url}/score`, { text_1: ['a', 'b'], text_2: ['a', 'b', 'c'] });
    expect(mismatch.status).toBe(422);
    expect(mismatch.json.error).toMatch(/text_1 holds 2 texts and text_2 3/);
  });
});

describe('bad requests', () => {
  it.each([
    ['/rerank', { texts: ['a'] }, 'Expected a string for query but received undefined'],
    ['/rerank', { query: '  ', texts: ['a'] }, 'Expected a non-empty string for query'],
    ['/rerank', { query: 'q', texts: 'a' }, 'Expected an array of strings for texts'],
    ['/rerank', { query: 'q', texts: ['a', 3] }, 'Expected a string for texts[1] but received 3 of type number'],
    ['/rerank', { query: 'q', texts: [] }, 'Expected a non-empty array for texts'],
    ['/rerank', { query: 'q', texts: ['a'], raw_scores: 'yes' }, 'Expected a boolean for raw_scores'],
    ['/v1/rerank', { query: 'q', documents: ['a', { title: 'b' }] }, 'Expected a string for documents[1].text but received undefined'],
    ['/v1/rerank', { query: 'q', documents: ['a'], top_n: 0 }, 'Expected an integer of at least 1 for top_n but received 0'],
    ['/v2/rerank', { query: 'q', documents: ['a'], max_tokens_per_doc: 1.5 }, 'Expected an integer of at least 1 for max_tokens_per_doc'],
    ['/score', { text_1: 'q', text_2: [null] }, 'Expected a string for text_2[0] but received null'],
    ['/score', [1, 2], 'Expected a JSON object for the request body but received an array of length 2'],
  ])('%s %j -> 422 naming the field', async (route, body, message) => {
    const { status, json } = await post(`${served.url}${route}`, body);
    expect(status).toBe(422);
    expect(json.error_type).toBe('validation');
    expect(json.error).toContain(message);
  });

  it('too many documents and an over-large body are 413; broken JSON is 400; unknown routes 404; wrong methods 405', async () => {
    const small = await serve(model, { maxDocuments: 3, maxBodyBytes: 1000 });
    const many = await post(`${small.url}/v1/rerank`, { query: 'q', documents: ['a', 'b', 'c', 'd'] });
    expect(many.status).toBe(413);
    expect(many.json).toEqual({ error: 'documents holds 4 items; this server takes at most 3 per request', error_type: 'payload_too_large' });
    const big = await post(`${small.url}/rerank`, { query: 'q', texts: ['x'.repeat(2000)] });
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/larger than this server's limit of 1000 bytes/);
    const broken = await post(`${small.url}/rerank`, '{"query": "q", ');
    expect(broken.status).toBe(400);
    expect(broken.json.error_type).toBe('invalid_json');
    const missing = await post(`${small.url}/embed`, {});
    expect(missing.status).toBe(404);
    const get = await fetch(`${small.url}/rerank`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('service', () => {
  it('a full queue answers 429 with Retry-After', async () => {
    const limited = await CrossEncoder.load(TINY, { batching: { maxQueuedPairs: 4 } });
    try {
      const s = await serve(limited, { retryAfterSeconds: 2 });
      const full = await post(`${s.url}/rerank`, { query: 'q', texts: ['a', 'b', 'c', 'd', 'e'] });
      expect(full.status).toBe(429);
      expect(full.headers.get('retry-after')).toBe('2');
      expect(full.json.error_type).toBe('overloaded');
      const fits = await post(`${s.url}/rerank`, { query: 'q', texts: ['a', 'b', 'c', 'd'] });
      expect(fits.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('with an API key, every route but /health needs Authorization: Bearer', async () => {
    const s = await serve(model, { apiKey: 'sekrit' });
    expect((await post(`${s.url}/rerank`, { query: 'q', texts: ['a'] })).status).toBe(401);
    const wrong = await post(`${s.url}/rerank`, { query: 'q', texts: ['a'] }, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const right = await post(`${s.url}/rerank`, { query: 'q', texts: ['a'] }, { authorization: 'Bearer sekrit' });
    expect(right.status).toBe(200);
    const cohere = new CohereClient({ token: 'sekrit', environment: s.url, maxRetries: 0 });
    expect((await cohere.rerank({ query: 'q', documents: ['a', 'b'] })).results).toHaveLength(2);
    const denied = new CohereClient({ token: 'nope', environment: s.url, maxRetries: 0 });
    await expect(denied.rerank({ query: 'q', documents: ['a'] })).rejects.toMatchObject({ statusCode: 401 });
  });

  it('/health is 503 until the model is set; scoring routes too', async () => {
    const s = await serve(undefined);
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
    expect((await post(`${s.url}/rerank`, { query: 'q', texts: ['a'] })).status).toBe(503);
    expect(await (await fetch(`${s.url}/info`)).json()).toMatchObject({ ready: false });
    s.server.setModel(model);
    expect(await (await fetch(`${s.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${s.url}/info`)).json()).toMatchObject({
      model_id: 'test-model',
      model_type: 'reranker',
      ready: true,
      max_input_length: model.maxLength,
      model_dtype: 'fp32',
    });
  });

  it('/metrics is Prometheus text with requests, pairs, latency and the queue gauges', async () => {
    const s = await serve(model);
    await post(`${s.url}/rerank`, { query: 'q', texts: ['a', 'b', 'c'] });
    await post(`${s.url}/rerank`, { query: 'q', texts: 3 });
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('crossrank_http_requests_total{route="tei_rerank",status="200"} 1');
    expect(text).toContain('crossrank_http_requests_total{route="tei_rerank",status="422"} 1');
    expect(text).toContain('crossrank_pairs_total{route="tei_rerank"} 3');
    expect(text).toContain('crossrank_request_pairs_bucket{le="5",route="tei_rerank"} 1');
    expect(text).toContain('crossrank_http_request_duration_seconds_count{route="tei_rerank"} 2');
    expect(text).toContain('crossrank_pairs_in_flight 0');
    expect(text).toContain('crossrank_ready 1');
    const stats = model.batchStats;
    expect(stats.batches).toBeGreaterThan(0);
    expect(text).toContain(`crossrank_batches_total ${stats.batches}`);
    expect(text).toContain(`crossrank_batch_tokens_total ${stats.tokens}`);
    expect(text).toContain(`crossrank_batch_padded_tokens_total ${stats.paddedTokens}`);
  });

  it('a library failure is a 500 naming its code (rank() on a 3-label model: ERR_UNSUPPORTED)', async () => {
    const three = await CrossEncoder.load(TINY_3_LABELS);
    try {
      const s = await serve(three as unknown as CrossEncoder);
      const res = await post(`${s.url}/v1/rerank`, { query: 'q', documents: ['a'] });
      expect(res.status).toBe(500);
      expect(res.json.error).toMatch(/ERR_UNSUPPORTED/);
    } finally {
      await three.close();
    }
  });
});

describe('a client that disconnects', () => {
  it('has its pairs dropped from the queue (the next request fits where they would not)', async () => {
    // 2,100 queued pairs at most: a 2,000-pair request left in the queue would leave no room for 200 more.
    const minilm = await CrossEncoder.load(MINILM, { batching: { maxQueuedPairs: 2100 } });
    try {
      const s = await serve(minilm, { maxDocuments: 2000 });
      const docs = Array.from({ length: 2000 }, (_, i) => `document ${i} about lost umbrellas and found keys`);
      const body = JSON.stringify({ query: QUERY, texts: docs });
      const req = http.request(`${s.url}/rerank`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('error', () => {});
      req.end(body);
      await until(async () => (await s.server.metrics.pairsInFlight.get()).values[0]?.value === 2000);
      expect(await counter(s.server, 'tei_rerank', '200')).toBe(0);
      req.destroy();
      await until(async () => (await counter(s.server, 'tei_rerank', '499')) === 1);
      expect((await s.server.metrics.pairsInFlight.get()).values[0]?.value).toBe(0);

      const next = docs.slice(0, 200);
      const res = await post(`${s.url}/rerank`, { query: QUERY, texts: next });
      expect(res.status).toBe(200);
      expect(res.json).toEqual((await minilm.rank(QUERY, next)).map((r) => ({ index: r.corpusId, score: r.score })));
    } finally {
      await minilm.close();
    }
  });
});

describe('crossrank serve (the command)', () => {
  const MAIN = path.resolve(__dirname, '..', 'src', 'cli', 'main.ts');

  function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.resume();
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, stderr: () => stderr, exit };
  }

  it('SIGTERM stops accepting, finishes the request in flight with the right scores, and exits 0', async () => {
    const { child, stderr, exit } = start(['-m', MINILM, '--port', '0', '--api-key', 'k2']);
    try {
      await until(() => /ready:/.test(stderr()) || child.exitCode !== null);
      const url = `http://${/listening on http:\/\/([\d.:]+)/.exec(stderr())?.[1]}`;
      const auth = { authorization: 'Bearer k2' };
      const docs = Array.from({ length: 300 }, (_, i) => `passage ${i}: an umbrella, a loop, a bus and a wooden handle`);
      const pending = post(`${url}/rerank`, { query: QUERY, texts: docs }, auth);
      await until(async () => {
        const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
        return /crossrank_requests_in_flight 1/.test(metrics);
      });
      child.kill('SIGTERM');
      await until(() => /stopping/.test(stderr()));
      await expect(fetch(`${url}/health`)).rejects.toThrow();
      const res = await pending;
      expect(res.status).toBe(200);
      const local = await CrossEncoder.load(MINILM);
      try {
        expect(res.json).toEqual((await local.rank(QUERY, docs)).map((r) => ({ index: r.corpusId, score: r.score })));
      } finally {
        await local.close();
      }
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('takes the API key from CROSSRANK_API_KEY and refuses a model with several labels (exit 2)', async () => {
    const served3 = start(['-m', TINY_3_LABELS, '--port', '0']);
    expect(await served3.exit).toBe(2);
    expect(served3.stderr()).toMatch(/needs a reranker with one label/);

    const { child, stderr, exit } = start(['-m', TINY, '--port', '0'], { CROSSRANK_API_KEY: 'from-env' });
    try {
      await until(() => /ready:/.test(stderr()) || child.exitCode !== null);
      const url = `http://${/listening on http:\/\/([\d.:]+)/.exec(stderr())?.[1]}`;
      expect((await post(`${url}/score`, { text_1: 'a', text_2: 'b' })).status).toBe(401);
      expect((await post(`${url}/score`, { text_1: 'a', text_2: 'b' }, { authorization: 'Bearer from-env' })).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
