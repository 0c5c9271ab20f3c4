// Binary-classification metrics exactly as sentence-transformers' CrossEncoderClassificationEvaluator reports them
// (its threshold walks) with scikit-learn's average_precision_score.
import * as v from './validate';

export interface BinaryMetrics {
  /** Best accuracy over the thresholds between consecutive sorted scores. */
  accuracy: number;
  /** Midpoint of the two scores around the best-accuracy cut; -1 when no cut beats accuracy 0. */
  accuracyThreshold: number;
  /** Best F1 over the same cuts. */
  f1: number;
  /** Midpoint of the two scores around the best-F1 cut; 0 when no cut has a positive above it. */
  f1Threshold: number;
  /** Precision at the F1 threshold. */
  precision: number;
  /** Recall at the F1 threshold. */
  recall: number;
  /** scikit-learn's average_precision_score: sum over distinct scores (ties together) of recall gained x precision. */
  averagePrecision: number;
}

/** Input positions ordered by score, highest first, input order kept among equal scores (Python's stable sort). */
function sortedByScore(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  // Array.prototype.sort is stable, so equal scores keep their input order.
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

/**
 * Accuracy, F1, precision, recall (with thresholds) and average precision of `scores` against 0/1 `labels`, computed
 * as sentence-transformers' binary-classification evaluator does. A Float32Array of scores gets float32 thresholds, as
 * numpy computes them from a model's float32 predictions.
 */
export function evaluateBinary(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): BinaryMetrics {
  if (scores === null || typeof scores !== 'object' || typeof scores.length !== 'number') {
    throw v.typeError('scores', 'an array of numbers', scores);
  }
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw v.typeError('labels', 'an array of 0/1 labels', labels);
  }
  const n = scores.length;
  if (n === 0) throw v.rangeError('scores', 'at least one score', scores);
  if (labels.length !== n) throw v.rangeError('labels', `an array of ${n} labels (one per score)`, labels);
  const positive = new Uint8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (typeof s !== 'number') throw v.typeError(`scores[${i}]`, 'a number', s);
    if (Number.isNaN(s)) throw v.rangeError(`scores[${i}]`, 'a number that is not NaN', s);
    const l = labels[i];
    if (l === 1 || l === true) positive[i] = 1;
    else if (l !== 0 && l !== false) throw v.rangeError(`labels[${i}]`, '0 or 1', l);
    positives += positive[i] as number;
  }
  const negatives = n - positives;
  const midpoint =
    scores instanceof Float32Array ? (a: number, b: number) => Math.fround(Math.fround(a + b) / 2) : (a: number, b: number) => (a + b) / 2;
  const order = sortedByScore(scores);
  const scoreAt = (k: number): number => scores[order[k] as number] as number;

  // One walk over every cut but the last serves both searches: items 0..i are predicted positive.
  let accuracy = 0;
  let accuracyThreshold = -1;
  let f1 = 0;
  let precision = 0;
  let recall = 0;
  let f1Threshold = 0;
  let positivesTaken = 0;
  let negativesLeft = negatives;
  for (let i = 0; i < n - 1; i++) {
    if (positive[order[i] as number]) positivesTaken++;
    else negativesLeft--;
    const acc = (positivesTaken + negativesLeft) / n;
    if (acc > accuracy) {
      accuracy = acc;
      accuracyThreshold = midpoint(scoreAt(i), scoreAt(i + 1));
    }
    if (positivesTaken > 0) {
      const p = positivesTaken / (i + 1);
      const r = positivesTaken / positives;
      const f = (2 * p * r) / (p + r);
      if (f > f1) {
        f1 = f;
        precision = p;
        recall = r;
        f1Threshold = midpoint(scoreAt(i), scoreAt(i + 1));
      }
    }
  }

  // Average precision: one step per group of equal scores; with no positive, recall is 1 everywhere and AP is the
  // precision at the highest score, i.e. 0 (scikit-learn's behaviour).
  let averagePrecision = 0;
  let taken = 0;
  let truePositives = 0;
  let previousRecall = 0;
  for (let i = 0; i < n; i++) {
    taken++;
    if (positive[order[i] as number]) truePositives++;
    if (i + 1 < n && scoreAt(i + 1) === scoreAt(i)) continue;
    const stepRecall = positives === 0 ? 1 : truePositives / positives;
    averagePrecision += (stepRecall - previousRecall) * (truePositives / taken);
    previousRecall = stepRecall;
  }

  return { accuracy, accuracyThreshold, f1, f1Threshold, precision, recall, averagePrecision };
}
