// crossrank as the benchmarks load it: raw logits (comparable with the peers), intra-op threads = physical cores.
import type { CrossEncoder } from '../../src';

export async function loadCrossrank(modelDir: string, threads: number): Promise<CrossEncoder> {
  // Imported lazily so the peers can still be measured while the addon is being rebuilt.
  const { CrossEncoder } = await import('../../src');
  return CrossEncoder.load(modelDir, { threads, activation: 'identity' });
}
