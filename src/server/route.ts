// What a route is: a method and path, and a handler that turns a validated request into the library's call.
import type { CrossEncoder } from '../cross-encoder';
import type { Body, Limits } from './validation';

export interface RouteSettings extends Limits {
  /** The name responses give as `model`. */
  modelName: string;
  /** Cohere routes: windows per long document when the request does not say (`max_chunks_per_doc`). */
  maxChunksPerDoc: number;
  /** TEI's /rerank: truncate pairs longer than the model's window when the request does not say (`truncate`). */
  autoTruncate: boolean;
}

export interface RouteContext {
  model: CrossEncoder;
  /** The parsed JSON body (an empty object for GET). */
  body: unknown;
  /** Aborts when the client disconnects: the library drops the request's pending pairs. */
  signal: AbortSignal;
  settings: RouteSettings;
  /** Reports how many pairs the request puts on the batcher, once it knows (metrics and the queue-depth gauge). */
  admit(pairs: number): void;
}

export interface ScoringRoute {
  path: string;
  /** The label of the route in metrics and logs. */
  name: string;
  handle(context: RouteContext): Promise<unknown>;
}

export type { Body };
