// Builds a BertForSequenceClassification ONNX graph (optimum / sentence-transformers export layout) with seeded weights.

import { DataType, type GraphSpec, type ModelSpec, type NodeSpec, type TensorSpec, type AttributeValue } from './onnx-writer';
import { Prng } from './prng';

export interface BertArchitecture {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  typeVocabSize: number;
  numLabels: number;
  layerNormEps: number;
  /** false: the graph has no token_type_ids input and adds token-type row 0 as a constant. */
  tokenTypeInput: boolean;
  /**
   * JinaBERT (jina-reranker-v1): no position embeddings but symmetric ALiBi biases (-slope_h * |i - j|) added to the
   * attention scores, and a gated feed-forward: GELU(x W_g[:, :I]) * (x W_g[:, I:]) without bias, then W_o.
   */
  jina?: boolean;
}

/** cross-encoder/ms-marco-MiniLM-L6-v2's shapes. */
export const MINILM_L6: BertArchitecture = {
  vocabSize: 30522,
  hiddenSize: 384,
  numLayers: 6,
  numHeads: 12,
  intermediateSize: 1536,
  maxPositions: 512,
  typeVocabSize: 2,
  numLabels: 1,
  layerNormEps: 1e-12,
  tokenTypeInput: true,
};

/** ALiBi head slopes as the ALiBi paper and JinaBERT compute them (geometric; interleaved for non-powers of two). */
export function alibiSlopes(heads: number): number[] {
  const powerOfTwo = (n: number): number[] => {
    const start = 2 ** -(2 ** -(Math.log2(n) - 3));
    return Array.from({ length: n }, (_, i) => start * start ** i);
  };
  if (Number.isInteger(Math.log2(heads))) return powerOfTwo(heads);
  const closest = 2 ** Math.floor(Math.log2(heads));
  return [...powerOfTwo(closest), ...powerOfTwo(2 * closest).filter((_, i) => i % 2 === 0).slice(0, heads - closest)];
}

/**
 * How self-attention is written: 'eager' as transformers' eager BertSelfAttention exports (QKᵀ / sqrt(d) + additive
 * mask), 'sdpa' as torch.onnx exports scaled_dot_product_attention (Q and Kᵀ each scaled by d^-1/4, K transposed twice,
 * the mask made with Where). Both compute the same function.
 */
export type AttentionExport = 'eager' | 'sdpa';

/**
 * Init scales, chosen so random weights still give scores that vary clearly across pairs
 * (BERT's normal(0, 0.02) makes every pair score almost the same).
 */
export interface InitScales {
  wordEmbedding: number;
  positionEmbedding: number;
  tokenTypeEmbedding: number;
  /** Multiplier on 1/sqrt(fan_in) for query/key: sets how peaked attention is. */
  queryKey: number;
  /** Multiplier on 1/sqrt(fan_in) for the other dense layers. */
  dense: number;
  /** Multiplier on 1/sqrt(hidden) for the classifier. */
  classifier: number;
  bias: number;
  layerNormGammaNoise: number;
  layerNormBeta: number;
  /**
   * Hidden channels whose LayerNorm gain is multiplied by `outlierGain` in every LayerNorm: the few huge residual
   * dimensions trained transformers develop, which per-batch int8 activation scales cannot represent alongside the rest.
   */
  outlierChannels?: readonly number[];
  outlierGain?: number;
}

export const DEFAULT_INIT_SCALES: InitScales = {
  wordEmbedding: 1.0,
  positionEmbedding: 0.5,
  tokenTypeEmbedding: 0.5,
  queryKey: 2.0,
  dense: 1.5,
  classifier: 4.0,
  bias: 0.02,
  layerNormGammaNoise: 0.1,
  layerNormBeta: 0.05,
};

/** The additive mask value Hugging Face uses for masked keys (torch.finfo(float32).min). */
const MASK_NEGATIVE = -3.4028234663852886e38;
const OPSET = 17;
const IR_VERSION = 8;

function attrInt(value: number): AttributeValue {
  return { kind: 'int', value };
}

class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  private counter = 0;

  floatTensor(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, data });
    return name;
  }

  int64Tensor(name: string, dims: readonly number[], values: readonly number[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push({ name, dataType: DataType.INT64, dims, data });
    return name;
  }

  /** Adds a node with one output, named after its op and a running index. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>): string {
    const id = `/${opType}_${this.counter++}`;
    const output = `${id}_output_0`;
    this.nodes.push({ opType, inputs, outputs: [output], name: id, attributes });
    return output;
  }

  /** Like op() but with a chosen output name (graph outputs). */
  opNamed(opType: string, inputs: readonly string[], output: string): string {
    this.nodes.push({ opType, inputs, outputs: [output], name: `/${opType}_${this.counter++}` });
    return output;
  }
}

/** Weights for one BERT model drawn in a fixed order from one seeded stream. */
class WeightSource {
  constructor(
    private readonly rng: Prng,
    private readonly scales: InitScales,
  ) {}

  normal(length: number, std: number): Float32Array {
    return this.rng.normalArray(length, std);
  }

  gamma(length: number): Float32Array {
    return this.rng.normalArray(length, this.scales.layerNormGammaNoise, 1);
  }

  beta(length: number): Float32Array {
    return this.rng.normalArray(length, this.scales.layerNormBeta);
  }

  bias(length: number): Float32Array {
    return this.rng.normalArray(length, this.scales.bias);
  }
}

export function buildBertModel(
  arch: BertArchitecture,
  seed: number,
  producerVersion: string,
  scales: InitScales = DEFAULT_INIT_SCALES,
  attentionExport: AttentionExport = 'eager',
): ModelSpec {
  const { hiddenSize: H, numHeads, intermediateSize: I, numLabels } = arch;
  if (H % numHeads !== 0) throw new Error(`hidden size ${H} is not a multiple of ${numHeads} heads`);
  const headDim = H / numHeads;
  const g = new GraphBuilder();
  const w = new WeightSource(new Prng(seed), scales);

  const dense = (x: string, prefix: string, fanIn: number, fanOut: number, mult: number): string => {
    const weight = g.floatTensor(`${prefix}.weight`, [fanIn, fanOut], w.normal(fanIn * fanOut, mult / Math.sqrt(fanIn)));
    const bias = g.floatTensor(`${prefix}.bias`, [fanOut], w.bias(fanOut));
    return g.op('Add', [g.op('MatMul', [x, weight]), bias]);
  };
  const layerNorm = (x: string, prefix: string): string => {
    const gains = w.gamma(H);
    for (const c of scales.outlierChannels ?? []) gains[c] = (gains[c] as number) * (scales.outlierGain ?? 1);
    const gamma = g.floatTensor(`${prefix}.weight`, [H], gains);
    const beta = g.floatTensor(`${prefix}.bias`, [H], w.beta(H));
    return g.op('LayerNormalization', [x, gamma, beta], {
      axis: attrInt(-1),
      epsilon: { kind: 'float', value: arch.layerNormEps },
    });
  };

  // Shared constants.
  const zeroScalar = g.int64Tensor('const_zero', [], [0]);
  const oneScalar = g.int64Tensor('const_one', [], [1]);
  const oneFloat = g.floatTensor('const_one_float', [], Float32Array.of(1));
  const maskNegative = g.floatTensor('const_mask_negative', [], Float32Array.of(MASK_NEGATIVE));
  const maskAxes = g.int64Tensor('const_mask_axes', [2], [1, 2]);
  const headsShape = g.int64Tensor('const_heads_shape', [4], [0, 0, numHeads, headDim]);
  const mergedShape = g.int64Tensor('const_merged_shape', [3], [0, 0, H]);
  const scoreScale = g.floatTensor('const_score_scale', [], Float32Array.of(Math.sqrt(headDim)));
  const sqrt2 = g.floatTensor('const_sqrt2', [], Float32Array.of(Math.SQRT2));
  const half = g.floatTensor('const_half', [], Float32Array.of(0.5));

  // Embeddings: word + position (range(sequence_length), computed in-graph) + token type.
  const wordEmb = g.floatTensor('bert.embeddings.word_embeddings.weight', [arch.vocabSize, H],
    w.normal(arch.vocabSize * H, scales.wordEmbedding));
  const posEmb = arch.jina ? '' : g.floatTensor('bert.embeddings.position_embeddings.weight', [arch.maxPositions, H],
    w.normal(arch.maxPositions * H, scales.positionEmbedding));
  const typeData = w.normal(arch.typeVocabSize * H, scales.tokenTypeEmbedding);

  let h = g.op('Gather', [wordEmb, 'input_ids'], { axis: attrInt(0) });
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), oneScalar], { axis: attrInt(0) });
  const positionIds = g.op('Range', [zeroScalar, seqLen, oneScalar]);
  if (!arch.jina) h = g.op('Add', [h, g.op('Gather', [posEmb, positionIds], { axis: attrInt(0) })]);
  if (arch.tokenTypeInput) {
    const typeEmb = g.floatTensor('bert.embeddings.token_type_embeddings.weight', [arch.typeVocabSize, H], typeData);
    h = g.op('Add', [h, g.op('Gather', [typeEmb, 'token_type_ids'], { axis: attrInt(0) })]);
  } else {
    h = g.op('Add', [h, g.floatTensor('bert.embeddings.token_type_embeddings.row0', [H], typeData.slice(0, H))]);
  }
  h = layerNorm(h, 'bert.embeddings.LayerNorm');

  // Additive attention mask [batch, 1, 1, seq]: (1 - mask) * finfo.min (eager), or Where(1 - mask, finfo.min, 1 - mask) (sdpa).
  let additiveMask: string;
  if (attentionExport === 'eager') {
    const maskFloat = g.op('Cast', ['attention_mask'], { to: attrInt(DataType.FLOAT) });
    const inverted = g.op('Sub', [oneFloat, maskFloat]);
    additiveMask = g.op('Unsqueeze', [g.op('Mul', [inverted, maskNegative]), maskAxes]);
  } else {
    const expanded = g.op('Cast', [g.op('Unsqueeze', ['attention_mask', maskAxes])], { to: attrInt(DataType.FLOAT) });
    const inverted = g.op('Sub', [oneFloat, expanded]);
    const masked = g.op('Cast', [inverted], { to: attrInt(DataType.BOOL) });
    additiveMask = g.op('Where', [masked, maskNegative, inverted]);
  }
  if (arch.jina) {
    // ALiBi [heads, seq, seq] = -slope * |j - i|, folded into the additive mask as JinaBertModel does.
    const positions = g.op('Cast', [positionIds], { to: attrInt(DataType.FLOAT) });
    const distance = g.op('Abs', [g.op('Sub', [
      g.op('Unsqueeze', [positions, g.int64Tensor('const_axis0', [1], [0])]),
      g.op('Unsqueeze', [positions, g.int64Tensor('const_axis1', [1], [1])]),
    ])]);
    const slopes = g.floatTensor('const_alibi_negative_slopes', [numHeads, 1, 1], Float32Array.from(alibiSlopes(numHeads), (x) => -x));
    additiveMask = g.op('Add', [additiveMask, g.op('Mul', [distance, slopes])]);
  }
  const quarterScale = attentionExport === 'sdpa' ? g.floatTensor('const_quarter_scale', [], Float32Array.of(1 / Math.sqrt(Math.sqrt(headDim)))) : '';

  for (let l = 0; l < arch.numLayers; l++) {
    const p = `bert.encoder.layer.${l}`;
    const heads = (x: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [x, headsShape])], { perm: { kind: 'ints', value: perm } });
    const q = heads(dense(h, `${p}.attention.self.query`, H, H, scales.queryKey), [0, 2, 1, 3]);
    const key = dense(h, `${p}.attention.self.key`, H, H, scales.queryKey);
    const v = heads(dense(h, `${p}.attention.self.value`, H, H, scales.dense), [0, 2, 1, 3]);
    let scores: string;
    if (attentionExport === 'eager') {
      scores = g.op('Div', [g.op('MatMul', [q, heads(key, [0, 2, 3, 1])]), scoreScale]);
    } else {
      const kT = g.op('Transpose', [heads(key, [0, 2, 1, 3])], { perm: { kind: 'ints', value: [0, 1, 3, 2] } });
      scores = g.op('MatMul', [g.op('Mul', [q, quarterScale]), g.op('Mul', [kT, quarterScale])]);
    }
    scores = g.op('Add', [scores, additiveMask]);
    const probs = g.op('Softmax', [scores], { axis: attrInt(-1) });
    const context = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: { kind: 'ints', value: [0, 2, 1, 3] } }),
      mergedShape,
    ]);
    const attnOut = dense(context, `${p}.attention.output.dense`, H, H, scales.dense);
    h = layerNorm(g.op('Add', [attnOut, h]), `${p}.attention.output.LayerNorm`);

    // GELU, erf form: 0.5 * x * (1 + erf(x / sqrt(2))).
    const gelu = (x: string): string => g.op('Mul', [g.op('Mul', [x, g.op('Add', [g.op('Erf', [g.op('Div', [x, sqrt2])]), oneFloat])]), half]);
    if (arch.jina) {
      const gatedWeight = g.floatTensor(`${p}.mlp.gated_layers.weight`, [H, 2 * I], w.normal(H * 2 * I, scales.dense / Math.sqrt(H)));
      const both = g.op('MatMul', [h, gatedWeight]);
      const half0 = g.int64Tensor(`${p}.const_gate_starts`, [1], [0]);
      const halfI = g.int64Tensor(`${p}.const_gate_middle`, [1], [I]);
      const halfEnd = g.int64Tensor(`${p}.const_gate_end`, [1], [2 * I]);
      const lastAxis = g.int64Tensor(`${p}.const_gate_axis`, [1], [-1]);
      const gated = g.op('Slice', [both, half0, halfI, lastAxis]);
      const nonGated = g.op('Slice', [both, halfI, halfEnd, lastAxis]);
      const out = dense(g.op('Mul', [gelu(gated), nonGated]), `${p}.mlp.wo`, I, H, scales.dense);
      h = layerNorm(g.op('Add', [out, h]), `${p}.mlp.layernorm`);
    } else {
      const inter = dense(h, `${p}.intermediate.dense`, H, I, scales.dense);
      const out = dense(gelu(inter), `${p}.output.dense`, I, H, scales.dense);
      h = layerNorm(g.op('Add', [out, h]), `${p}.output.LayerNorm`);
    }
  }

  // Pooler: first token -> dense -> tanh; then the classifier.
  const first = g.op('Gather', [h, zeroScalar], { axis: attrInt(1) });
  const pooled = g.op('Tanh', [dense(first, 'bert.pooler.dense', H, H, scales.dense)]);
  const clsWeight = g.floatTensor('classifier.weight', [H, numLabels],
    w.normal(H * numLabels, scales.classifier / Math.sqrt(H)));
  const clsBias = g.floatTensor('classifier.bias', [numLabels], w.bias(numLabels));
  g.opNamed('Add', [g.op('MatMul', [pooled, clsWeight]), clsBias], 'logits');

  const dynamic = ['batch_size', 'sequence_length'];
  const inputs = [
    { name: 'input_ids', elemType: DataType.INT64, shape: dynamic },
    { name: 'attention_mask', elemType: DataType.INT64, shape: dynamic },
    ...(arch.tokenTypeInput ? [{ name: 'token_type_ids', elemType: DataType.INT64, shape: dynamic }] : []),
  ];
  const graph: GraphSpec = {
    name: 'main_graph',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch_size', numLabels] }],
  };
  return { irVersion: IR_VERSION, opsetVersion: OPSET, producerName: 'crossrank-models', producerVersion, graph };
}
