// The ONNX protobuf schema (onnx/onnx.proto, IR version 10) for protobufjs, and typed decode/encode of ModelProto.
import * as protobuf from 'protobufjs';
import { CrossrankError } from '../errors';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

const repeated = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });

// Every field of the messages a model file can hold, so that decode + encode keeps all of them.
const MESSAGES: Record<string, { fields: Fields; nested?: Record<string, { fields: Fields; oneofs?: Record<string, { oneof: string[] }> }>; oneofs?: Record<string, { oneof: string[] }> }> = {
  AttributeProto: {
    fields: {
      name: { type: 'string', id: 1 },
      refAttrName: { type: 'string', id: 21 },
      docString: { type: 'string', id: 13 },
      type: { type: 'int32', id: 20 },
      f: { type: 'float', id: 2 },
      i: { type: 'int64', id: 3 },
      s: { type: 'bytes', id: 4 },
      t: { type: 'TensorProto', id: 5 },
      g: { type: 'GraphProto', id: 6 },
      sparseTensor: { type: 'SparseTensorProto', id: 22 },
      tp: { type: 'TypeProto', id: 14 },
      floats: repeated('float', 7),
      ints: repeated('int64', 8),
      strings: repeated('bytes', 9),
      tensors: repeated('TensorProto', 10),
      graphs: repeated('GraphProto', 11),
      sparseTensors: repeated('SparseTensorProto', 23),
      typeProtos: repeated('TypeProto', 15),
    },
  },
  ValueInfoProto: {
    fields: {
      name: { type: 'string', id: 1 },
      type: { type: 'TypeProto', id: 2 },
      docString: { type: 'string', id: 3 },
      metadataProps: repeated('StringStringEntryProto', 4),
    },
  },
  NodeProto: {
    fields: {
      input: repeated('string', 1),
      output: repeated('string', 2),
      name: { type: 'string', id: 3 },
      opType: { type: 'string', id: 4 },
      domain: { type: 'string', id: 7 },
      overload: { type: 'string', id: 8 },
      attribute: repeated('AttributeProto', 5),
      docString: { type: 'string', id: 6 },
      metadataProps: repeated('StringStringEntryProto', 9),
    },
  },
  TrainingInfoProto: {
    fields: {
      initialization: { type: 'GraphProto', id: 1 },
      algorithm: { type: 'GraphProto', id: 2 },
      initializationBinding: repeated('StringStringEntryProto', 3),
      updateBinding: repeated('StringStringEntryProto', 4),
    },
  },
  ModelProto: {
    fields: {
      irVersion: { type: 'int64', id: 1 },
      opsetImport: repeated('OperatorSetIdProto', 8),
      producerName: { type: 'string', id: 2 },
      producerVersion: { type: 'string', id: 3 },
      domain: { type: 'string', id: 4 },
      modelVersion: { type: 'int64', id: 5 },
      docString: { type: 'string', id: 6 },
      graph: { type: 'GraphProto', id: 7 },
      metadataProps: repeated('StringStringEntryProto', 14),
      trainingInfo: repeated('TrainingInfoProto', 20),
      functions: repeated('FunctionProto', 25),
    },
  },
  StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
  TensorAnnotation: {
    fields: { tensorName: { type: 'string', id: 1 }, quantParameterTensorNames: repeated('StringStringEntryProto', 2) },
  },
  GraphProto: {
    fields: {
      node: repeated('NodeProto', 1),
      name: { type: 'string', id: 2 },
      initializer: repeated('TensorProto', 5),
      sparseInitializer: repeated('SparseTensorProto', 15),
      docString: { type: 'string', id: 10 },
      input: repeated('ValueInfoProto', 11),
      output: repeated('ValueInfoProto', 12),
      valueInfo: repeated('ValueInfoProto', 13),
      quantizationAnnotation: repeated('TensorAnnotation', 14),
      metadataProps: repeated('StringStringEntryProto', 16),
    },
  },
  TensorProto: {
    fields: {
      dims: repeated('int64', 1),
      dataType: { type: 'int32', id: 2 },
      segment: { type: 'Segment', id: 3 },
      floatData: repeated('float', 4),
      int32Data: repeated('int32', 5),
      stringData: repeated('bytes', 6),
      int64Data: repeated('int64', 7),
      name: { type: 'string', id: 8 },
      docString: { type: 'string', id: 12 },
      rawData: { type: 'bytes', id: 9 },
      externalData: repeated('StringStringEntryProto', 13),
      dataLocation: { type: 'int32', id: 14 },
      doubleData: repeated('double', 10),
      uint64Data: repeated('uint64', 11),
      metadataProps: repeated('StringStringEntryProto', 16),
    },
    nested: { Segment: { fields: { begin: { type: 'int64', id: 1 }, end: { type: 'int64', id: 2 } } } },
  },
  SparseTensorProto: {
    fields: {
      values: { type: 'TensorProto', id: 1 },
      indices: { type: 'TensorProto', id: 2 },
      dims: repeated('int64', 3),
    },
  },
  TensorShapeProto: {
    fields: { dim: repeated('Dimension', 1) },
    nested: {
      Dimension: {
        fields: {
          dimValue: { type: 'int64', id: 1 },
          dimParam: { type: 'string', id: 2 },
          denotation: { type: 'string', id: 3 },
        },
        oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
      },
    },
  },
  TypeProto: {
    fields: {
      tensorType: { type: 'Tensor', id: 1 },
      sequenceType: { type: 'Sequence', id: 4 },
      mapType: { type: 'Map', id: 5 },
      optionalType: { type: 'Optional', id: 9 },
      sparseTensorType: { type: 'SparseTensor', id: 8 },
      denotation: { type: 'string', id: 6 },
    },
    oneofs: { value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType'] } },
    nested: {
      Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
      Sequence: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
      Map: { fields: { keyType: { type: 'int32', id: 1 }, valueType: { type: 'TypeProto', id: 2 } } },
      Optional: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
      SparseTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
    },
  },
  OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
  FunctionProto: {
    fields: {
      name: { type: 'string', id: 1 },
      input: repeated('string', 4),
      output: repeated('string', 5),
      attribute: repeated('string', 6),
      attributeProto: repeated('AttributeProto', 11),
      node: repeated('NodeProto', 7),
      docString: { type: 'string', id: 8 },
      opsetImport: repeated('OperatorSetIdProto', 9),
      domain: { type: 'string', id: 10 },
      overload: { type: 'string', id: 13 },
      valueInfo: repeated('ValueInfoProto', 12),
      metadataProps: repeated('StringStringEntryProto', 14),
    },
  },
};

/** TensorProto.DataType values the quantizer reads or writes. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const;

/** AttributeProto.AttributeType values the quantizer reads or writes. */
export const AttributeType = { FLOAT: 1, INT: 2, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

/** int64 fields decode as numbers or Long objects ({ low, high }); both convert here. */
export type Int64 = number | { toNumber(): number };

export interface TensorProto {
  name?: string;
  dims: Int64[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  dataLocation?: number;
  externalData: unknown[];
}
export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  t?: TensorProto;
  ints?: Int64[];
  floats?: number[];
  g?: GraphProto;
  graphs?: GraphProto[];
}
export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute: AttributeProto[];
}
export interface GraphProto {
  node: NodeProto[];
  initializer: TensorProto[];
  input: { name?: string }[];
  output: { name?: string }[];
}
export interface ModelProto {
  opsetImport: { domain?: string; version?: Int64 }[];
  graph?: GraphProto;
}

const root = protobuf.Root.fromJSON({ nested: { onnx: { nested: MESSAGES } } });
const modelType = root.lookupType('onnx.ModelProto');
const tensorType = root.lookupType('onnx.TensorProto');
const nodeType = root.lookupType('onnx.NodeProto');
const attributeType = root.lookupType('onnx.AttributeProto');

export function int64(value: Int64 | undefined): number {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return modelType.decode(bytes) as unknown as ModelProto;
}

/** A decoded model that has a graph. */
export type OnnxModel = ModelProto & { graph: GraphProto };

/** Decodes an ONNX file's bytes for a rewrite; ERR_MODEL_LOAD when they are not a model with a graph. */
export function readModel(bytes: Uint8Array): OnnxModel {
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new CrossrankError('ERR_MODEL_LOAD', `Cannot read the ONNX model: ${(error as Error).message}`, { cause: error });
  }
  if (!model.graph) throw new CrossrankError('ERR_MODEL_LOAD', 'The ONNX model has no graph');
  return model as OnnxModel;
}

/** The domain of ONNX Runtime's contrib operators. */
export const MS_DOMAIN = 'com.microsoft';

/** Declares the contrib-operator domain once the graph uses it. */
export function importMsDomain(model: ModelProto): void {
  if (!model.opsetImport.some((o) => o.domain === MS_DOMAIN)) model.opsetImport.push({ domain: MS_DOMAIN, version: 1 });
}

export function encodeModel(model: ModelProto): Uint8Array {
  return modelType.encode(model as unknown as protobuf.Message).finish();
}

export function makeTensor(name: string, dataType: number, dims: number[], rawData: Uint8Array): TensorProto {
  return tensorType.create({ name, dataType, dims, rawData }) as unknown as TensorProto;
}

export function makeNode(opType: string, inputs: string[], outputs: string[], name: string, domain?: string, attributes: AttributeProto[] = []): NodeProto {
  return nodeType.create({
    opType,
    input: inputs,
    output: outputs,
    name,
    ...(domain ? { domain } : {}),
    attribute: attributes.map((a) => attributeType.create(a)),
  }) as unknown as NodeProto;
}
