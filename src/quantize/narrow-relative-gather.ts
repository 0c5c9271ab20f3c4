// DeBERTa's disentangled attention scores every query against all 2 x position_buckets relative positions, then gathers
// the few its relative distances select: narrowing the MatMul to the selected span gives the same scores for less work.
import { GraphIndex, intsAttribute, numberAttribute } from './graph-index';
import { AttributeType, DataType, type NodeProto, type OnnxModel, makeNode, makeTensor } from './onnx-proto';
import { sortTopologically } from './topological-order';

/**
 * The index of a last-axis GatherElements when it provably holds no negative value: an Expand (or none) of
 * Squeeze / Unsqueeze / Reshape steps over a Clip whose constant lower bound is >= 0. Returns the Clip's output (the
 * smallest tensor holding every index value), the input (node, slot) nearest the Clip where a shift can go, and the
 * Expand.
 */
function clippedIndex(
  index: GraphIndex,
  gather: NodeProto,
): { values: string; reader: NodeProto; slot: number; expand: NodeProto | undefined } | undefined {
  // Shift as far up as every tensor on the way down to the gather is read only on this path: they all change then.
  let reader = gather;
  let slot = 1;
  let shared = false;
  let current = gather.input[1] ?? '';
  const walk = (step: NodeProto) => {
    shared ||= !index.single(current);
    if (!shared) [reader, slot] = [step, 0];
    current = step.input[0] ?? '';
  };
  const expand = index.from(current, 'Expand');
  if (expand) walk(expand);
  const reshape = () => index.from(current, 'Squeeze') ?? index.from(current, 'Unsqueeze') ?? index.from(current, 'Reshape');
  for (let step = reshape(); step; step = reshape()) walk(step);
  const clip = index.from(current, 'Clip');
  const low = clip && index.scalar(clip.input[1]);
  return clip && low !== undefined && low >= 0 ? { values: current, reader, slot, expand } : undefined;
}

/**
 * True when every reader of `tensor` besides `reader` is a Shape whose dimensions are read only by Slices of a constant
 * range leaving out `axis` (torch.onnx's DeBERTa reads the head size off the repeated positions this way), so cutting
 * `axis` changes nothing they see.
 */
function othersSkipAxis(index: GraphIndex, tensor: string, reader: NodeProto, axis: number, rank: number): boolean {
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  for (const other of index.consumers.get(tensor) ?? []) {
    if (other === reader) continue;
    const dims = other.output[0] ?? '';
    if (other.opType !== 'Shape' || (other.domain ?? '') !== '' || other.attribute.length > 0 || index.graphOutputs.has(dims)) return false;
    for (const slice of index.consumers.get(dims) ?? []) {
      const [starts, ends] = [index.ints(slice.input[1]), index.ints(slice.input[2])];
      const axes = slice.input[3] ? index.ints(slice.input[3]) : [0];
      const steps = slice.input[4] ? index.ints(slice.input[4]) : [1];
      if (slice.opType !== 'Slice' || starts?.length !== 1 || ends?.length !== 1 || axes?.[0] !== 0 || steps?.[0] !== 1) return false;
      if (clamp(starts[0] as number) <= axis && axis < clamp(ends[0] as number)) return false;
    }
  }
  return !index.graphOutputs.has(tensor);
}

/**
 * Where a MatMul's B operand can be cut to narrow the MatMul's last output axis: B is a Transpose (read by nothing else)
 * of tensor S, whose axis perm[last] becomes B's last axis; through Tiles that repeat that axis once, S is the Tile's
 * input, so the repeated copies shrink too. Returns S, that axis, and the node reading S.
 */
function slicePoint(index: GraphIndex, b: string): { tensor: string; axis: number; reader: NodeProto } | undefined {
  const transpose = index.from(b, 'Transpose');
  const perm = transpose && intsAttribute(transpose, 'perm');
  // perm's length is B's rank: at least 2, so the MatMul's last output axis is B's last axis.
  if (!transpose || !perm || perm.length < 2 || !index.single(b)) return undefined;
  const axis = perm[perm.length - 1] as number;
  let reader = transpose;
  let tensor = transpose.input[0] ?? '';
  for (let tile = index.from(tensor, 'Tile'); tile; tile = index.from(tensor, 'Tile')) {
    if (index.ints(tile.input[1])?.[axis] !== 1 || !othersSkipAxis(index, tensor, reader, axis, perm.length)) break;
    reader = tile;
    tensor = tile.input[0] ?? '';
  }
  return { tensor, axis, reader };
}

/** Names of the nodes narrowing adds, by which a file's summary tells it was optimized. */
export const NARROWED_NODE_PREFIX = 'crossrank_narrow_';

const FLAT = `${NARROWED_NODE_PREFIX}flat`;
const ONE = `${NARROWED_NODE_PREFIX}one`;

const int64Bytes = (values: number[]): Uint8Array => new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);

/**
 * Rewrites, in place, each GatherElements(MatMul(A, Transpose(P)), index, axis = -1) whose index is a clipped,
 * non-negative relative-position table: P is sliced to the index's [min, max] span and the index shifted by min, so the
 * MatMul computes only the columns the gather reads, and an expanded index is expanded as int32. Exact: every gathered
 * value is the same dot product. Returns how many gathers were narrowed.
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
    const clipped = clippedIndex(index, gather);
    if (!cut || !clipped) continue;

    const name = `${NARROWED_NODE_PREFIX}${narrowed}`;
    const t = (suffix: string) => `${name}/${suffix}`;
    // -1 (flatten to [1]) and 1 serve every narrowing: written with the first.
    if (narrowed === 0) graph.initializer.push(makeTensor(FLAT, DataType.INT64, [1], int64Bytes([-1])), makeTensor(ONE, DataType.INT64, [1], int64Bytes([1])));
    graph.initializer.push(makeTensor(t('axis'), DataType.INT64, [1], int64Bytes([cut.axis])));
    const keep = [{ name: 'keepdims', type: AttributeType.INT, i: 1 }];
    graph.node.push(
      makeNode('ReduceMin', [clipped.values], [t('min')], t('ReduceMin'), undefined, keep),
      makeNode('ReduceMax', [clipped.values], [t('max')], t('ReduceMax'), undefined, keep),
      makeNode('Reshape', [t('min'), FLAT], [t('start')], t('ReshapeStart')),
      makeNode('Reshape', [t('max'), FLAT], [t('last')], t('ReshapeLast')),
      makeNode('Add', [t('last'), ONE], [t('end')], t('End')),
      makeNode('Slice', [cut.tensor, t('start'), t('end'), t('axis')], [t('sliced')], t('Slice')),
      makeNode('Sub', [clipped.reader.input[clipped.slot] ?? '', t('start')], [t('index')], t('Shift')),
    );
    cut.reader.input[0] = t('sliced');
    clipped.reader.input[clipped.slot] = t('index');
    // Expand writes the index once per batch row and head: as int32 (exact, it is below the span) that is half the bytes.
    const expand = clipped.expand;
    if (expand && index.single(gather.input[1] ?? '')) {
      const to = [{ name: 'to', type: AttributeType.INT, i: DataType.INT32 }];
      graph.node.push(makeNode('Cast', [expand.input[0] ?? ''], [t('index32')], t('Int32'), undefined, to));
      expand.input[0] = t('index32');
    }
    narrowed++;
  }
  // The new nodes read tensors made anywhere before the gather (the Clip may come after the MatMul's operands).
  if (narrowed > 0) sortTopologically(graph);
  return narrowed;
}
