// Peak resident memory of this process: the kernel's high-water mark (Linux), else process.resourceUsage().
import * as fs from 'node:fs';

/** Peak RSS in MiB since the process started. */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s*(\d+)\s*kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // Not Linux: fall through to the portable counter.
  }
  return process.resourceUsage().maxRSS / 1024;
}
