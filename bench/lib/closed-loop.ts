// Closed-loop load: `callers` loops, each issuing its next call when the previous resolves, until `total` calls are done.

export interface LoopResult {
  seconds: number;
  /** Latency of each call in ms, in completion order. */
  latenciesMs: number[];
}

export async function closedLoop(callers: number, total: number, call: (index: number) => Promise<unknown>): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      const t0 = performance.now();
      await call(index);
      latenciesMs.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(callers, total) }, caller));
  return { seconds: (performance.now() - t0) / 1000, latenciesMs };
}

/** Latencies in ms of `runs` calls made one after another. */
export async function sequentialLatencies(runs: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    out.push(performance.now() - t0);
  }
  return out;
}
