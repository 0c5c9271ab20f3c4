// `crossrank rank`: ranks the documents of a file against one query, best first.
import { CrossEncoder } from '../cross-encoder';
import { type Command, integerOption, MODEL_HELP, MODEL_OPTIONS, modelArgs, requiredString, TRUNCATION_HELP, truncationOption, UsageError } from './args';
import { readDocuments } from './input';
import { openOutput } from './output';

export const rankCommand: Command = {
  name: 'rank',
  summary: 'rank the documents of a file against a query',
  help: `Usage: crossrank rank --model DIR --query TEXT --documents FILE [--top-k N] [--json]

Scores the query against every document and prints them best first (ties by input order).

Documents (--documents, -d):
  .txt    one document per line (blank lines are skipped)
  .jsonl  one per line: a JSON string or {"text": "…"}

Output: a header line, then rank, corpus_id (index among the documents), score and text separated by tabs (newlines
in the text printed as spaces); with --json one {"rank", "corpusId", "score", "text"} object per line.

Options:
  -q, --query TEXT         the query                                                          (required)
  -d, --documents FILE     the documents                                                      (required)
  -k, --top-k N            print only the best N
      --json               JSON lines instead of the table
${TRUNCATION_HELP}
${MODEL_HELP}`,
  options: {
    ...MODEL_OPTIONS,
    query: { type: 'string', short: 'q' },
    documents: { type: 'string', short: 'd' },
    'top-k': { type: 'string', short: 'k' },
    json: { type: 'boolean' },
    truncation: { type: 'string' },
  },
  async run(values, signal) {
    const { model: modelId, options } = modelArgs(values);
    const query = values.query;
    if (typeof query !== 'string') throw new UsageError('--query is required');
    const documents = readDocuments(requiredString(values, 'documents'));
    const topK = integerOption(values, 'top-k', 1);
    const truncation = truncationOption(values);
    const model = await CrossEncoder.load(modelId, options);
    const output = openOutput(undefined);
    try {
      const ranked = await model.rank(query, documents, {
        signal,
        returnDocuments: true,
        ...(topK !== undefined && { topK }),
        ...(truncation && { truncation }),
      });
      let text = values.json ? '' : 'rank\tcorpus_id\tscore\ttext\n';
      ranked.forEach(({ corpusId, score, text: doc = '' }, i) => {
        text += values.json
          ? `${JSON.stringify({ rank: i + 1, corpusId, score, text: doc })}\n`
          : `${i + 1}\t${corpusId}\t${score}\t${doc.replace(/[\t\r\n]+/g, ' ')}\n`;
      });
      output.write(text);
    } finally {
      await output.close();
      await model.close();
    }
    return 0;
  },
};
