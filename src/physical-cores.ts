// Intra-op threads for "one per physical core": ONNX Runtime's own default (0) counts a single core on some VMs.
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Distinct (physical id, core id) pairs of /proc/cpuinfo, capped by the CPUs this process may use; undefined off Linux. */
export function physicalCores(): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
  const cores = new Set<string>();
  let physical = '0';
  for (const line of text.split('\n')) {
    const [key, value] = line.split(':').map((s) => s.trim());
    if (key === 'physical id') physical = value ?? '0';
    else if (key === 'core id') cores.add(`${physical}/${value}`);
  }
  // Containers and taskset narrow the CPUs a process may run on; availableParallelism reads that affinity.
  return cores.size > 0 ? Math.min(cores.size, os.availableParallelism()) : undefined;
}

/** `threads` as given, or for 0 the physical cores where they can be counted (else 0: ONNX Runtime's default). */
export function intraOpThreads(threads: number): number {
  return threads > 0 ? threads : (physicalCores() ?? 0);
}
