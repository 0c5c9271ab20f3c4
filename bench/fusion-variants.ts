// Which fusions pay on this CPU: ONNX Runtime alone runs the plain graph and fused variants in alternating rounds.
// The variants beyond optimize: true (fused attention) are built here only, to measure the fusions crossrank leaves out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { fuseBert } from '../src/quantize/fuse-bert';
import { GraphIndex, numberAttribute, pruneInitializers } from '../src/quantize/graph-index';
import { AttributeType, DataType, MS_DOMAIN, type NodeProto, type OnnxModel, encodeModel, makeNode, readModel } from '../src/quantize/onnx-proto';
import { queryPassagePairs, shortPairs } from '../test/helpers/pairs';
import { parseFlags } from './lib/args';
import { describeMachine, machineInfo, physicalCores } from './lib/machine';
import { batchFeeds, encodePairs, firstLogits, lengthSortedBatches, loadTokenizer, modelFile, type Pair, sessionOptions } from './lib/ort-batches';
import { median } from './lib/stats';
import { formatTable } from './lib/table';

const flags = parseFlags(
  {
    model: { default: 'models/generated/minilm-l6', help: 'model folder' },
    pairs: { default: 512, help: 'pairs per set, in length-sorted batches of 32' },
    rounds: { default: 7, help: 'alternating rounds; the median ratio is reported' },
    threads: { default: physicalCores(), help: 'intra-op threads' },
    seed: { default: 5, help: 'seed of the pair generators' },
  },
  'Usage: npx tsx bench/fusion-variants.ts [flags]',
);

/** Residual Add + LayerNormalization (the dense bias before the Add folded in) as com.microsoft SkipLayerNormalization. */
function withSkipLayerNorm(model: OnnxModel): void {
  const g = new GraphIndex(model.graph);
  const replaced = new Map<NodeProto, NodeProto>();
  const removed = new Set<NodeProto>();
  for (const ln of model.graph.node.filter((n) => n.opType === 'LayerNormalization')) {
    const add = g.from(ln.input[0], 'Add');
    if (!add || !g.single(add.output[0] as string)) continue;
    const [a, b] = add.input as [string, string];
    const residual = g.from(b, 'LayerNormalization') ? b : g.from(a, 'LayerNormalization') ? a : undefined;
    if (residual === undefined) continue;
    let input = residual === b ? a : b;
    let bias = '';
    const biasAdd = g.from(input, 'Add');
    if (biasAdd && g.single(input)) {
      const constant = biasAdd.input.find((t) => g.constant(t)?.dims.length === 1);
      if (constant !== undefined) {
        bias = constant;
        input = biasAdd.input.find((t) => t !== constant) as string;
        removed.add(biasAdd);
      }
    }
    removed.add(add);
    replaced.set(ln, makeNode('SkipLayerNormalization', [input, residual, ln.input[1] as string, ln.input[2] ?? '', bias], [ln.output[0] as string],
      `${ln.name}_skip`, MS_DOMAIN, [{ name: 'epsilon', type: AttributeType.FLOAT, f: numberAttribute(ln, 'epsilon') ?? 1e-5 }]));
  }
  model.graph.node = model.graph.node.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
}

/** The embeddings' Gathers, Adds and LayerNormalization as com.microsoft EmbedLayerNormalization (generated graphs' names). */
function withEmbedLayerNorm(model: OnnxModel): void {
  const graph = model.graph;
  const ln = graph.node.find((n) => n.opType === 'LayerNormalization') as NodeProto;
  const int32 = (from: string, to: string) => makeNode('Cast', [from], [to], `${to}_cast`, undefined, [{ name: 'to', type: AttributeType.INT, i: DataType.INT32 }]);
  const embed = makeNode('EmbedLayerNormalization', ['ids_int32', 'types_int32', 'bert.embeddings.word_embeddings.weight',
    'bert.embeddings.position_embeddings.weight', 'bert.embeddings.token_type_embeddings.weight', ln.input[1] as string, ln.input[2] as string],
  [ln.output[0] as string, 'embed_mask_index'], 'embed', MS_DOMAIN, [{ name: 'epsilon', type: AttributeType.FLOAT, f: numberAttribute(ln, 'epsilon') ?? 1e-5 }]);
  graph.node = [int32('input_ids', 'ids_int32'), int32('token_type_ids', 'types_int32'), ...graph.node.map((n) => (n === ln ? embed : n))];
  for (let before = -1; before !== graph.node.length; ) {
    before = graph.node.length;
    const read = new Set(graph.node.flatMap((n) => n.input));
    graph.node = graph.node.filter((n) => n.output.some((o) => read.has(o) || o === 'logits'));
  }
  pruneInitializers(graph);
}

function variant(fused: Uint8Array, rewrite: (model: OnnxModel) => void): Uint8Array {
  const model = readModel(fused);
  rewrite(model);
  return encodeModel(model);
}

async function main(): Promise<void> {
  const dir = path.resolve(flags.model);
  const source = fs.readFileSync(modelFile(dir));
  const fused = fuseBert(source).bytes;
  const models: Record<string, Uint8Array> = {
    'plain graph': source,
    'attention (optimize: true)': fused,
    'attention + SkipLayerNormalization': variant(fused, withSkipLayerNorm),
    'attention + EmbedLayerNormalization': variant(fused, withEmbedLayerNorm),
  };
  const sessions = new Map<string, ort.InferenceSession>();
  for (const [label, bytes] of Object.entries(models)) sessions.set(label, await ort.InferenceSession.create(bytes, sessionOptions(flags.threads)));
  const tokenizer = loadTokenizer(dir);
  const sets: Record<string, Pair[]> = { short: shortPairs(flags.pairs, flags.seed), 'query-passage': queryPassagePairs(flags.pairs, flags.seed + 1) };
  console.log(describeMachine(machineInfo()));
  console.log(`${flags.model}, ${flags.threads} threads, ONNX Runtime alone, batches of 32, ${flags.rounds} alternating rounds, median ratio\n`);
  const rows: string[][] = [];
  const results = new Map<string, { ratio: Record<string, number>; diff: Record<string, number> }>();
  for (const [set, pairs] of Object.entries(sets)) {
    const encoded = await encodePairs(tokenizer, pairs);
    const plain = sessions.get('plain graph') as ort.InferenceSession;
    const batches = lengthSortedBatches(encoded, 32).map((rowsOf) => batchFeeds(plain, encoded, rowsOf));
    const run = async (session: ort.InferenceSession) => {
      const out: number[] = [];
      const t0 = performance.now();
      for (const feeds of batches) out.push(...firstLogits(await session.run(feeds)));
      return { ms: performance.now() - t0, out };
    };
    const reference = (await run(plain)).out;
    const ratios = new Map<string, number[]>();
    for (let round = 0; round < flags.rounds; round++) {
      const base = (await run(plain)).ms;
      for (const [label, session] of sessions) if (session !== plain) ratios.set(label, [...(ratios.get(label) ?? []), base / (await run(session)).ms]);
    }
    for (const [label, session] of sessions) {
      if (session === plain) continue;
      const out = (await run(session)).out;
      const entry = results.get(label) ?? { ratio: {}, diff: {} };
      entry.ratio[set] = median(ratios.get(label) ?? []);
      entry.diff[set] = out.reduce((m, x, i) => Math.max(m, Math.abs(x - (reference[i] as number))), 0);
      results.set(label, entry);
    }
  }
  for (const [label, r] of results) {
    rows.push([label, `${r.ratio.short?.toFixed(3)}x`, `${r.ratio['query-passage']?.toFixed(3)}x`, `${Math.max(r.diff.short ?? 0, r.diff['query-passage'] ?? 0).toExponential(1)}`]);
  }
  console.log(formatTable(['graph', 'vs plain, short', 'vs plain, query-passage', 'max |Δlogit|'], rows));
  for (const session of sessions.values()) await session.release();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
