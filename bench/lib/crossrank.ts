// crossrank as the benchmarks load it: raw logits (comparable with the peers), intra-op threads = physical cores.
import type { CrossEncoder, LoadOptions } from '../../src';

/** `options` adds e.g. optimize / quantize; their derived files are made (and cached) before anything is timed. */
export async function loadCrossrank(modelDir: string, threads: number, options: LoadOptions = {}): Promise<CrossEncoder> {
  // Imported lazily so the peers can still be measured while the addon is being rebuilt.
  const { CrossEncoder } = await import('../../src');
  return CrossEncoder.load(modelDir, { threads, activation: 'identity', ...options });
}
