// sortTopologically: producers before readers, the given order kept where it is valid, subgraph reads counted.
import { describe, expect, it } from 'vitest';
import { AttributeType, type GraphProto, makeNode } from '../src/quantize/onnx-proto';
import { sortTopologically } from '../src/quantize/topological-order';

const graphOf = (node: GraphProto['node']): GraphProto => ({ node, initializer: [], input: [{ name: 'x' }], output: [] });
const names = (graph: GraphProto) => graph.node.map((n) => n.name);

describe('sortTopologically', () => {
  it('moves a producer ahead of its reader and leaves the rest in place', () => {
    const graph = graphOf([
      makeNode('Relu', ['x'], ['a'], 'a'),
      makeNode('Add', ['a', 'c'], ['b'], 'b'),
      makeNode('Neg', ['x'], ['d'], 'd'),
      makeNode('Abs', ['a'], ['c'], 'c'),
    ]);
    sortTopologically(graph);
    expect(names(graph)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('keeps an already valid order', () => {
    const graph = graphOf([makeNode('Relu', ['x'], ['a'], 'a'), makeNode('Neg', ['x'], ['d'], 'd'), makeNode('Add', ['a', 'd'], ['b'], 'b')]);
    sortTopologically(graph);
    expect(names(graph)).toEqual(['a', 'd', 'b']);
  });

  it("places the producer of a value an If's branch reads before the If", () => {
    const branch = graphOf([makeNode('Identity', ['late'], ['y'], 'inner')]);
    const graph = graphOf([
      makeNode('If', ['x'], ['out'], 'if', undefined, [{ name: 'then_branch', type: AttributeType.GRAPH, g: branch }, { name: 'else_branch', type: AttributeType.GRAPH, g: branch }]),
      makeNode('Relu', ['x'], ['late'], 'late'),
    ]);
    sortTopologically(graph);
    expect(names(graph)).toEqual(['late', 'if']);
  });

  it('throws on a cycle', () => {
    const graph = graphOf([makeNode('Relu', ['b'], ['a'], 'a'), makeNode('Relu', ['a'], ['b'], 'b')]);
    expect(() => sortTopologically(graph)).toThrow(/cycle/);
  });
});
