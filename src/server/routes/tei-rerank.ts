// POST /rerank as text-embeddings-inference: { query, texts, raw_scores, return_text, truncate, truncation_direction } -> [{ index, score, text? }].
import { HttpError } from '../http-error';
import type { ScoringRoute } from '../route';
import { pairLengths } from '../token-count';
import * as check from '../validation';

export const teiRerank: ScoringRoute = {
  path: '/rerank',
  name: 'tei_rerank',
  async handle({ model, body: raw, signal, settings, admit }) {
    const body = check.object(raw);
    const query = check.nonEmptyString(body, 'query');
    const texts = check.strings(body, 'texts', settings);
    const rawScores = check.optionalBoolean(body, 'raw_scores') ?? false;
    const returnText = check.optionalBoolean(body, 'return_text') ?? false;
    const truncate = check.optionalBoolean(body, 'truncate') ?? settings.autoTruncate;
    const direction = check.optionalChoice(body, 'truncation_direction', ['Right', 'Left'] as const) ?? 'Right';
    if (direction === 'Left') {
      throw new HttpError(422, 'validation', 'truncation_direction "Left" is not supported: crossrank truncates the end of a pair ("Right")');
    }
    if (!truncate) {
      // As TEI without truncate: a pair past the model's window is refused rather than cut.
      const lengths = await pairLengths(model, texts.map((t) => [query, t] as const), model.maxLength + 1);
      const long = lengths.findIndex((n) => n > model.maxLength);
      if (long >= 0) {
        throw new HttpError(
          413,
          'validation',
          `query + texts[${long}] is longer than the model's ${model.maxLength} tokens; send "truncate": true to cut it`,
        );
      }
    }
    admit(texts.length);
    const ranked = await model.rank(query, texts, { signal, returnDocuments: returnText, ...(rawScores && { activation: 'identity' as const }) });
    return ranked.map(({ corpusId, score, text }) => (returnText ? { index: corpusId, score, text } : { index: corpusId, score }));
  },
};
