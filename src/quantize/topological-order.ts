// Puts a graph's nodes back in an order where each runs after the nodes it reads from, as ONNX requires.
import type { GraphProto, NodeProto } from './onnx-proto';

/** Names a node reads: its inputs and, for If / Loop / Scan, the outer values its subgraphs read. */
function reads(node: NodeProto): string[] {
  const names = [...node.input];
  const visit = (graph: GraphProto) => {
    const own = new Set([...graph.initializer.map((t) => t.name ?? ''), ...graph.input.map((i) => i.name ?? '')]);
    for (const inner of graph.node) {
      for (const input of inner.input) if (!own.has(input)) names.push(input);
      for (const output of inner.output) own.add(output);
      for (const a of inner.attribute) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) visit(g);
    }
  };
  for (const a of node.attribute) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) visit(g);
  return names;
}

/**
 * Reorders `graph.node` in place so that producers come first, keeping the given order wherever it is already valid
 * (a node moves only ahead of a node that needs it). Iterative depth-first: graphs are thousands of nodes deep.
 */
export function sortTopologically(graph: GraphProto): void {
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) producer.set(output, node);
  const placed = new Set<NodeProto>();
  const opened = new Set<NodeProto>();
  const order: NodeProto[] = [];
  const stack: { node: NodeProto; pending: NodeProto[] }[] = [];
  const open = (node: NodeProto) => {
    opened.add(node);
    stack.push({ node, pending: reads(node).flatMap((name) => producer.get(name) ?? []) });
  };
  for (const root of graph.node) {
    if (!placed.has(root)) open(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: NodeProto; pending: NodeProto[] };
      const next = top.pending.pop();
      if (next === undefined) {
        stack.pop();
        placed.add(top.node);
        order.push(top.node);
      } else if (!placed.has(next)) {
        if (opened.has(next)) throw new Error(`graph has a cycle through ${next.name ?? next.opType}`);
        open(next);
      }
    }
  }
  graph.node = order;
}
