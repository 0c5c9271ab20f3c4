// Which int8 weight type ONNX Runtime's kernels run without overflow on this CPU.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { CrossrankRangeError } from '../errors';

/**
 * 'int8': signed weights (ONNX Runtime's U8S8 kernels). 'uint8': unsigned weights offset by 128 (the U8U8 kernels).
 * On x86 without VNNI, U8S8 multiplies with vpmaddubsw, whose int16 pair sums saturate (255 x 127 x 2 > 32767), so
 * int8 weights lose accuracy there (Spearman 0.99 on minilm-l6 only with half its MatMuls kept fp32); U8U8 widens first.
 */
export type WeightType = 'int8' | 'uint8';

let detected: WeightType | undefined;

/** x86 CPU flags from /proc/cpuinfo (Linux); undefined where they cannot be read. */
function x86Flags(): Set<string> | undefined {
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return line ? new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/)) : undefined;
  } catch {
    return undefined;
  }
}

/** CROSSRANK_INT8_WEIGHTS when set, else 'int8' on arm64 and on x86 with VNNI, else (unknown or no VNNI) 'uint8'. */
export function int8WeightType(): WeightType {
  const forced = process.env.CROSSRANK_INT8_WEIGHTS;
  if (forced !== undefined && forced !== '') {
    if (forced !== 'int8' && forced !== 'uint8') {
      throw new CrossrankRangeError('ERR_OUT_OF_RANGE', `Expected 'int8' or 'uint8' for CROSSRANK_INT8_WEIGHTS but received '${forced}'`);
    }
    return forced;
  }
  if (detected === undefined) {
    const arch = os.arch();
    if (arch !== 'x64' && arch !== 'ia32') {
      detected = 'int8';
    } else {
      const flags = x86Flags();
      detected = flags && (flags.has('avx512_vnni') || flags.has('avx_vnni')) ? 'int8' : 'uint8';
    }
  }
  return detected;
}
