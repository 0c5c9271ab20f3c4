// Validates executionProviders and turns each into ONNX Runtime's provider option keys.
import * as v from './validate';

/** CUDA execution provider settings. */
export interface CudaProviderOptions {
  name: 'cuda';
  /** GPU ordinal. Default 0. */
  deviceId?: number;
  /** Bytes the CUDA memory arena may use. Default: no limit. */
  gpuMemLimit?: number;
  /** Capture CUDA graphs; pays off with fixed shapes (set batching.lengthBucket). Default false. */
  cudaGraph?: boolean;
}

/** TensorRT execution provider settings. */
export interface TensorRTProviderOptions {
  name: 'tensorrt';
  /** GPU ordinal. Default 0. */
  deviceId?: number;
  /** Build fp16 engines. Default false. */
  fp16?: boolean;
  /** Build int8 engines (needs calibration data in the model). Default false. */
  int8?: boolean;
  /** Folder where built engines are cached across restarts. Default: no cache. */
  engineCacheDir?: string;
}

export type ExecutionProviderName = 'cpu' | 'cuda' | 'tensorrt';
export type ExecutionProvider = ExecutionProviderName | CudaProviderOptions | TensorRTProviderOptions;

/** What the addon receives: the provider and its ORT option keys. */
export interface ProviderRequest {
  name: ExecutionProviderName;
  options: Record<string, string>;
}

const NAMES = ['cpu', 'cuda', 'tensorrt'] as const;
const CUDA_KEYS = ['name', 'deviceId', 'gpuMemLimit', 'cudaGraph'] as const;
const TENSORRT_KEYS = ['name', 'deviceId', 'fp16', 'int8', 'engineCacheDir'] as const;

function flag(value: boolean): string {
  return value ? '1' : '0';
}

function one(name: string, entry: unknown): ProviderRequest {
  if (typeof entry === 'string') return { name: v.oneOf(name, entry, NAMES), options: {} };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw v.typeError(name, "'cpu', 'cuda', 'tensorrt' or an object with a name", entry);
  }
  const provider = v.oneOf(`${name}.name`, (entry as { name?: unknown }).name, NAMES);
  const options: Record<string, string> = {};
  if (provider === 'cpu') {
    v.options(name, entry, ['name'] as const);
  } else if (provider === 'cuda') {
    const o = v.options(name, entry, CUDA_KEYS);
    if (o.deviceId !== undefined) options.device_id = String(v.integer(`${name}.deviceId`, o.deviceId, 0, 1024));
    if (o.gpuMemLimit !== undefined) {
      options.gpu_mem_limit = String(v.integer(`${name}.gpuMemLimit`, o.gpuMemLimit, 1, Number.MAX_SAFE_INTEGER));
    }
    if (o.cudaGraph !== undefined) options.enable_cuda_graph = flag(v.boolean(`${name}.cudaGraph`, o.cudaGraph));
  } else {
    const o = v.options(name, entry, TENSORRT_KEYS);
    if (o.deviceId !== undefined) options.device_id = String(v.integer(`${name}.deviceId`, o.deviceId, 0, 1024));
    options.trt_fp16_enable = flag(o.fp16 === undefined ? false : v.boolean(`${name}.fp16`, o.fp16));
    options.trt_int8_enable = flag(o.int8 === undefined ? false : v.boolean(`${name}.int8`, o.int8));
    if (o.engineCacheDir !== undefined) {
      options.trt_engine_cache_enable = '1';
      options.trt_engine_cache_path = v.nonEmptyString(`${name}.engineCacheDir`, o.engineCacheDir);
    }
  }
  return { name: provider, options };
}

/** Validates the list (non-empty, no duplicates) and maps it for the addon. */
export function providerRequests(value: unknown): ProviderRequest[] {
  if (value === undefined) return [{ name: 'cpu', options: {} }];
  if (!Array.isArray(value) || value.length === 0) {
    throw v.typeError('options.executionProviders', "a non-empty array such as ['cuda', 'cpu']", value);
  }
  const requests = value.map((entry, i) => one(`options.executionProviders[${i}]`, entry));
  const seen = new Set<string>();
  requests.forEach((r, i) => {
    if (seen.has(r.name)) throw v.rangeError(`options.executionProviders[${i}]`, 'each provider once', r.name);
    seen.add(r.name);
  });
  return requests;
}
