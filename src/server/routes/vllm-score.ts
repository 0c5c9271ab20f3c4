// POST /score (and /v1/score) as vLLM: { text_1, text_2 }, each a string or a list (1:1, 1:N or N:N) -> { data: [{ index, object: 'score', score }] }.
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http-error';
import type { ScoringRoute } from '../route';
import { pairLengths, sum } from '../token-count';
import * as check from '../validation';

function pairsOf(first: string | string[], second: string | string[]): [string, string][] {
  const firsts = typeof first === 'string' ? [first] : first;
  const seconds = typeof second === 'string' ? [second] : second;
  if (firsts.length === 1) return seconds.map((s) => [firsts[0] as string, s]);
  if (firsts.length === seconds.length) return firsts.map((f, i) => [f, seconds[i] as string]);
  throw new HttpError(
    422,
    'validation',
    `text_1 holds ${firsts.length} texts and text_2 ${seconds.length}: send one text_1 for any number of text_2, or as many of each`,
  );
}

function vllmScore(path: string): ScoringRoute {
  return {
    path,
    name: 'vllm_score',
    async handle({ model, body: raw, signal, settings, admit }) {
      const body = check.object(raw);
      const pairs = pairsOf(check.stringOrStrings(body, 'text_1', settings), check.stringOrStrings(body, 'text_2', settings));
      if (pairs.length > settings.maxDocuments) {
        throw new HttpError(413, 'payload_too_large', `The request makes ${pairs.length} pairs; this server takes at most ${settings.maxDocuments}`);
      }
      admit(pairs.length);
      const [scores, lengths] = await Promise.all([model.score(pairs, { signal }), pairLengths(model, pairs)]);
      const tokens = sum(lengths);
      return {
        id: `score-${randomUUID()}`,
        object: 'list',
        created: Math.floor(Date.now() / 1000),
        model: settings.modelName,
        data: Array.from(scores, (score, index) => ({ index, object: 'score', score })),
        usage: { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0 },
      };
    },
  };
}

export const vllmScoreRoutes: readonly ScoringRoute[] = [vllmScore('/score'), vllmScore('/v1/score')];
