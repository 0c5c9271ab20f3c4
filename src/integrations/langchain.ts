// crossrank/langchain: a LangChain.js document compressor that reranks with a local CrossEncoder, for
// ContextualCompressionRetriever and anywhere else a BaseDocumentCompressor goes. Needs @langchain/core.
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseDocumentCompressor } from '@langchain/core/retrievers/document_compressors';
import type { CrossEncoder, RankOptions } from '../cross-encoder';

export interface CrossrankRerankerOptions {
  /** A loaded one-label cross-encoder (CrossEncoder.load). The reranker does not close it. */
  model: CrossEncoder;
  /** Documents kept, best first. Default 3 (as LangChain's CohereRerank). */
  topN?: number;
  /** Split documents longer than the model's window into up to this many windows, scored by the best. Default 1. */
  maxChunksPerDoc?: number;
  /** How a pair longer than the model's window is cut. Default 'longest_first'. */
  truncation?: RankOptions['truncation'];
}

export class CrossrankReranker extends BaseDocumentCompressor {
  readonly model: CrossEncoder;
  readonly topN: number;
  readonly #rankOptions: RankOptions;

  constructor({ model, topN = 3, maxChunksPerDoc, truncation }: CrossrankRerankerOptions) {
    super();
    this.model = model;
    this.topN = topN;
    this.#rankOptions = { topK: topN, ...(maxChunksPerDoc !== undefined && { maxChunksPerDoc }), ...(truncation && { truncation }) };
  }

  /** The topN documents most relevant to the query, best first, each with its score in metadata.relevanceScore. */
  async compressDocuments(documents: DocumentInterface[], query: string): Promise<DocumentInterface[]> {
    if (documents.length === 0) return [];
    const ranked = await this.model.rank(
      query,
      documents.map((d) => d.pageContent),
      this.#rankOptions,
    );
    return ranked.map(({ corpusId, score }) => {
      const doc = documents[corpusId] as DocumentInterface;
      return new Document({
        pageContent: doc.pageContent,
        metadata: { ...doc.metadata, relevanceScore: score },
        ...(doc.id !== undefined && { id: doc.id }),
      });
    });
  }
}
