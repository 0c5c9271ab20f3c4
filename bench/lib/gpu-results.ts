// The JSON files of the GPU benchmark: bench/gpu.ts writes results.json and reference.json, bench/gpu_st.py writes st.json.
import type { TextPair } from '../../test/helpers/pairs';

export interface RowResult {
  id: string;
  label: string;
  status: 'ok' | 'unavailable' | 'failed';
  message?: string;
  executionProvider?: string;
  loadSeconds?: number;
  /** Pairs/s of one score() call over shortPairs. */
  shortPairsPerSecond?: number;
  shortPairs?: number;
  /** Pairs/s of concurrent callers, each scoring a few short pairs per call. */
  concurrentPairsPerSecond?: number;
  /** Pairs/s of one score() call over queryPassagePairs. */
  passagePairsPerSecond?: number;
  passagePairs?: number;
  rankCalls?: number;
  rankP50Ms?: number;
  rankP99Ms?: number;
  /** Largest |score - CPU fp32 score| over the check pairs (NaN when a score is NaN). */
  maxAbsDiff?: number;
}

export interface Results {
  benchmark: 'gpu';
  flags: Record<string, unknown>;
  results: RowResult[];
}

export interface RankCall {
  query: string;
  documents: string[];
}

/** What bench/gpu_st.py reads: the same pairs and calls, and crossrank's CPU fp32 scores of the check pairs. */
export interface Reference {
  model: string;
  maxLength: number;
  checkPairs: TextPair[];
  checkScores: number[];
  shortPairs: TextPair[];
  rankCalls: RankCall[];
  seconds: number;
  latencyCalls: number;
  latencySeconds: number;
}

/** bench/gpu_st.py's result: sentence-transformers CrossEncoder, fp16 on CUDA. */
export interface PeerResult {
  status: 'ok' | 'skipped' | 'mismatch' | 'failed';
  message?: string;
  device?: string;
  dtype?: string;
  maxAbsDiffFp32?: number;
  maxAbsDiff?: number;
  bestBatchSize?: number;
  shortPairsPerSecond?: number;
  rankP50Ms?: number;
  rankP99Ms?: number;
}
