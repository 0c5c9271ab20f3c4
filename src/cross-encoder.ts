// CrossEncoder: sentence-transformers' predict/rank semantics over the native engine.
import { type BatchStats, native, type NativeCallOptions, type NativeModel, type RuntimeInfo } from '../binding/native';
import { type Activation, autoActivation } from './activation';
import { CrossrankError, fromNative } from './errors';
import { resolveModel } from './hub/resolve-model';
import type { ExecutionProviderName } from './execution-providers';
import { defaultMaxLength, labelsOf, locateModel, maxPositions } from './model-files';
import { loadOrtRuntime } from './ort-library';
import { intraOpThreads } from './physical-cores';
import { derivedModelPath } from './quantize/derived-model';
import { type Precision, summarizeGraph } from './quantize/graph-summary';
import type { QuantizationFidelity } from './quantize/fidelity';
import { probeScorer } from './quantize/probe-scorer';
import { type LoadOptions, parseLoadOptions } from './load-options';
import { Tokenizer, type TruncationStrategy } from './tokenizer';
import { documentWindows } from './document-windows';
import * as v from './validate';

export type { Activation } from './activation';
export type { HubProgress } from './hub/resolve-model';
export type { Precision } from './quantize/graph-summary';
export type { QuantizationFidelity } from './quantize/fidelity';
export type { BatchStats } from '../binding/native';

export type { BatchingOptions, LoadOptions, QuantizeOptions } from './load-options';
export type { CudaProviderOptions, ExecutionProvider, ExecutionProviderName, TensorRTProviderOptions } from './execution-providers';

export interface ScoreOptions {
  /** Overrides the model's activation for this call. */
  activation?: 'auto' | Activation;
  /** How a pair longer than maxLength is cut. Default 'longest_first'. */
  truncation?: TruncationStrategy;
  /** Aborting drops the call's pending pairs and rejects it with ERR_ABORTED. */
  signal?: AbortSignal;
}

export interface RankOptions extends ScoreOptions {
  /** Return only the best topK documents. Default: all. */
  topK?: number;
  /** Include each document's text in the results. Default false. */
  returnDocuments?: boolean;
  /**
   * Split a document longer than the model's window into up to this many overlapping windows of whole words and
   * score it by its best window. Default 1: the document is truncated.
   */
  maxChunksPerDoc?: number;
  /** Consider at most this many tokens of each document (the windows stop there). Default: no limit. */
  maxTokensPerDoc?: number;
}

export interface RankResult {
  /** Index of the document in the array passed to rank(). */
  corpusId: number;
  score: number;
  text?: string;
}

type Scores = Float32Array | Float32Array[];

const SCORE_OPTIONS = ['activation', 'truncation', 'signal'] as const;
const RANK_OPTIONS = [...SCORE_OPTIONS, 'topK', 'returnDocuments', 'maxChunksPerDoc', 'maxTokensPerDoc'] as const;
const ACTIVATIONS = ['auto', 'sigmoid', 'identity', 'softmax'] as const;
const TRUNCATIONS = ['longest_first', 'only_first', 'only_second'] as const;
const ACTIVATION_CODE: Record<Activation, NativeCallOptions['activation']> = { identity: 0, sigmoid: 1, softmax: 2 };
const TRUNCATION_CODE: Record<TruncationStrategy, NativeCallOptions['truncation']> = {
  longest_first: 0,
  only_first: 1,
  only_second: 2,
};
const MAX_INT32 = 2 ** 31 - 1;
const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose');

function abortError(signal: AbortSignal): CrossrankError {
  return new CrossrankError('ERR_ABORTED', 'The call was aborted', { cause: signal.reason });
}

/**
 * A cross-encoder loaded from an ONNX export. Scores pairs off the main thread, merging concurrent calls into batches.
 *
 * @typeParam S `Float32Array` for one-label models (the default); load with `CrossEncoder.load<Float32Array[]>` for several labels.
 */
export class CrossEncoder<S extends Scores = Float32Array> implements AsyncDisposable {
  /** The ONNX file being run (with `quantize` or `optimize`, the cached derived file). */
  readonly modelPath: string;
  /** What the running graph computes in, read from it: 'int8' for int8 MatMul kernels (quantize: 'int8', or a pre-quantized file), else its weights' float type. */
  readonly precision: Precision;
  /** True when the graph runs optimized: self-attention as one fused operator (optimize: true, or a pre-optimized file), or DeBERTa's relative-position gathers narrowed. */
  readonly optimized: boolean;
  /** What crossrank measured when it quantized the file against fp32 on its probe pairs; undefined for other models. */
  readonly quantization: QuantizationFidelity | undefined;
  /** Longest tokenized pair, special tokens included. */
  readonly maxLength: number;
  readonly numLabels: number;
  /** Label names from config.json's id2label, when they match the model's output. */
  readonly labels: readonly string[] | undefined;
  /** The activation score() applies unless a call overrides it. */
  readonly activation: Activation;
  /** The ONNX Runtime library in use. */
  readonly runtime: RuntimeInfo;
  /** The provider actually running the graph. */
  readonly executionProvider: ExecutionProviderName;
  /** Under `fallback: true`, why the requested GPU provider was skipped. */
  readonly fallbackReason: string | undefined;
  /** Where batch buffers live: 'cuda-pinned' on a GPU (ONNX Runtime's pinned allocator), else 'heap'. */
  readonly hostMemory: string;
  /** ONNX Runtime intra-op threads of the session: `threads`, or for 0 the physical cores counted (0 where they cannot be). */
  readonly threads: number;
  readonly tokenizer: Tokenizer;
  readonly #native: NativeModel;

  /** Totals over the batches run since load (a fresh object each read): padding = 1 - tokens / paddedTokens. */
  get batchStats(): BatchStats {
    return this.#native.batchStats;
  }
  #closing: Promise<void> | undefined;

  private constructor(init: {
    modelPath: string;
    precision: Precision;
    optimized: boolean;
    quantization: QuantizationFidelity | undefined;
    maxLength: number;
    labels: readonly string[] | undefined;
    activation: Activation;
    runtime: RuntimeInfo;
    threads: number;
    tokenizer: Tokenizer;
    nativeModel: NativeModel;
  }) {
    this.modelPath = init.modelPath;
    this.precision = init.precision;
    this.optimized = init.optimized;
    this.quantization = init.quantization;
    this.maxLength = init.maxLength;
    this.numLabels = init.nativeModel.numLabels;
    this.executionProvider = init.nativeModel.executionProvider as ExecutionProviderName;
    this.fallbackReason = init.nativeModel.fallbackReason;
    this.hostMemory = init.nativeModel.hostMemory;
    this.labels = init.labels;
    this.activation = init.activation;
    this.runtime = init.runtime;
    this.threads = init.threads;
    this.tokenizer = init.tokenizer;
    this.#native = init.nativeModel;
  }

  /** Loads a model folder in the Hugging Face ONNX layout (config.json, tokenizer.json, onnx/model.onnx). */
  static async load<S extends Scores = Float32Array>(model: string, options?: LoadOptions): Promise<CrossEncoder<S>> {
    v.nonEmptyString('model', model);
    const o = parseLoadOptions(options);
    native(o.nativeBinding);

    const dir = await resolveModel(model, o.hub);
    const located = locateModel(dir, o.modelFile);
    const runtime = loadOrtRuntime(o.ortLibraryPath);
    const tokenizer = await Tokenizer.fromModelDir(located.dir);
    const labels = labelsOf(located.config);
    const score = probeScorer(tokenizer.nativeTokenizer, labels?.length ?? 0);
    const files =
      o.quantize !== undefined || o.optimize
        ? { ...located, modelPath: await derivedModelPath(located.modelPath, located.dir, o, o.modelCacheDir, score) }
        : located;
    const summary = await summarizeGraph(files.modelPath);
    const positions = maxPositions(files);
    // Validated here, not with the rest: its upper bound is the model's max_position_embeddings.
    const maxLength = v.optionalInteger('options.maxLength', o.maxLength, 3, positions ?? MAX_INT32) ?? defaultMaxLength(files);
    const threads = intraOpThreads(o.engine.threads);
    let nativeModel: NativeModel;
    try {
      nativeModel = await native().createModel(tokenizer.nativeTokenizer, {
        ...o.engine,
        threads,
        modelPath: files.modelPath,
        maxLength,
        numLabelsHint: labels?.length ?? 0,
      });
    } catch (error) {
      throw fromNative(error);
    }
    const activation = o.activation === 'auto' ? autoActivation(files, nativeModel.numLabels) : o.activation;
    return new CrossEncoder<S>({
      modelPath: files.modelPath,
      ...summary,
      maxLength,
      labels: labels?.length === nativeModel.numLabels ? labels : undefined,
      activation,
      runtime,
      threads,
      tokenizer,
      nativeModel,
    });
  }

  /**
   * Scores pairs like sentence-transformers' `CrossEncoder.predict`: one score per pair (a Float32Array), or for
   * several labels one Float32Array per pair.
   */
  async score(pairs: ReadonlyArray<readonly [string, string]>, options?: ScoreOptions): Promise<S> {
    const callSite = new Error();
    const flat = v.pairs('pairs', pairs);
    const opts = v.options('options', options, SCORE_OPTIONS);
    const callOptions = this.#callOptions(opts);
    const signal = v.abortSignal('options.signal', opts.signal);
    const scores = await this.#submit(callSite, signal, (callback) => this.#native.score(flat, callOptions, callback));
    return this.#shape(scores, flat.length / 2);
  }

  /**
   * Scores `query` against each document and returns them best first (ties by index), like sentence-transformers'
   * `CrossEncoder.rank`. The query is tokenized once.
   */
  async rank(query: string, documents: readonly string[], options?: RankOptions): Promise<RankResult[]> {
    const callSite = new Error();
    v.string('query', query);
    const docs = v.texts('documents', documents);
    const opts = v.options('options', options, RANK_OPTIONS);
    const callOptions = this.#callOptions(opts);
    const signal = v.abortSignal('options.signal', opts.signal);
    const topK = v.optionalInteger('options.topK', opts.topK, 1, MAX_INT32);
    const returnDocuments = v.optionalBoolean('options.returnDocuments', opts.returnDocuments) ?? false;
    const maxChunks = v.optionalInteger('options.maxChunksPerDoc', opts.maxChunksPerDoc, 1, MAX_INT32) ?? 1;
    const maxTokens = v.optionalInteger('options.maxTokensPerDoc', opts.maxTokensPerDoc, 1, MAX_INT32);
    if (this.numLabels !== 1) {
      throw new CrossrankError('ERR_UNSUPPORTED', `rank() needs a model with one label; this one has ${this.numLabels}. Use score().`);
    }
    const scores =
      maxChunks === 1 && maxTokens === undefined
        ? await this.#submit(callSite, signal, (callback) => this.#native.rank(query, docs, callOptions, callback))
        : await this.#rankWindows(callSite, signal, query, docs, callOptions, maxChunks, maxTokens ?? Infinity);
    const results: RankResult[] = Array.from(scores, (score, corpusId) =>
      returnDocuments ? { corpusId, score, text: docs[corpusId] } : { corpusId, score },
    );
    results.sort((a, b) => b.score - a.score || a.corpusId - b.corpusId);
    return topK === undefined ? results : results.slice(0, topK);
  }

  /** Rejects pending calls with ERR_CLOSED and frees the native session. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => this.#native.close(resolve));
    return this.#closing;
  }

  [asyncDispose](): Promise<void> {
    return this.close();
  }

  #callOptions(opts: Partial<Record<'activation' | 'truncation', unknown>>): NativeCallOptions {
    const requested = opts.activation === undefined ? 'auto' : v.oneOf('options.activation', opts.activation, ACTIVATIONS);
    const truncation = opts.truncation === undefined ? 'longest_first' : v.oneOf('options.truncation', opts.truncation, TRUNCATIONS);
    return {
      maxLength: this.maxLength,
      truncation: TRUNCATION_CODE[truncation],
      activation: ACTIVATION_CODE[requested === 'auto' ? this.activation : requested],
    };
  }

  /** Scores every window of every document; a document's score is its best window's. */
  async #rankWindows(
    callSite: Error,
    signal: AbortSignal | undefined,
    query: string,
    docs: string[],
    callOptions: NativeCallOptions,
    maxChunks: number,
    maxTokens: number,
  ): Promise<Float32Array> {
    const { texts, owners } = await documentWindows(this.tokenizer, query, docs, { maxLength: this.maxLength, maxChunks, maxTokens });
    const windowScores = await this.#submit(callSite, signal, (callback) => this.#native.rank(query, texts, callOptions, callback));
    const scores = new Float32Array(docs.length).fill(-Infinity);
    owners.forEach((owner, i) => {
      scores[owner] = Math.max(scores[owner] as number, windowScores[i] as number);
    });
    return scores;
  }

  #submit(
    callSite: Error,
    signal: AbortSignal | undefined,
    start: (callback: (error: Error | null, scores?: Float32Array) => void) => number,
  ): Promise<Float32Array> {
    if (this.#closing) return Promise.reject(fromNative(new CrossrankError('ERR_CLOSED', 'The model is closed; load it again to score'), callSite));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Float32Array>((resolve, reject) => {
      let ticket = 0;
      const onAbort = (): void => {
        this.#native.cancel(ticket);
        reject(abortError(signal as AbortSignal));
      };
      // The callback holds `this`, so a model with calls in flight is never garbage-collected.
      const callback = (error: Error | null, scores?: Float32Array): void => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(fromNative(error, callSite));
        else resolve(scores ?? new Float32Array(0));
        void this;
      };
      try {
        ticket = start(callback);
      } catch (error) {
        reject(fromNative(error, callSite));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #shape(scores: Float32Array, count: number): S {
    if (this.numLabels === 1) return scores as S;
    const labels = this.numLabels;
    return Array.from({ length: count }, (_, i) => scores.subarray(i * labels, (i + 1) * labels)) as S;
  }
}
