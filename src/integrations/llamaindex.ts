// crossrank/llamaindex: a LlamaIndex.TS node postprocessor that reranks retrieved nodes with a local CrossEncoder
// (for RetrieverQueryEngine's nodePostprocessors and chat engines). Needs @llamaindex/core (any llamaindex install has it).
import type { MessageContent } from '@llamaindex/core/llms';
import type { BaseNodePostprocessor } from '@llamaindex/core/postprocessor';
import { MetadataMode, type NodeWithScore } from '@llamaindex/core/schema';
import { extractText } from '@llamaindex/core/utils';
import type { CrossEncoder, RankOptions } from '../cross-encoder';

export interface CrossrankRerankOptions {
  /** A loaded one-label cross-encoder (CrossEncoder.load). The postprocessor does not close it. */
  model: CrossEncoder;
  /** Nodes kept, best first. Default 2 (as LlamaIndex's CohereRerank). */
  topN?: number;
  /** Split node texts longer than the model's window into up to this many windows, scored by the best. Default 1. */
  maxChunksPerDoc?: number;
  /** Which of a node's metadata goes into the text scored. Default MetadataMode.NONE: the text alone. */
  metadataMode?: MetadataMode;
}

export class CrossrankRerank implements BaseNodePostprocessor {
  readonly model: CrossEncoder;
  readonly topN: number;
  readonly #metadataMode: MetadataMode;
  readonly #rankOptions: RankOptions;

  constructor({ model, topN = 2, maxChunksPerDoc, metadataMode = MetadataMode.NONE }: CrossrankRerankOptions) {
    this.model = model;
    this.topN = topN;
    this.#metadataMode = metadataMode;
    this.#rankOptions = { topK: topN, ...(maxChunksPerDoc !== undefined && { maxChunksPerDoc }) };
  }

  /** The topN nodes most relevant to the query, best first, with the cross-encoder's score as their score. */
  async postprocessNodes(nodes: NodeWithScore[], query?: MessageContent): Promise<NodeWithScore[]> {
    if (query === undefined) throw new TypeError('CrossrankRerank needs the query to rerank nodes');
    if (nodes.length === 0) return [];
    const ranked = await this.model.rank(
      extractText(query),
      nodes.map((n) => n.node.getContent(this.#metadataMode)),
      this.#rankOptions,
    );
    return ranked.map(({ corpusId, score }) => ({ node: (nodes[corpusId] as NodeWithScore).node, score }));
  }
}
