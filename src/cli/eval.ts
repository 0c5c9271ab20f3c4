// `crossrank eval`: binary-classification metrics of the model on a labeled file, as sentence-transformers reports them.
import { CrossEncoder } from '../cross-encoder';
import { type BinaryMetrics, evaluateBinary } from '../evaluate';
import { type Command, MODEL_HELP, MODEL_OPTIONS, modelArgs, requiredString, TRUNCATION_HELP, truncationOption, UsageError } from './args';
import { readPairs } from './input';
import { openOutput } from './output';
import { scoreInOrder } from './scoring';

/** Rows of the model card's metrics table: sentence-transformers' names, average precision (its primary metric) last. */
const ROWS: ReadonlyArray<readonly [string, keyof BinaryMetrics]> = [
  ['accuracy', 'accuracy'],
  ['accuracy_threshold', 'accuracyThreshold'],
  ['f1', 'f1'],
  ['f1_threshold', 'f1Threshold'],
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['average_precision', 'averagePrecision'],
];

/** The Markdown table sentence-transformers writes into model cards (values to 4 decimals, primary metric in bold). */
export function metricsTable(metrics: BinaryMetrics): string {
  const cells = ROWS.map(([name, key], i) => {
    const value = metrics[key].toFixed(4);
    return i === ROWS.length - 1 ? [`**${name}**`, `**${value}**`] : [name, value];
  });
  const nameWidth = Math.max('Metric'.length, ...cells.map(([n]) => (n as string).length));
  const valueWidth = Math.max('Value'.length, ...cells.map(([, v]) => (v as string).length));
  const row = (a: string, b: string): string => `| ${a.padEnd(nameWidth)} | ${b.padEnd(valueWidth)} |\n`;
  return (
    row('Metric', 'Value') +
    `|:${'-'.repeat(nameWidth + 1)}|:${'-'.repeat(valueWidth + 1)}|\n` +
    cells.map(([n, v]) => row(n as string, v as string)).join('')
  );
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'accuracy, F1, precision, recall and average precision on labeled pairs',
  help: `Usage: crossrank eval --model DIR --input LABELED [--json] [options]

Scores labeled pairs and reports the metrics of sentence-transformers' binary-classification evaluator (the table in
a model card): best accuracy and its threshold, best F1 and its threshold, precision and recall at that threshold,
and average precision (scikit-learn's). Thresholds are on the scale of the model's scores (after its activation).

Input (--input, -i), labels 0 or 1:
  .jsonl  {"text1": "…", "text2": "…", "label": 1} (or "query"/"document"), or ["…", "…", 1]
  .csv    header row with "text1","text2" or "query","document" and "label" columns; else the first three columns
  .tsv    the same, tab-separated and unquoted
  --no-header reads the first CSV/TSV row as data (columns by position).

Options:
  -i, --input FILE         labeled pairs                                                      (required)
      --json               a JSON object with sentence-transformers' metric names instead of the table
      --no-header          CSV/TSV input has no header row
${TRUNCATION_HELP}
${MODEL_HELP}`,
  options: {
    ...MODEL_OPTIONS,
    input: { type: 'string', short: 'i' },
    json: { type: 'boolean' },
    'no-header': { type: 'boolean' },
    truncation: { type: 'string' },
  },
  async run(values, signal) {
    const { model: modelId, options } = modelArgs(values);
    const truncation = truncationOption(values);
    const { pairs, labels } = readPairs(requiredString(values, 'input'), { labels: true, header: values['no-header'] !== true });
    if (pairs.length === 0) throw new UsageError('The input holds no pairs');
    const model = await CrossEncoder.load<Float32Array | Float32Array[]>(modelId, options);
    const scores = new Float32Array(pairs.length);
    try {
      if (model.numLabels !== 1) {
        throw new UsageError(`eval needs a model with one output label; ${modelId} has ${model.numLabels}`);
      }
      await scoreInOrder(model, pairs, {
        signal,
        ...(truncation && { truncation }),
        onChunk: (start, chunk) => scores.set(chunk as Float32Array, start),
      });
    } finally {
      await model.close();
    }
    const metrics = evaluateBinary(scores, labels);
    const output = openOutput(undefined);
    output.write(
      values.json
        ? `${JSON.stringify(Object.fromEntries(ROWS.map(([name, key]) => [name, metrics[key]])), null, 2)}\n`
        : metricsTable(metrics),
    );
    await output.close();
    return 0;
  },
};
