// Rewrites the self-attention blocks of a BERT-family ONNX graph into ONNX Runtime's fused Attention operator.
import { GraphIndex, intsAttribute, numberAttribute, pruneInitializers } from './graph-index';
import {
  AttributeType,
  DataType,
  MS_DOMAIN,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  encodeModel,
  importMsDomain,
  makeNode,
  makeTensor,
  readModel,
} from './onnx-proto';
/** Additive mask values at or below this are "masked out": exp() of them is 0 in fp32 either way. */
const MASKED = -1e4;

/**
 * What was fused. Only attention: on minilm-l6 (ONNX Runtime 1.30, 2 cores; `npm run bench:fusion`) fused attention ran
 * the graph 1.05x / 1.08x (short / query-passage pairs); adding SkipLayerNormalization brought it to 0.95x / 0.97x,
 * adding EmbedLayerNormalization to 0.96x / 1.01x.
 */
export interface FuseResult {
  /** Self-attention blocks now one com.microsoft Attention node each. */
  attention: number;
}

/** A tensor produced by `Add(MatMul(x, W), b)` or `MatMul(x, W)` with constant fp32 W [in, out] and b [out]. */
interface Projection {
  input: string;
  weight: Float32Array;
  bias: Float32Array;
  rows: number;
  cols: number;
}

/** What a mask tensor holds, derived from the attention_mask input: 1 = attend ('keep'), 1 = masked, or additive. */
type MaskKind = 'keep' | 'masked' | 'additive';

class BertFuser {
  private readonly g: GraphIndex;
  private readonly removed = new Set<NodeProto>();
  private readonly replacement = new Map<NodeProto, NodeProto[]>();
  private readonly added: TensorProto[] = [];
  private readonly prepended: NodeProto[] = [];
  private maskInt32: string | undefined;

  constructor(private readonly model: OnnxModel) {
    this.g = new GraphIndex(model.graph);
  }

  run(): FuseResult {
    const nodes = [...this.g.graph.node];
    let attention = 0;
    for (const node of nodes) if (node.opType === 'Softmax' && (node.domain ?? '') === '' && this.fuseAttention(node)) attention++;
    if (attention === 0) return { attention };

    const graph = this.g.graph;
    graph.node = [...this.prepended, ...graph.node.filter((n) => !this.removed.has(n) || this.replacement.has(n)).flatMap((n) => this.replacement.get(n) ?? [n])];
    graph.initializer.push(...this.added);
    pruneDeadNodes(this.model);
    importMsDomain(this.model);
    return { attention };
  }

  /** Multiplications / divisions of `tensor` by scalar constants, peeled off; returns the tensor under them and their product. */
  private peelScale(tensor: string, nodes: NodeProto[]): { tensor: string; scale: number } {
    let scale = 1;
    for (;;) {
      const node = this.g.from(tensor, 'Mul') ?? this.g.from(tensor, 'Div');
      if (!node) return { tensor, scale };
      const [a, b] = node.input as [string, string];
      const right = this.g.scalar(b);
      const left = node.opType === 'Mul' ? this.g.scalar(a) : undefined;
      if (right !== undefined) {
        scale *= node.opType === 'Mul' ? right : 1 / right;
        tensor = a;
      } else if (left !== undefined) {
        scale *= left;
        tensor = b;
      } else {
        return { tensor, scale };
      }
      nodes.push(node);
    }
  }

  private projection(tensor: string, nodes: NodeProto[]): Projection | undefined {
    let bias: Float32Array | undefined;
    let matmulOut = tensor;
    const add = this.g.from(tensor, 'Add');
    if (add) {
      const [a, b] = add.input as [string, string];
      const [other, constant] = this.g.constant(b) ? [a, b] : [b, a];
      const value = this.g.constant(constant);
      if (!(value?.values instanceof Float32Array) || value.dims.length !== 1) return undefined;
      bias = value.values;
      matmulOut = other;
      nodes.push(add);
    }
    const matmul = this.g.from(matmulOut, 'MatMul');
    const weight = this.g.constant(matmul?.input[1]);
    if (!matmul || !(weight?.values instanceof Float32Array) || weight.dims.length !== 2) return undefined;
    const [rows, cols] = weight.dims as [number, number];
    if (bias && bias.length !== cols) return undefined;
    nodes.push(matmul);
    return { input: matmul.input[0] as string, weight: weight.values, bias: bias ?? new Float32Array(cols), rows, cols };
  }

  /** `Transpose(Reshape(projection, [*, *, heads, headSize]), perm)`; returns the projection and the head split. */
  private heads(tensor: string, perm: readonly number[], nodes: NodeProto[]): { p: Projection; heads: number; headSize: number } | undefined {
    const transpose = this.g.from(tensor, 'Transpose');
    if (!transpose || !sameInts(intsAttribute(transpose, 'perm'), perm)) return undefined;
    const reshape = this.g.from(transpose.input[0], 'Reshape');
    const shape = this.g.ints(reshape?.input[1]);
    if (!reshape || !shape || shape.length !== 4) return undefined;
    nodes.push(transpose, reshape);
    const p = this.projection(reshape.input[0] as string, nodes);
    if (!p) return undefined;
    let [, , heads, headSize] = shape as [number, number, number, number];
    if (headSize === -1 && heads > 0) headSize = p.cols / heads;
    if (heads === -1 && headSize > 0) heads = p.cols / headSize;
    if (!Number.isInteger(heads) || !Number.isInteger(headSize) || heads <= 0 || heads * headSize !== p.cols) return undefined;
    return { p, heads, headSize };
  }

  /** K as [batch, heads, headSize, seq]: one Transpose(0,2,3,1), or Transpose(0,1,3,2) over the (0,2,1,3) split. */
  private keyHeads(tensor: string, nodes: NodeProto[]): ReturnType<BertFuser['heads']> {
    const direct = this.heads(tensor, [0, 2, 3, 1], nodes);
    if (direct) return direct;
    const swap = this.g.from(tensor, 'Transpose');
    if (!swap || !sameInts(intsAttribute(swap, 'perm'), [0, 1, 3, 2])) return undefined;
    nodes.push(swap);
    return this.heads(swap.input[0] as string, [0, 2, 1, 3], nodes);
  }

  /** Follows a mask tensor back to the attention_mask input; undefined when it is anything else. */
  private maskKind(tensor: string | undefined): MaskKind | undefined {
    if (tensor === undefined) return undefined;
    if (tensor === 'attention_mask' && this.g.graphInputs.has(tensor)) return 'keep';
    const node = this.g.producer.get(tensor);
    if (!node || (node.domain ?? '') !== '') return undefined;
    const [a, b, c] = node.input;
    switch (node.opType) {
      case 'Unsqueeze':
      case 'Expand':
      case 'Cast':
        return this.maskKind(a);
      case 'Sub':
        return this.g.scalar(a) === 1 && this.maskKind(b) === 'keep' ? 'masked' : undefined;
      case 'Mul': {
        const [scalar, other] = this.g.scalar(b) !== undefined ? [this.g.scalar(b), a] : [this.g.scalar(a), b];
        return scalar !== undefined && scalar <= MASKED && this.maskKind(other) === 'masked' ? 'additive' : undefined;
      }
      case 'Where': {
        const fill = this.g.scalar(b);
        return this.maskKind(a) === 'masked' && fill !== undefined && fill <= MASKED &&
          (this.g.scalar(c) === 0 || this.maskKind(c) === 'masked') ? 'additive' : undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * torch.onnx's scaled_dot_product_attention zeroes rows that are all masked: Where(IsNaN(p), 0, p). A padding mask
   * never masks a whole row (the [CLS] key is always there), so the guard is part of the block; returns the probabilities.
   */
  private nanGuarded(softmax: NodeProto, block: NodeProto[]): string {
    const p = softmax.output[0] as string;
    const readers = this.g.consumers.get(p) ?? [];
    const isNan = readers.find((n) => n.opType === 'IsNaN');
    const where = readers.find((n) => n.opType === 'Where');
    if (readers.length !== 2 || !isNan || !where) return p;
    const [cond, fill, value] = where.input;
    if (cond !== isNan.output[0] || this.g.scalar(fill) !== 0 || value !== p) return p;
    block.push(isNan, where);
    return where.output[0] as string;
  }

  /**
   * True when `tensor` is computed from the attention_mask input and constants alone (no weights, no hidden states), as
   * transformers 5 builds the mask with index arithmetic. It is taken as the padding mask; the numeric check before the
   * fused graph is cached (verify-fused.ts) confirms that.
   */
  private fromInputsOnly(tensor: string): boolean {
    let sawMask = false;
    const seen = new Set<string>();
    const stack = [tensor];
    while (stack.length > 0) {
      const t = stack.pop() as string;
      if (t === '' || seen.has(t)) continue;
      seen.add(t);
      if (this.g.graphInputs.has(t)) {
        sawMask ||= t === 'attention_mask';
        continue;
      }
      const constant = this.g.initializers.get(t);
      if (constant) {
        if (constant.dims.length > 1) return false; // a weight matrix: not a mask built from the inputs
        continue;
      }
      const node = this.g.producer.get(t);
      if (!node || (node.domain ?? '') !== '') return false;
      // A shape depends on the inputs' shapes only, whatever tensor it is read from.
      if (node.opType !== 'Shape' && node.opType !== 'Size') stack.push(...node.input);
    }
    return sawMask;
  }

  /** The attention_mask input as int32 [batch, seq] (Attention's raw mask form), cast once for all layers. */
  private rawMask(): string {
    if (this.maskInt32 === undefined) {
      this.maskInt32 = 'crossrank_attention_mask_int32';
      this.prepended.push(makeNode('Cast', ['attention_mask'], [this.maskInt32], 'crossrank_attention_mask_cast', undefined, [
        { name: 'to', type: AttributeType.INT, i: DataType.INT32 },
      ]));
    }
    return this.maskInt32;
  }

  /**
   * Softmax(QKᵀ·scale + mask)·V with Q, K, V projections of one tensor and the result merged back to [batch, seq, hidden]
   * becomes one Attention node. Every intermediate must feed only the block, else the block is left as it is.
   */
  private fuseAttention(softmax: NodeProto): boolean {
    const axis = numberAttribute(softmax, 'axis');
    if (axis !== undefined && axis !== -1 && axis !== 3) return false;
    const block: NodeProto[] = [softmax];
    const maskAdd = this.g.from(softmax.input[0], 'Add');
    if (!maskAdd) return false;
    block.push(maskAdd);
    const [x0, x1] = maskAdd.input as [string, string];
    const isMask = (t: string) => this.maskKind(t) === 'additive' || this.fromInputsOnly(t);
    const scores = isMask(x1) ? x0 : isMask(x0) ? x1 : undefined;
    if (scores === undefined) return false;

    const peeled = this.peelScale(scores, block);
    const qk = this.g.from(peeled.tensor, 'MatMul');
    if (!qk) return false;
    block.push(qk);
    const q = this.peelScale(qk.input[0] as string, block);
    const k = this.peelScale(qk.input[1] as string, block);
    const query = this.heads(q.tensor, [0, 2, 1, 3], block);
    const key = this.keyHeads(k.tensor, block);

    const probs = this.nanGuarded(softmax, block);
    const pv = this.g.consumers.get(probs);
    const pvNode = pv?.length === 1 && pv[0]?.opType === 'MatMul' && pv[0].input[0] === probs ? pv[0] : undefined;
    if (!query || !key || !pvNode) return false;
    block.push(pvNode);
    const value = this.heads(pvNode.input[1] as string, [0, 2, 1, 3], block);
    const merge = this.g.consumers.get(pvNode.output[0] as string);
    const mergeT = merge?.length === 1 && merge[0]?.opType === 'Transpose' ? merge[0] : undefined;
    if (!value || !mergeT || !sameInts(intsAttribute(mergeT, 'perm'), [0, 2, 1, 3])) return false;
    const mergeR = this.g.consumers.get(mergeT.output[0] as string);
    const reshape = mergeR?.length === 1 && mergeR[0]?.opType === 'Reshape' ? mergeR[0] : undefined;
    const outShape = this.g.ints(reshape?.input[1]);
    if (!reshape || !outShape || outShape.length !== 3) return false;
    block.push(mergeT, reshape);

    const { heads, headSize } = query;
    const hidden = heads * headSize;
    const sameInput = query.p.input === key.p.input && key.p.input === value.p.input;
    const shapesMatch = [key, value].every((h) => h.heads === heads && h.headSize === headSize && h.p.rows === query.p.rows);
    const last = outShape[2] as number;
    if (!sameInput || !shapesMatch || !(last === hidden || last === -1)) return false;
    // Every tensor inside the block must be read only inside it.
    const inside = new Set(block);
    const output = reshape.output[0] as string;
    for (const node of block) {
      for (const out of node.output) {
        if (out === output) continue;
        if (this.g.graphOutputs.has(out) || (this.g.consumers.get(out) ?? []).some((c) => !inside.has(c))) return false;
      }
    }
    if (block.some((n) => this.removed.has(n))) return false;

    const rows = query.p.rows;
    const weight = new Float32Array(rows * 3 * hidden);
    for (let r = 0; r < rows; r++) {
      weight.set(query.p.weight.subarray(r * hidden, (r + 1) * hidden), r * 3 * hidden);
      weight.set(key.p.weight.subarray(r * hidden, (r + 1) * hidden), r * 3 * hidden + hidden);
      weight.set(value.p.weight.subarray(r * hidden, (r + 1) * hidden), r * 3 * hidden + 2 * hidden);
    }
    const bias = new Float32Array(3 * hidden);
    bias.set(query.p.bias, 0);
    bias.set(key.p.bias, hidden);
    bias.set(value.p.bias, 2 * hidden);
    const name = `${softmax.name || output}_fused_attention`;
    const scale = peeled.scale * q.scale * k.scale;
    this.added.push(
      makeTensor(`${name}.qkv_weight`, DataType.FLOAT, [rows, 3 * hidden], bytesOf(weight)),
      makeTensor(`${name}.qkv_bias`, DataType.FLOAT, [3 * hidden], bytesOf(bias)),
    );
    const attention = makeNode('Attention', [query.p.input, `${name}.qkv_weight`, `${name}.qkv_bias`, this.rawMask()], [output], name, MS_DOMAIN, [
      { name: 'num_heads', type: AttributeType.INT, i: heads },
      { name: 'scale', type: AttributeType.FLOAT, f: scale },
    ]);
    for (const node of block) this.removed.add(node);
    this.replacement.set(reshape, [attention]);
    return true;
  }
}

function sameInts(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

function bytesOf(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Drops nodes whose outputs nothing reads, then initializers nothing reads. */
function pruneDeadNodes(model: OnnxModel): void {
  const graph = model.graph;
  const outputs = new Set(graph.output.map((o) => o.name ?? ''));
  for (let changed = true; changed; ) {
    const read = new Set(graph.node.flatMap((n) => n.input));
    const before = graph.node.length;
    graph.node = graph.node.filter((n) => n.output.some((o) => o !== '' && (read.has(o) || outputs.has(o))));
    changed = graph.node.length !== before;
  }
  pruneInitializers(graph);
}

/** Fuses `model` in place; returns what was fused. */
export function fuseBertModel(model: OnnxModel): FuseResult {
  return new BertFuser(model).run();
}

/** Reads, fuses and writes an ONNX file's bytes. */
export function fuseBert(source: Uint8Array): FuseResult & { bytes: Uint8Array } {
  const model = readModel(source);
  const result = fuseBertModel(model);
  return { ...result, bytes: encodeModel(model) };
}
