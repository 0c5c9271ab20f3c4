// int8 that meets a fidelity target on the probes: all weight MatMuls int8, else the most sensitive kept fp32, else refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { encodeModelFile, readModelFile } from './external-data';
import { type FidelityTarget, type QuantizationFidelity, compareScores, describeFidelity, meetsTarget } from './fidelity';
import { type ProbeScorer } from './probe-scorer';
import { probeQueries, probeTexts } from './probe-pairs';
import { type WeightType, int8WeightType } from './int8-weights';
import { type Int8Weight, type QuantizeSummary, quantizeInt8ModelAsync } from './quantize-int8';

/** Contiguous groups of quantized nodes whose sensitivity is measured one group at a time (bounds derivation time). */
const MAX_UNITS = 12;
/** Queries of the probe set scored for each group's sensitivity; the chosen model is checked on all of them. */
const SENSITIVITY_QUERIES = 6;
/** Mixed precision keeps at most this share of the groups fp32; past it, int8 would gain little and is refused. */
const MAX_KEPT_SHARE = 0.5;

/** The accepted int8 graph: its bytes (graph only when its weights are in `dataFile`), quantizer summary and figures. */
export interface Int8Model {
  bytes: Uint8Array;
  /** The external data file the bytes name (its base name), in the scratch folder; move it beside the model file. */
  dataFile?: string;
  summary: QuantizeSummary;
  fidelity: QuantizationFidelity;
}

interface Trial extends Int8Model {
  scores: Float32Array;
}

function splitUnits(nodes: readonly string[]): string[][] {
  const count = Math.min(MAX_UNITS, nodes.length);
  return Array.from({ length: count }, (_, u) => nodes.slice(Math.floor((u * nodes.length) / count), Math.floor(((u + 1) * nodes.length) / count)));
}

/**
 * Quantizes the model at `basePath` (fp32, possibly fused) to int8 and measures it against `basePath` on the probe
 * pairs. When the figures miss `target`, measures how much each group of MatMuls hurts alone, keeps the most harmful
 * fp32 (as many as a first-order sum of their errors predicts, then checked), and throws ERR_QUANTIZATION_FIDELITY with
 * the best figures reached when no model keeping at most half the groups fp32 meets it. Candidates are written to
 * `scratchDir` with the name `fileName` (the name their external data file carries); the caller removes the folder.
 * Candidates are measured with this CPU's weight type; the accepted one is written with `weightType` (default: the
 * same), whose figures are the same on a CPU that runs it exactly (signed weights are the unsigned ones less 128).
 */
export async function quantizeToTarget(
  basePath: string,
  target: FidelityTarget,
  score: ProbeScorer,
  scratchDir: string,
  fileName: string,
  weightType: WeightType = int8WeightType(),
): Promise<Int8Model> {
  const queries = probeQueries();
  const texts = probeTexts(queries);
  const sizes = queries.map((q) => q.documents.length);
  const subsetPairs = sizes.slice(0, SENSITIVITY_QUERIES).reduce((n, s) => n + s, 0);
  const reference = await score(basePath, texts);
  const labels = reference.length / (texts.length / 2);
  const subsetReference = reference.subarray(0, subsetPairs * labels);
  let trials = 0;
  const weightCache = new Map<string, Int8Weight>();

  const measured = int8WeightType();

  // A candidate quantized with `type`, encoded in a folder of its own so that its external data file stays with it.
  const encode = async (keep: ReadonlySet<string>, type: WeightType) => {
    const { model, external } = await readModelFile(basePath);
    const summary = await quantizeInt8ModelAsync(model, { keepFp32Nodes: keep, weightCache, weightType: type });
    const folder = path.join(scratchDir, `trial-${trials++}`);
    await fs.promises.mkdir(folder, { recursive: true });
    const file = path.join(folder, fileName);
    return { folder, file, summary, ...(await encodeModelFile(model, file, external)) };
  };

  const trial = async (keep: ReadonlySet<string>, subset: boolean): Promise<Trial> => {
    const { folder, file, summary, bytes, dataFile } = await encode(keep, measured);
    await fs.promises.writeFile(file, bytes);
    let scores: Float32Array;
    try {
      scores = await score(file, subset ? texts.slice(0, subsetPairs * 2) : texts);
    } finally {
      if (subset) await fs.promises.rm(folder, { recursive: true, force: true });
    }
    const figures = compareScores(subset ? subsetReference : reference, scores, subset ? sizes.slice(0, SENSITIVITY_QUERIES) : sizes);
    const fp32MatMuls = summary.head.length + summary.firstLayer.length + summary.kept.length;
    return { bytes, dataFile, summary, scores, fidelity: { ...figures, fp32MatMuls, int8MatMuls: summary.quantized.length } };
  };

  // The accepted candidate again, with the requested weight type (when this CPU measured with the other one).
  const accept = async (chosen: Int8Model): Promise<Int8Model> => {
    if (weightType === measured) return chosen;
    const { summary, bytes, dataFile } = await encode(new Set(chosen.summary.kept), weightType);
    return { bytes, dataFile, summary, fidelity: chosen.fidelity };
  };

  const full = await trial(new Set(), false);
  if (meetsTarget(full.fidelity, target)) return accept(full);
  let best = full;
  const better = (t: Trial) => {
    if (t.fidelity.spearman + t.fidelity.top10Overlap > best.fidelity.spearman + best.fidelity.top10Overlap) best = t;
  };

  const units = splitUnits(full.summary.quantized);
  const maxKept = Math.floor(units.length * MAX_KEPT_SHARE);
  if (maxKept >= 1) {
    // Each group int8 alone (the rest fp32), on the first probe queries: its error, as a logit delta per pair.
    const deltas: Float32Array[] = [];
    const harm: number[] = [];
    for (let u = 0; u < units.length; u++) {
      const others = new Set(units.filter((_, v) => v !== u).flat());
      const alone = await trial(others, true);
      deltas.push(alone.scores.map((x, i) => x - (subsetReference[i] as number)));
      harm.push(2 - alone.fidelity.spearman - alone.fidelity.top10Overlap + alone.fidelity.meanAbsDelta * 1e-3);
    }
    const order = units.map((_, u) => u).sort((a, b) => (harm[b] as number) - (harm[a] as number));
    const keepSet = (k: number) => new Set(order.slice(0, k).flatMap((u) => units[u] as string[]));
    // First-order prediction: the int8 groups' deltas add up.
    const predicts = (k: number): boolean => {
      const sum = Float32Array.from(subsetReference);
      for (const u of order.slice(k)) (deltas[u] as Float32Array).forEach((d, i) => (sum[i] = (sum[i] as number) + d));
      return meetsTarget(compareScores(subsetReference, sum, sizes.slice(0, SENSITIVITY_QUERIES)), target);
    };
    let k = 1;
    while (k < maxKept && !predicts(k)) k++;
    const check = async (kept: number): Promise<Trial | undefined> => {
      const t = await trial(keepSet(kept), false);
      better(t);
      return meetsTarget(t.fidelity, target) ? t : undefined;
    };
    let found = await check(k);
    if (!found && k < maxKept) {
      // Bisect (k, maxKept]: the most kept first, then fewer while it still meets the target.
      let high = maxKept;
      let highTrial = await check(high);
      let low = k;
      while (highTrial && high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        const t = await check(mid);
        if (t) [high, highTrial] = [mid, t];
        else low = mid;
      }
      found = highTrial;
    }
    if (found) return accept(found);
  }
  throw new CrossrankError(
    'ERR_QUANTIZATION_FIDELITY',
    `int8 could not reach the fidelity target (Spearman >= ${target.minSpearman}, top-10 overlap >= ${target.minTopKOverlap}) ` +
      `on crossrank's probe pairs: the best model tried (${trials} tried, at most ${maxKept} of ${units.length} MatMul groups ` +
      `fp32) reached ${describeFidelity(best.fidelity)}. Load the model without quantize, or pass a lower target as ` +
      `quantize: { type: 'int8', minSpearman, minTopKOverlap }.`,
  );
}
