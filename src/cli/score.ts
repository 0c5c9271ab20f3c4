// `crossrank score`: scores every pair of a file and writes the scores in input order.
import * as path from 'node:path';
import { CrossEncoder } from '../cross-encoder';
import { choiceOption, type Command, MODEL_HELP, MODEL_OPTIONS, modelArgs, optionalString, requiredString, TRUNCATION_HELP, truncationOption } from './args';
import { readPairs } from './input';
import { isAbort } from './interrupt';
import { openOutput } from './output';
import { scoreInOrder } from './scoring';

export const scoreCommand: Command = {
  name: 'score',
  summary: 'score every pair of a file; scores in input order',
  help: `Usage: crossrank score --model DIR --input PAIRS [--output FILE] [options]

Scores each pair and writes the scores in input order, as they are computed.

Input (--input, -i):
  .jsonl  one pair per line: {"text1": "…", "text2": "…"}, {"query": "…", "document": "…"} or ["…", "…"]
  .csv    header row, then one pair per row: columns "text1","text2" or "query","document", else the first two
  .tsv    the same, tab-separated and unquoted
  Blank lines are skipped; --no-header reads the first CSV/TSV row as a pair.

Output (--output, -o; default stdout):
  lines   (default) one score per line; for a model with several labels, its scores separated by tabs
  jsonl   (--format jsonl, or an --output ending in .jsonl) {"score": s} per line, or {"scores": [...]}

Options:
  -i, --input FILE         pairs to score                                                     (required)
  -o, --output FILE        where the scores go (default stdout)
      --format FORMAT      lines or jsonl
      --no-header          CSV/TSV input has no header row
${TRUNCATION_HELP}
${MODEL_HELP}

Ctrl-C stops cleanly: the scores already written are complete lines for the first pairs; exit code 130.`,
  options: {
    ...MODEL_OPTIONS,
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    format: { type: 'string' },
    'no-header': { type: 'boolean' },
    truncation: { type: 'string' },
  },
  async run(values, signal) {
    const { model: modelId, options } = modelArgs(values);
    const input = requiredString(values, 'input');
    const outputFile = optionalString(values, 'output');
    const format =
      choiceOption(values, 'format', ['lines', 'jsonl'] as const) ??
      (outputFile !== undefined && path.extname(outputFile).toLowerCase() === '.jsonl' ? 'jsonl' : 'lines');
    const truncation = truncationOption(values);
    const { pairs } = readPairs(input, { labels: false, header: values['no-header'] !== true });
    const model = await CrossEncoder.load<Float32Array | Float32Array[]>(modelId, options);
    const output = openOutput(outputFile);
    let written = 0;
    try {
      await scoreInOrder(model, pairs, {
        signal,
        ...(truncation && { truncation }),
        onChunk(_start, scores) {
          let text = '';
          for (const s of scores) {
            if (format === 'jsonl') text += `${JSON.stringify(typeof s === 'number' ? { score: s } : { scores: Array.from(s) })}\n`;
            else text += `${typeof s === 'number' ? s : Array.from(s).join('\t')}\n`;
          }
          output.write(text);
          written += scores.length;
        },
      });
    } catch (error) {
      if (isAbort(error)) process.stderr.write(`crossrank: wrote ${written} of ${pairs.length} scores\n`);
      throw error;
    } finally {
      await output.close();
      await model.close();
    }
    return 0;
  },
};
