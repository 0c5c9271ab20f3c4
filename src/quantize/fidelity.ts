// How closely an int8 model's probe scores follow fp32's: Spearman, top-10 overlap per query, |Δlogit|.
import { type ModelProto, encodeModel } from './onnx-proto';

/** What `quantize: 'int8'` measured on the probe pairs against the fp32 graph; `model.quantization`. */
export interface QuantizationFidelity {
  /** Spearman rank correlation of int8 with fp32 logits over all probe pairs (the lowest label's, for several labels). */
  spearman: number;
  /** Mean share of each probe query's fp32 top-10 documents that int8 also ranks in its top-10. */
  top10Overlap: number;
  maxAbsDelta: number;
  meanAbsDelta: number;
  /** MatMul / Gemm nodes with a constant weight that stayed fp32 (classifier head, first attention, the most sensitive). */
  fp32MatMuls: number;
  int8MatMuls: number;
}

/** The fidelity a quantized model must reach on the probes to be used. */
export interface FidelityTarget {
  minSpearman: number;
  minTopKOverlap: number;
}

export const DEFAULT_TARGET: FidelityTarget = { minSpearman: 0.99, minTopKOverlap: 0.9 };

const TOP_K = 10;

/** Ranks (0-based, ties averaged) of `values`. */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number]) j++;
    for (let t = i; t <= j; t++) out[order[t] as number] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation of the ranks; 1 when both are constant, 0 when only one is. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    const x = (ra[i] as number) - mean;
    const y = (rb[i] as number) - mean;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  if (da === 0 && db === 0) return 1;
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

function topK(scores: ArrayLike<number>, from: number, count: number): Set<number> {
  const ids = Array.from({ length: count }, (_, i) => i);
  ids.sort((a, b) => (scores[from + b] as number) - (scores[from + a] as number) || a - b);
  return new Set(ids.slice(0, Math.min(TOP_K, count)));
}

/**
 * Compares candidate logits with the fp32 reference, both flat [pair][label], over probe queries of `groupSizes`
 * documents each (in order). Every label is compared on its own and the worst figure kept.
 */
export function compareScores(
  reference: Float32Array,
  candidate: Float32Array,
  groupSizes: readonly number[],
): Omit<QuantizationFidelity, 'fp32MatMuls' | 'int8MatMuls'> {
  const pairs = groupSizes.reduce((n, s) => n + s, 0);
  if (pairs === 0 || reference.length !== candidate.length || reference.length % pairs !== 0) {
    throw new Error(`fidelity: ${candidate.length} scores against ${reference.length} for ${pairs} pairs`);
  }
  const labels = reference.length / pairs;
  let worstSpearman = 1;
  let worstOverlap = 1;
  for (let label = 0; label < labels; label++) {
    const a = new Float32Array(pairs);
    const b = new Float32Array(pairs);
    for (let i = 0; i < pairs; i++) {
      a[i] = reference[i * labels + label] as number;
      b[i] = candidate[i * labels + label] as number;
    }
    worstSpearman = Math.min(worstSpearman, spearman(a, b));
    let overlap = 0;
    let from = 0;
    for (const size of groupSizes) {
      const expected = topK(a, from, size);
      const actual = topK(b, from, size);
      overlap += [...actual].filter((id) => expected.has(id)).length / expected.size;
      from += size;
    }
    worstOverlap = Math.min(worstOverlap, overlap / groupSizes.length);
  }
  let maxAbsDelta = 0;
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs((reference[i] as number) - (candidate[i] as number));
    maxAbsDelta = Math.max(maxAbsDelta, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
    sum += d;
  }
  return { spearman: worstSpearman, top10Overlap: worstOverlap, maxAbsDelta, meanAbsDelta: sum / reference.length };
}

export function meetsTarget(f: Pick<QuantizationFidelity, 'spearman' | 'top10Overlap'>, target: FidelityTarget): boolean {
  return f.spearman >= target.minSpearman && f.top10Overlap >= target.minTopKOverlap;
}

/** "Spearman 0.9931, top-10 overlap 93.8%, max |Δlogit| 0.0412, mean 0.0061, 31 MatMuls int8 / 5 fp32". */
export function describeFidelity(f: QuantizationFidelity): string {
  return (
    `Spearman ${f.spearman.toFixed(4)}, top-10 overlap ${(f.top10Overlap * 100).toFixed(1)}%, max |Δlogit| ` +
    `${f.maxAbsDelta.toPrecision(3)}, mean ${f.meanAbsDelta.toPrecision(3)}, ${f.int8MatMuls} MatMuls int8 / ${f.fp32MatMuls} fp32`
  );
}

/** The metadata_props key of an ONNX file crossrank quantized, holding its QuantizationFidelity as JSON. */
export const FIDELITY_METADATA_KEY = 'crossrank.quantization';

/** The file's bytes with its figures appended as a metadata_props entry (protobuf merges a repeated field's pieces). */
export function withFidelity(bytes: Uint8Array, fidelity: QuantizationFidelity): Uint8Array {
  const entry = encodeModel({ opsetImport: [], metadataProps: [{ key: FIDELITY_METADATA_KEY, value: JSON.stringify(fidelity) }] } as ModelProto);
  const out = new Uint8Array(bytes.length + entry.length);
  out.set(bytes, 0);
  out.set(entry, bytes.length);
  return out;
}

/** A metadata value read back as figures; undefined unless it has every field as a number. */
export function parseFidelity(json: string): QuantizationFidelity | undefined {
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    const keys = ['spearman', 'top10Overlap', 'maxAbsDelta', 'meanAbsDelta', 'fp32MatMuls', 'int8MatMuls'] as const;
    if (!keys.every((k) => typeof value[k] === 'number')) return undefined;
    return Object.fromEntries(keys.map((k) => [k, value[k]])) as unknown as QuantizationFidelity;
  } catch {
    return undefined;
  }
}
