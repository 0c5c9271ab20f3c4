// POST /v1/rerank and /v2/rerank as Cohere (and Jina and vLLM, which copy it):
// { query, documents, top_n, return_documents, max_chunks_per_doc, max_tokens_per_doc } -> { id, results, meta, model }.
import { randomUUID } from 'node:crypto';
import type { ScoringRoute } from '../route';
import { pairLengths, sum } from '../token-count';
import * as check from '../validation';

/** Cohere bills a search unit per query with up to 100 documents. */
const DOCUMENTS_PER_SEARCH_UNIT = 100;
/** Cohere v2's default for max_tokens_per_doc. */
const V2_MAX_TOKENS_PER_DOC = 4096;

function cohereRerank(version: 1 | 2): ScoringRoute {
  return {
    path: `/v${version}/rerank`,
    name: `cohere_v${version}_rerank`,
    async handle({ model, body: raw, signal, settings, admit }) {
      const body = check.object(raw);
      const query = check.nonEmptyString(body, 'query');
      const { texts, items } = check.documents(body, 'documents', settings);
      const topN = check.optionalInteger(body, 'top_n', 1);
      const returnDocuments = check.optionalBoolean(body, 'return_documents') ?? false;
      const maxChunksPerDoc = check.optionalInteger(body, 'max_chunks_per_doc', 1) ?? settings.maxChunksPerDoc;
      const maxTokensPerDoc = check.optionalInteger(body, 'max_tokens_per_doc', 1) ?? (version === 2 ? V2_MAX_TOKENS_PER_DOC : undefined);
      admit(texts.length);
      const [ranked, lengths] = await Promise.all([
        model.rank(query, texts, {
          signal,
          maxChunksPerDoc,
          ...(topN !== undefined && { topK: topN }),
          ...(maxTokensPerDoc !== undefined && { maxTokensPerDoc }),
        }),
        pairLengths(model, texts.map((t) => [query, t] as const)),
      ]);
      const tokens = sum(lengths);
      return {
        id: randomUUID(),
        results: ranked.map(({ corpusId, score }) => ({
          index: corpusId,
          relevance_score: score,
          ...(returnDocuments && { document: typeof items[corpusId] === 'string' ? { text: texts[corpusId] } : items[corpusId] }),
        })),
        meta: {
          api_version: { version: String(version) },
          billed_units: { search_units: Math.ceil(texts.length / DOCUMENTS_PER_SEARCH_UNIT) },
          tokens: { input_tokens: tokens },
        },
        model: settings.modelName,
        // Jina's and vLLM's clients read usage.
        usage: { total_tokens: tokens },
      };
    },
  };
}

export const cohereV1Rerank = cohereRerank(1);
export const cohereV2Rerank = cohereRerank(2);
