// evaluateBinary: hand-computed fixtures and agreement with a plain re-statement of the evaluator on random cases.
import { describe, expect, it } from 'vitest';
import { type BinaryMetrics, evaluateBinary } from '../src';
import { mulberry32 } from './helpers/random';

/** Straightforward restatement: stable insertion sort, every cut and every distinct threshold counted from scratch. */
function reference(scores: ArrayLike<number>, labels: readonly number[]): BinaryMetrics {
  const n = scores.length;
  const f32 = scores instanceof Float32Array;
  const mid = (a: number, b: number): number => (f32 ? Math.fround(Math.fround(a + b) / 2) : (a + b) / 2);
  const rows: Array<{ s: number; y: number }> = [];
  for (let i = 0; i < n; i++) {
    const row = { s: scores[i] as number, y: labels[i] as number };
    let j = rows.length;
    while (j > 0 && (rows[j - 1] as { s: number }).s < row.s) j--;
    rows.splice(j, 0, row);
  }
  const P = labels.filter((y) => y === 1).length;
  const out: BinaryMetrics = { accuracy: 0, accuracyThreshold: -1, f1: 0, f1Threshold: 0, precision: 0, recall: 0, averagePrecision: 0 };
  for (let cut = 0; cut < n - 1; cut++) {
    let tp = 0;
    let tn = 0;
    rows.forEach((r, k) => {
      if (k <= cut && r.y === 1) tp++;
      if (k > cut && r.y === 0) tn++;
    });
    const threshold = mid((rows[cut] as { s: number }).s, (rows[cut + 1] as { s: number }).s);
    if ((tp + tn) / n > out.accuracy) {
      out.accuracy = (tp + tn) / n;
      out.accuracyThreshold = threshold;
    }
    if (tp > 0) {
      const p = tp / (cut + 1);
      const r = tp / P;
      const f = (2 * p * r) / (p + r);
      if (f > out.f1) Object.assign(out, { f1: f, precision: p, recall: r, f1Threshold: threshold });
    }
  }
  const distinct = [...new Set(rows.map((r) => r.s))];
  let previousRecall = 0;
  for (const t of distinct) {
    const above = rows.filter((r) => r.s >= t);
    const tp = above.filter((r) => r.y === 1).length;
    const recall = P === 0 ? 1 : tp / P;
    out.averagePrecision += (recall - previousRecall) * (tp / above.length);
    previousRecall = recall;
  }
  return out;
}


function expectClose(actual: BinaryMetrics, expected: BinaryMetrics, tolerance: number): void {
  for (const key of Object.keys(expected) as Array<keyof BinaryMetrics>) {
    if (Math.abs(actual[key] - expected[key]) > tolerance) {
      throw new Error(`${key}: ${actual[key]} != ${expected[key]}`);
    }
  }
}

describe('evaluateBinary on hand-computed fixtures', () => {
  it('distinct scores', () => {
    expectClose(
      evaluateBinary([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]),
      { accuracy: 0.75, accuracyThreshold: 0.85, f1: 0.8, f1Threshold: 0.65, precision: 2 / 3, recall: 1, averagePrecision: 0.5 + 1 / 3 },
      1e-12,
    );
  });

  it('ties keep input order for the walks and are taken together for average precision', () => {
    expectClose(
      evaluateBinary([0.5, 0.5, 0.5, 0.2], [0, 1, 1, 0]),
      { accuracy: 0.75, accuracyThreshold: 0.35, f1: 0.8, f1Threshold: 0.35, precision: 2 / 3, recall: 1, averagePrecision: 2 / 3 },
      1e-12,
    );
    // The same scores with the positives first: the walk cuts inside the tie, as sentence-transformers does.
    expectClose(
      evaluateBinary([0.5, 0.5, 0.5, 0.2], [1, 1, 0, 0]),
      { accuracy: 1, accuracyThreshold: 0.5, f1: 1, f1Threshold: 0.5, precision: 1, recall: 1, averagePrecision: 2 / 3 },
      1e-12,
    );
  });

  it('all scores equal', () => {
    expectClose(
      evaluateBinary([1, 1, 1, 1], [0, 1, 0, 1]),
      { accuracy: 0.5, accuracyThreshold: 1, f1: 0.5, f1Threshold: 1, precision: 0.5, recall: 0.5, averagePrecision: 0.5 },
      1e-12,
    );
  });

  it('all positive', () => {
    expectClose(
      evaluateBinary([0.3, 0.1, 0.2], [1, 1, 1]),
      { accuracy: 2 / 3, accuracyThreshold: 0.15, f1: 0.8, f1Threshold: 0.15, precision: 1, recall: 2 / 3, averagePrecision: 1 },
      1e-12,
    );
  });

  it('all negative: no F1 cut, average precision 0', () => {
    expect(evaluateBinary([0.3, 0.1, 0.2], [0, 0, 0])).toEqual({
      accuracy: 2 / 3,
      accuracyThreshold: 0.25,
      f1: 0,
      f1Threshold: 0,
      precision: 0,
      recall: 0,
      averagePrecision: 0,
    });
  });

  it('one pair: no cut at all', () => {
    expect(evaluateBinary([0.5], [1])).toEqual({
      accuracy: 0,
      accuracyThreshold: -1,
      f1: 0,
      f1Threshold: 0,
      precision: 0,
      recall: 0,
      averagePrecision: 1,
    });
  });

  it('booleans work as labels', () => {
    expect(evaluateBinary([0.9, 0.1], [true, false])).toEqual(evaluateBinary([0.9, 0.1], [1, 0]));
  });

  it('Float32Array scores get float32 thresholds, as numpy computes them', () => {
    const scores = Float32Array.from([0.1, 0.7]);
    const { accuracyThreshold } = evaluateBinary(scores, [0, 1]);
    expect(accuracyThreshold).toBe(Math.fround(Math.fround((scores[0] as number) + (scores[1] as number)) / 2));
    expect(Math.fround(accuracyThreshold)).toBe(accuracyThreshold);
  });

  it('rejects bad input with the usual messages', () => {
    expect(() => evaluateBinary([], [])).toThrow('Expected at least one score for scores but received an array of length 0');
    expect(() => evaluateBinary([1, 2], [1])).toThrow('Expected an array of 2 labels (one per score) for labels but received an array of length 1');
    expect(() => evaluateBinary([1, 2], [1, 2])).toThrow('Expected 0 or 1 for labels[1] but received 2 of type number');
    expect(() => evaluateBinary([1, Number.NaN], [1, 0])).toThrow('Expected a number that is not NaN for scores[1] but received NaN of type number');
    expect(() => evaluateBinary(null as never, [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('evaluateBinary against the reference', () => {
  it('agrees to 1e-9 on 10,000 random cases (ties, single classes, float32)', () => {
    const random = mulberry32(20240917);
    for (let c = 0; c < 10_000; c++) {
      const n = 1 + Math.floor(random() * 40);
      const tied = random() < 0.5; // few distinct values: many ties
      const positiveRate = [0, 1, random()][c % 3 === 0 ? Math.floor(random() * 3) : 2] as number;
      const values = Array.from({ length: n }, () => (tied ? Math.floor(random() * 5) / 4 : random() * 20 - 10));
      const labels = Array.from({ length: n }, () => (random() < positiveRate ? 1 : 0));
      const scores = c % 4 === 0 ? Float32Array.from(values) : values;
      try {
        expectClose(evaluateBinary(scores, labels), reference(scores, labels), 1e-9);
      } catch (error) {
        throw new Error(`case ${c}: scores ${JSON.stringify(Array.from(scores))} labels ${JSON.stringify(labels)}: ${(error as Error).message}`);
      }
    }
  });
});
