// crossrank/langchain and crossrank/llamaindex inside the real frameworks from npm: LangChain's
// ContextualCompressionRetriever over an in-memory vector store, LlamaIndex's RetrieverQueryEngine with the postprocessor.
import { Document } from '@langchain/core/documents';
import { SyntheticEmbeddings } from '@langchain/core/utils/testing';
import { ContextualCompressionRetriever } from '@langchain/classic/retrievers/contextual_compression';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Settings } from '@llamaindex/core/global';
import type { LLM } from '@llamaindex/core/llms';
import { RetrieverQueryEngine } from '@llamaindex/core/query-engine';
import { BaseRetriever } from '@llamaindex/core/retriever';
import { MetadataMode, type NodeWithScore, TextNode } from '@llamaindex/core/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { CrossrankReranker } from '../src/integrations/langchain';
import { CrossrankRerank } from '../src/integrations/llamaindex';
import { TINY } from './helpers/models';

const QUERY = 'where did I leave the black umbrella';
const TEXTS = [
  'A black umbrella was found on the bus.',
  'A white sneaker with pink accents.',
  'Keys on a red ring, left at the front desk.',
  'The umbrella had a wooden handle and a loop.',
  'A blue backpack with black straps.',
  'Lost and found opens at nine.',
];

let model: CrossEncoder;

beforeAll(async () => {
  model = await CrossEncoder.load(TINY);
});

afterAll(async () => {
  await model.close();
});

describe('crossrank/langchain', () => {
  it('ContextualCompressionRetriever keeps the topN by the library rank(), scores in metadata.relevanceScore', async () => {
    const store = await MemoryVectorStore.fromDocuments(
      TEXTS.map((pageContent, i) => new Document({ pageContent, metadata: { source: `doc-${i}` } })),
      new SyntheticEmbeddings({ vectorSize: 16 }),
    );
    const baseRetriever = store.asRetriever(TEXTS.length);
    const retriever = new ContextualCompressionRetriever({ baseCompressor: new CrossrankReranker({ model, topN: 3 }), baseRetriever });

    const retrieved = await baseRetriever.invoke(QUERY);
    expect(retrieved).toHaveLength(TEXTS.length);
    const expected = await model.rank(
      QUERY,
      retrieved.map((d) => d.pageContent),
      { topK: 3 },
    );
    const docs = await retriever.invoke(QUERY);
    expect(docs.map((d) => ({ pageContent: d.pageContent, metadata: d.metadata }))).toEqual(
      expected.map((r) => ({
        pageContent: retrieved[r.corpusId]?.pageContent,
        metadata: { ...retrieved[r.corpusId]?.metadata, relevanceScore: r.score },
      })),
    );
  });

  it('returns nothing for no documents and every document when topN exceeds them', async () => {
    const reranker = new CrossrankReranker({ model, topN: 10 });
    expect(await reranker.compressDocuments([], QUERY)).toEqual([]);
    const docs = TEXTS.slice(0, 2).map((pageContent) => new Document({ pageContent, id: pageContent.slice(0, 5) }));
    const out = await reranker.compressDocuments(docs, QUERY);
    expect(out).toHaveLength(2);
    expect(out.map((d) => d.id).sort()).toEqual(docs.map((d) => d.id).sort());
  });
});

class ArrayRetriever extends BaseRetriever {
  constructor(readonly nodes: NodeWithScore[]) {
    super();
  }
  async _retrieve(): Promise<NodeWithScore[]> {
    return this.nodes;
  }
}

describe('crossrank/llamaindex', () => {
  const nodes: NodeWithScore[] = TEXTS.map((text, i) => ({ node: new TextNode({ text, id_: `n${i}`, metadata: { i } }), score: 0.5 }));

  it("RetrieverQueryEngine's nodePostprocessors rerank the retrieved nodes as the library rank()", async () => {
    // The engine's default synthesizer wants an LLM at construction; retrieve() never calls it.
    const noLLM = { metadata: {} } as unknown as LLM;
    const engine = Settings.withLLM(noLLM, () => new RetrieverQueryEngine(new ArrayRetriever(nodes), undefined, [new CrossrankRerank({ model, topN: 3 })]));
    const out = await engine.retrieve(QUERY);
    const expected = await model.rank(QUERY, TEXTS, { topK: 3 });
    expect(out.map((n) => ({ id: n.node.id_, score: n.score }))).toEqual(expected.map((r) => ({ id: `n${r.corpusId}`, score: r.score })));
    expect(out[0]?.node).toBe(nodes[expected[0]?.corpusId as number]?.node);
  });

  it('scores the text with the metadata asked for, takes message-content queries, and needs a query', async () => {
    const withMetadata = new CrossrankRerank({ model, topN: 6, metadataMode: MetadataMode.ALL });
    const out = await withMetadata.postprocessNodes(nodes, [{ type: 'text', text: QUERY }]);
    const expected = await model.rank(
      QUERY,
      nodes.map((n) => n.node.getContent(MetadataMode.ALL)),
    );
    expect(out.map((n) => n.score)).toEqual(expected.map((r) => r.score));
    expect(nodes[0]?.node.getContent(MetadataMode.ALL)).not.toBe(TEXTS[0]);
    expect(await withMetadata.postprocessNodes([], QUERY)).toEqual([]);
    await expect(withMetadata.postprocessNodes(nodes)).rejects.toThrow(/needs the query/);
  });
});
