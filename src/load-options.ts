// CrossEncoder.load's options: their types, documentation and defaults, validated in one place at the front door.
import type { NativeModelOptions } from '../binding/native';
import type { Activation } from './activation';
import { type ExecutionProvider, providerRequests } from './execution-providers';
import type { HubProgress, ResolveOptions } from './hub/resolve-model';
import type { QuantizeRequest } from './quantize/derived-model';
import { DEFAULT_TARGET } from './quantize/fidelity';
import * as v from './validate';

/** How concurrent calls are merged into ONNX Runtime batches. */
export interface BatchingOptions {
  /** Padded tokens per batch (rows x longest row). Default 4096: ~32 pairs of 128 tokens, the fastest size measured on CPU. */
  maxBatchTokens?: number;
  /** Pairs per batch at most. Default 32. */
  maxBatchSize?: number;
  /** Pairs waiting across all calls before new calls are rejected with ERR_QUEUE_FULL. Default 100000. */
  maxQueuedPairs?: number;
  /**
   * Pad each batch's sequence length up to a multiple of this, so GPU providers reuse TensorRT profiles and CUDA
   * graphs. Scores do not change (padding is masked). Default 1 (no bucketing) on CPU, 32 when a GPU provider is first.
   */
  lengthBucket?: number;
  /**
   * Batches run at once, each on its own threadpool thread with its own buffers: on a GPU the next batch is built and
   * copied while one computes. Default 1 on CPU (ONNX Runtime's intra-op threads already use every core), 2 when a GPU
   * provider is first.
   */
  maxInflightBatches?: number;
  /**
   * What one ONNX Runtime run costs beyond its tokens, in padded tokens. Of the batches the budget allows around the
   * oldest call's shortest pair, the batcher runs the one with the most real tokens per (padded tokens + this): a
   * longer pair whose padding of every row would cost more waits for a batch of its own length. Default 16 on CPU
   * (fastest in `npm run bench:batch-size` on MiniLM, XLM-R and DeBERTa shapes), `maxBatchTokens` when a GPU provider is
   * first (fill batches).
   */
  runCostTokens?: number;
}

export interface LoadOptions {
  /** Longest tokenized pair, special tokens included. Default: sentence_bert_config.json's max_seq_length, else tokenizer_config's model_max_length, else the positions the model addresses (XLM-R: max_position_embeddings - 2), capped by those positions. */
  maxLength?: number;
  /** Applied to logits. 'auto' (default) follows the model's saved sentence-transformers config: Sigmoid for one label, Identity otherwise. */
  activation?: 'auto' | Activation;
  /** ONNX file inside the model folder. Default: onnx/model.onnx, else model.onnx. */
  modelFile?: string;
  /** ONNX Runtime intra-op threads. Default 0: one per physical core. */
  threads?: number;
  /**
   * Execution providers in order of preference: 'cpu', 'cuda', 'tensorrt', or objects with per-provider settings
   * (`{ name: 'cuda', deviceId, gpuMemLimit, cudaGraph }`, `{ name: 'tensorrt', fp16, int8, engineCacheDir }`).
   * Default ['cpu']. A provider that cannot start rejects load() with ERR_PROVIDER_UNAVAILABLE.
   */
  executionProviders?: ExecutionProvider[];
  /** With 'cpu' last in executionProviders: load on CPU when a GPU provider cannot start (see model.executionProvider). Default false. */
  fallback?: boolean;
  batching?: BatchingOptions;
  /** Path to a libonnxruntime shared library; overrides CROSSRANK_ORT_LIBRARY and the one in onnxruntime-node. */
  ortLibraryPath?: string;
  /** Path to the crossrank.node addon to load instead of the local build or the prebuild; overrides CROSSRANK_NATIVE_BINDING. One process loads one addon. */
  nativeBinding?: string;
  /** Hub models: the branch, tag or commit to fetch. Default 'main'. */
  revision?: string;
  /** Hub models: the Hugging Face cache folder. Default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Hub models: an access token for private or gated repos. Default: HF_TOKEN, else the token file of `huggingface-cli login`. */
  token?: string;
  /** Hub models: use only the cache and make no request (ERR_HUB_OFFLINE when files are missing). Default: HF_HUB_OFFLINE. */
  offline?: boolean;
  /** Hub models: called as each file downloads, with its repo path and bytes loaded / total. */
  onProgress?: (progress: HubProgress) => void;
  /**
   * 'int8': run the model with int8 MatMul weights (per output channel, dynamic int8 activations), quantized on first
   * load and cached (see modelCacheDir). The int8 graph is scored against fp32 on built-in probe pairs (figures in
   * `model.quantization`); when it misses the target (default Spearman >= 0.99 and top-10 overlap >= 0.9, set them
   * with `{ type: 'int8', minSpearman, minTopKOverlap }`), the MatMuls that hurt most stay fp32, and when that cannot
   * meet it either, load rejects with ERR_QUANTIZATION_FIDELITY. ERR_NOT_QUANTIZABLE when the graph has nothing to
   * quantize. Default: run the ONNX file as it is.
   */
  quantize?: 'int8' | QuantizeOptions;
  /**
   * true: on first load, rewrite each BERT-style self-attention block into ONNX Runtime's fused Attention operator and
   * narrow DeBERTa's relative-position MatMuls to the span they read, then cache the graph (see modelCacheDir); scores
   * stay within 1e-4. With quantize, the optimized graph is quantized. Rejects with ERR_NOT_OPTIMIZABLE when nothing
   * matches. Default false.
   */
  optimize?: boolean;
  /** Where optimized / quantized models are cached. Default: `<model folder>/.crossrank-cache` when writable, else `<os.tmpdir()>/crossrank-cache`. */
  modelCacheDir?: string;
}

/** `quantize` with its fidelity target. */
export interface QuantizeOptions {
  type: 'int8';
  /** Lowest Spearman correlation with fp32 on the probe pairs, from 0 to 1. Default 0.99. */
  minSpearman?: number;
  /** Lowest mean share of each probe query's fp32 top-10 kept by int8, from 0 to 1. Default 0.9. */
  minTopKOverlap?: number;
}

const QUANTIZE_OPTIONS = ['type', 'minSpearman', 'minTopKOverlap'] as const;

function share(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw v.typeError(name, 'a number', value);
  if (value < 0 || value > 1) throw v.rangeError(name, 'a number from 0 to 1', value);
  return value;
}

/** 'int8' or { type: 'int8', minSpearman, minTopKOverlap } as the quantizer's request, defaults filled in. */
function quantizeRequest(value: unknown): QuantizeRequest | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { type: v.oneOf('options.quantize', value, ['int8'] as const), ...DEFAULT_TARGET };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw v.typeError('options.quantize', "'int8' or an object", value);
  const o = v.options('options.quantize', value, QUANTIZE_OPTIONS);
  return {
    type: v.oneOf('options.quantize.type', o.type, ['int8'] as const),
    minSpearman: share('options.quantize.minSpearman', o.minSpearman, DEFAULT_TARGET.minSpearman),
    minTopKOverlap: share('options.quantize.minTopKOverlap', o.minTopKOverlap, DEFAULT_TARGET.minTopKOverlap),
  };
}

const LOAD_OPTIONS = [
  'maxLength',
  'activation',
  'modelFile',
  'threads',
  'executionProviders',
  'fallback',
  'batching',
  'ortLibraryPath',
  'nativeBinding',
  'revision',
  'cacheDir',
  'token',
  'offline',
  'onProgress',
  'quantize',
  'optimize',
  'modelCacheDir',
] as const;
const BATCHING_OPTIONS = ['maxBatchTokens', 'maxBatchSize', 'maxQueuedPairs', 'lengthBucket', 'maxInflightBatches', 'runCostTokens'] as const;
const ACTIVATIONS = ['auto', 'sigmoid', 'identity', 'softmax'] as const;
const MAX_INT32 = 2 ** 31 - 1;

/** Every load option validated and defaulted, grouped by who uses it. maxLength stays raw: its bound is the model's. */
export interface ParsedLoadOptions {
  maxLength: unknown;
  activation: 'auto' | Activation;
  modelFile: string | undefined;
  ortLibraryPath: string | undefined;
  nativeBinding: string | undefined;
  /** For resolveModel: hub models. */
  hub: ResolveOptions;
  quantize: QuantizeRequest | undefined;
  optimize: boolean;
  modelCacheDir: string | undefined;
  /** For createModel, all but the model path, max length and label hint. */
  engine: Omit<NativeModelOptions, 'modelPath' | 'maxLength' | 'numLabelsHint'>;
}

export function parseLoadOptions(options: unknown): ParsedLoadOptions {
  const opts = v.options('options', options as LoadOptions | undefined, LOAD_OPTIONS);
  const batching = v.options('options.batching', opts.batching, BATCHING_OPTIONS);
  const providers = providerRequests(opts.executionProviders);
  const fallback = v.optionalBoolean('options.fallback', opts.fallback) ?? false;
  if (fallback && providers[providers.length - 1]?.name !== 'cpu') {
    throw v.rangeError('options.executionProviders', "a list ending with 'cpu' when fallback is true", opts.executionProviders);
  }
  const gpuFirst = providers[0]?.name !== 'cpu';
  const maxBatchTokens = v.optionalInteger('options.batching.maxBatchTokens', batching.maxBatchTokens, 1, MAX_INT32) ?? 4096;
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw v.typeError('options.onProgress', 'a function', opts.onProgress);
  }
  const modelFile = v.optionalNonEmptyString('options.modelFile', opts.modelFile);
  return {
    maxLength: opts.maxLength,
    activation: opts.activation === undefined ? 'auto' : v.oneOf('options.activation', opts.activation, ACTIVATIONS),
    modelFile,
    ortLibraryPath: v.optionalNonEmptyString('options.ortLibraryPath', opts.ortLibraryPath),
    nativeBinding: v.optionalNonEmptyString('options.nativeBinding', opts.nativeBinding),
    hub: {
      revision: v.optionalNonEmptyString('options.revision', opts.revision),
      cacheDir: v.optionalNonEmptyString('options.cacheDir', opts.cacheDir),
      token: v.optionalNonEmptyString('options.token', opts.token),
      offline: v.optionalBoolean('options.offline', opts.offline),
      onProgress: opts.onProgress as ((progress: HubProgress) => void) | undefined,
      modelFile,
    },
    quantize: quantizeRequest(opts.quantize),
    optimize: v.optionalBoolean('options.optimize', opts.optimize) ?? false,
    modelCacheDir: v.optionalNonEmptyString('options.modelCacheDir', opts.modelCacheDir),
    engine: {
      providers,
      fallback,
      threads: v.optionalInteger('options.threads', opts.threads, 0, 1024) ?? 0,
      maxBatchTokens,
      maxBatchSize: v.optionalInteger('options.batching.maxBatchSize', batching.maxBatchSize, 1, 65536) ?? 32,
      maxQueuedPairs: v.optionalInteger('options.batching.maxQueuedPairs', batching.maxQueuedPairs, 1, MAX_INT32) ?? 100_000,
      lengthBucket: v.optionalInteger('options.batching.lengthBucket', batching.lengthBucket, 1, 512) ?? (gpuFirst ? 32 : 1),
      maxInflightBatches: v.optionalInteger('options.batching.maxInflightBatches', batching.maxInflightBatches, 1, 8) ?? (gpuFirst ? 2 : 1),
      runCostTokens: v.optionalInteger('options.batching.runCostTokens', batching.runCostTokens, 0, MAX_INT32) ?? (gpuFirst ? maxBatchTokens : 16),
    },
  };
}
