// The HTTP server of `crossrank serve`: Node's http module, one model shared by every route, JSON in and out, auth,
// body limits, metrics, client disconnects passed to the library as aborts, and a graceful shutdown.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CrossEncoder } from '../cross-encoder';
import { CrossrankError, CrossrankRangeError, CrossrankTypeError } from '../errors';
import { errorBody, HttpError } from './http-error';
import { createMetrics, type ServerMetrics } from './metrics';
import type { RouteSettings, ScoringRoute } from './route';
import { cohereV1Rerank, cohereV2Rerank } from './routes/cohere-rerank';
import { healthBody, infoBody } from './routes/status';
import { teiRerank } from './routes/tei-rerank';
import { vllmScoreRoutes } from './routes/vllm-score';

export interface ServerOptions {
  /** The name responses give as `model` and /info as `model_id`. */
  modelName: string;
  /** When set, every route but /health needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string | undefined;
  /** Documents (or pairs) per request at most. Default 1000. */
  maxDocuments?: number;
  /** Request body bytes at most. Default 2 MB (TEI's payload limit). */
  maxBodyBytes?: number;
  /** Cohere routes: windows per long document unless the request sets max_chunks_per_doc. Default 10 (Cohere's). */
  maxChunksPerDoc?: number;
  /** TEI's /rerank: truncate over-long pairs unless the request sets truncate. Default false (TEI's). */
  autoTruncate?: boolean;
  /** Seconds a 429 tells the client to wait. Default 1. */
  retryAfterSeconds?: number;
  /** Receives one line per request (method, path, status, pairs, milliseconds; never the texts). */
  logRequest?: ((line: string) => void) | undefined;
}

const SCORING_ROUTES: readonly ScoringRoute[] = [teiRerank, cohereV1Rerank, cohereV2Rerank, ...vllmScoreRoutes];
const GET_PATHS = ['/health', '/info', '/metrics'];
/** What the response status of a request whose client left is recorded as (nginx's convention). */
const CLIENT_CLOSED = 499;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Maps a failure to its HTTP answer: the server's own errors as they are, the library's by code. */
function toHttpError(error: unknown, retryAfterSeconds: number): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CrossrankError) {
    switch (error.code) {
      case 'ERR_QUEUE_FULL':
        return new HttpError(429, 'overloaded', 'The scoring queue is full; retry later', { 'retry-after': String(retryAfterSeconds) });
      case 'ERR_CLOSED':
        return new HttpError(503, 'unavailable', 'The server is shutting down');
      case 'ERR_TRUNCATION':
        return new HttpError(422, 'validation', error.message);
      default:
        return new HttpError(500, 'backend', `Scoring failed: ${error.message} [${error.code}]`);
    }
  }
  if (error instanceof CrossrankTypeError || error instanceof CrossrankRangeError) return new HttpError(422, 'validation', error.message);
  return new HttpError(500, 'backend', `Internal error: ${error instanceof Error ? error.message : String(error)}`);
}

export class RerankServer {
  readonly metrics: ServerMetrics = createMetrics(() => this.#model?.batchStats);
  readonly #server: http.Server;
  readonly #settings: RouteSettings;
  readonly #options: ServerOptions;
  readonly #expectedKey: Buffer | undefined;
  #model: CrossEncoder | undefined;
  #inFlight = 0;
  #closing = false;
  #stopping: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(options: ServerOptions) {
    this.#options = options;
    this.#settings = {
      modelName: options.modelName,
      maxDocuments: options.maxDocuments ?? 1000,
      maxChunksPerDoc: options.maxChunksPerDoc ?? 10,
      autoTruncate: options.autoTruncate ?? false,
    };
    this.#expectedKey = options.apiKey === undefined ? undefined : digest(`Bearer ${options.apiKey}`);
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.metrics.ready.set(0);
  }

  /** The model answers scoring requests from now on; until then they get 503 and /health says it is loading. */
  setModel(model: CrossEncoder): void {
    this.#model = model;
    this.metrics.ready.set(1);
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections, lets the requests in flight finish and answer, then closes every connection. Idempotent. */
  shutdown(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#closing = true;
    this.metrics.ready.set(0);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0] as string;
    const route = req.method === 'POST' ? SCORING_ROUTES.find((r) => r.path === path) : undefined;
    const name = route?.name ?? (GET_PATHS.includes(path) ? path.slice(1) : 'other');
    let pairs = 0;
    let status = 200;
    // A response not finished when the connection closes means the client left: abort its scoring.
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    this.#inFlight++;
    try {
      const answer = await this.#answer(req, path, route, controller.signal, (n) => {
        pairs = n;
        this.metrics.pairsInFlight.inc(n);
        this.metrics.requestsInFlight.inc();
      });
      if (typeof answer === 'string') this.#send(res, 200, answer, this.metrics.registry.contentType);
      else this.#send(res, 200, JSON.stringify(answer));
      if (route) {
        this.metrics.pairs.inc({ route: route.name }, pairs);
        this.metrics.requestPairs.observe({ route: route.name }, pairs);
      }
    } catch (error) {
      if (controller.signal.aborted) {
        status = CLIENT_CLOSED;
      } else {
        const httpError = toHttpError(error, this.#options.retryAfterSeconds ?? 1);
        status = httpError.status;
        this.#send(res, status, JSON.stringify(errorBody(httpError)), 'application/json', httpError.headers);
      }
    } finally {
      if (pairs > 0) {
        this.metrics.pairsInFlight.dec(pairs);
        this.metrics.requestsInFlight.dec();
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.requests.inc({ route: name, status: String(status) });
      this.metrics.duration.observe({ route: name }, seconds);
      this.#options.logRequest?.(`${req.method} ${path} ${status} ${pairs} pairs ${(seconds * 1000).toFixed(1)} ms`);
      if (--this.#inFlight === 0) this.#drained?.();
    }
  }

  /** Resolves to the response: a JSON value, or the metrics text. */
  async #answer(
    req: http.IncomingMessage,
    path: string,
    route: ScoringRoute | undefined,
    signal: AbortSignal,
    admit: (pairs: number) => void,
  ): Promise<unknown> {
    if (this.#closing) throw new HttpError(503, 'unavailable', 'The server is shutting down');
    if (!route && !GET_PATHS.includes(path)) {
      const known = SCORING_ROUTES.some((r) => r.path === path);
      if (known) throw new HttpError(405, 'method_not_allowed', `${path} takes POST`, { allow: 'POST' });
      throw new HttpError(404, 'not_found', `No route ${req.method} ${path}`);
    }
    if (!route && req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'method_not_allowed', `${path} takes GET`, { allow: 'GET' });
    }
    if (path !== '/health') this.#authorize(req);
    if (path === '/metrics') return this.metrics.registry.metrics();
    if (path === '/info') return infoBody(this.#settings, this.#model);
    const model = this.#model;
    if (path === '/health') {
      if (!model) throw new HttpError(503, 'unavailable', 'The model is loading');
      return healthBody();
    }
    if (!model) throw new HttpError(503, 'unavailable', 'The model is loading; retry when GET /health answers 200');
    const body = await this.#readJson(req);
    return (route as ScoringRoute).handle({ model, body, signal, settings: this.#settings, admit });
  }

  #authorize(req: http.IncomingMessage): void {
    if (!this.#expectedKey) return;
    const given = req.headers.authorization;
    if (given === undefined || !timingSafeEqual(digest(given), this.#expectedKey)) {
      throw new HttpError(401, 'unauthorized', 'Send the API key as "Authorization: Bearer <key>"', { 'www-authenticate': 'Bearer' });
    }
  }

  #readJson(req: http.IncomingMessage): Promise<unknown> {
    const limit = this.#options.maxBodyBytes ?? 2_000_000;
    const tooLarge = (): HttpError =>
      new HttpError(413, 'payload_too_large', `The request body is larger than this server's limit of ${limit} bytes`, { connection: 'close' });
    if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners('data');
          req.resume();
          reject(tooLarge());
        } else {
          chunks.push(chunk);
        }
      });
      req.on('error', reject);
      // A client that leaves mid-body: settle, so the request does not hold up shutdown.
      req.on('close', () => {
        if (!req.complete) reject(new HttpError(400, 'invalid_json', 'The request body was cut off'));
      });
      req.on('end', () => {
        if (size > limit) return;
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(new HttpError(400, 'invalid_json', `The request body is not valid JSON: ${(error as Error).message}`));
        }
      });
    });
  }

  #send(res: http.ServerResponse, status: number, text: string, type = 'application/json', headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(text),
      ...(this.#closing && { connection: 'close' }),
      ...headers,
    });
    res.end(text);
  }
}
