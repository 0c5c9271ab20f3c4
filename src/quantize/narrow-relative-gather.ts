// DeBERTa's disentangled attention scores every query against all 2 x position_buckets relative positions, then gathers
// the few its relative distances select: narrowing the MatMul to the selected span gives the same scores for less work.
import { GraphIndex, intsAttribute, numberAttribute } from './graph-index';
import { AttributeType, DataType, type NodeProto, type OnnxModel, makeNode, makeTensor } from './onnx-proto';
import { sortTopologically } from './topological-order';

/**
 * The index of a last-axis GatherElements when it provably holds no negative value: an Expand (or none) of
 * Squeeze / Unsqueeze / Reshape steps over a Clip whose constant lower bound is >= 0. Returns the Clip's output: the
 * smallest tensor holding every index value.
 */
function clippedIndex(index: GraphIndex, tensor: string): string | undefined {
  let current = tensor;
  const expand = index.from(current, 'Expand');
  if (expand) current = expand.input[0] ?? '';
  for (;;) {
    const step = index.from(current, 'Squeeze') ?? index.from(current, 'Unsqueeze') ?? index.from(current, 'Reshape');
    if (!step) break;
    current = step.input[0] ?? '';
  }
  const clip = index.from(current, 'Clip');
  const low = clip && index.scalar(clip.input[1]);
  return clip && low !== undefined && low >= 0 ? current : undefined;
}

/**
 * Where a MatMul's B operand can be cut to narrow the MatMul's last output axis: B is a Transpose (read by nothing else)
 * of tensor S, whose axis perm[last] becomes B's last axis. (torch.onnx's DeBERTa repeats the positions with a Tile
 * before it, whose output a Shape also reads: the Tile stays whole.)
 */
function slicePoint(index: GraphIndex, b: string): { axis: number; transpose: NodeProto } | undefined {
  const transpose = index.from(b, 'Transpose');
  const perm = transpose && intsAttribute(transpose, 'perm');
  // perm's length is B's rank: at least 2, so the MatMul's last output axis is B's last axis.
  if (!transpose || !perm || perm.length < 2 || !index.single(b)) return undefined;
  return { axis: perm[perm.length - 1] as number, transpose };
}

/** Names of the nodes narrowing adds, by which a file's summary tells it was optimized. */
export const NARROWED_NODE_PREFIX = 'crossrank_narrow_';

const int64Bytes = (values: number[]): Uint8Array => new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);

/**
 * Rewrites, in place, each GatherElements(MatMul(A, Transpose(P)), index, axis = -1) whose index is a clipped,
 * non-negative relative-position table: P is sliced to the index's [min, max] span and the index shifted by min, so the
 * MatMul computes only the columns the gather reads. Exact: every gathered value is the same dot product. Returns how
 * many gathers were narrowed.
 */
export function narrowRelativeGathers(model: OnnxModel): number {
  const graph = model.graph;
  const index = new GraphIndex(graph);
  let narrowed = 0;
  for (const gather of [...graph.node]) {
    if (gather.opType !== 'GatherElements' || (gather.domain ?? '') !== '') continue;
    const data = gather.input[0] ?? '';
    const matmul = index.from(data, 'MatMul');
    if (numberAttribute(gather, 'axis') !== -1 || !matmul || !index.single(data)) continue;
    const cut = slicePoint(index, matmul.input[1] ?? '');
    const values = clippedIndex(index, gather.input[1] ?? '');
    if (!cut || !values) continue;

    const name = `${NARROWED_NODE_PREFIX}${narrowed}`;
    const t = (suffix: string) => `${name}/${suffix}`;
    graph.initializer.push(
      makeTensor(t('flat'), DataType.INT64, [1], int64Bytes([-1])),
      makeTensor(t('one'), DataType.INT64, [1], int64Bytes([1])),
      makeTensor(t('axis'), DataType.INT64, [1], int64Bytes([cut.axis])),
    );
    const keep = [{ name: 'keepdims', type: AttributeType.INT, i: 1 }];
    graph.node.push(
      makeNode('ReduceMin', [values], [t('min')], t('ReduceMin'), undefined, keep),
      makeNode('ReduceMax', [values], [t('max')], t('ReduceMax'), undefined, keep),
      makeNode('Reshape', [t('min'), t('flat')], [t('start')], t('ReshapeStart')),
      makeNode('Reshape', [t('max'), t('flat')], [t('last')], t('ReshapeLast')),
      makeNode('Add', [t('last'), t('one')], [t('end')], t('End')),
      makeNode('Slice', [cut.transpose.input[0] ?? '', t('start'), t('end'), t('axis')], [t('sliced')], t('Slice')),
      makeNode('Sub', [gather.input[1] ?? '', t('start')], [t('index')], t('Shift')),
    );
    cut.transpose.input[0] = t('sliced');
    gather.input[1] = t('index');
    narrowed++;
  }
  // The new nodes read tensors made anywhere before the gather (the Clip may come after the MatMul's operands).
  if (narrowed > 0) sortTopologically(graph);
  return narrowed;
}
