// Order statistics for latency samples.

/** The q-th quantile (0..1) by nearest rank; NaN for no samples. */
export function quantile(samples: ArrayLike<number>, q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(samples: ArrayLike<number>): number {
  return quantile(samples, 0.5);
}
