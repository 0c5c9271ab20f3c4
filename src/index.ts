// Public entry point of crossrank.
export { CrossEncoder } from './cross-encoder';
export type {
  Activation,
  BatchingOptions,
  BatchStats,
  CudaProviderOptions,
  ExecutionProvider,
  ExecutionProviderName,
  HubProgress,
  LoadOptions,
  Precision,
  QuantizationFidelity,
  QuantizeOptions,
  RankOptions,
  RankResult,
  ScoreOptions,
  TensorRTProviderOptions,
} from './cross-encoder';
export { Tokenizer } from './tokenizer';
export type { TruncationStrategy } from './tokenizer';
export { CrossrankError, CrossrankRangeError, CrossrankTypeError } from './errors';
export type { ErrorCode } from './errors';
export { evaluateBinary, type BinaryMetrics } from './evaluate';
