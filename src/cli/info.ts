// `crossrank info`: what a model is and what will run it (architecture, labels, activation, ONNX Runtime, providers).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from '../../binding/native';
import { CrossEncoder } from '../cross-encoder';
import { describeFidelity } from '../quantize/fidelity';
import { type Command, MODEL_HELP, MODEL_OPTIONS, modelArgs } from './args';
import { openOutput } from './output';

/** config.json beside the ONNX file or one folder up (onnx/model.onnx), as an object; {} when absent or unreadable. */
function configOf(modelPath: string): Record<string, unknown> {
  for (const dir of [path.dirname(modelPath), path.dirname(path.dirname(modelPath))]) {
    const file = path.join(dir, 'config.json');
    if (!fs.existsSync(file)) continue;
    try {
      const config: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (config !== null && typeof config === 'object') return config as Record<string, unknown>;
    } catch {
      // load() has already accepted the folder; an unreadable config only leaves the architecture unknown.
    }
  }
  return {};
}

/** Providers the loaded ONNX Runtime build offers, when the addon can list them. */
function availableProviders(): string[] | undefined {
  const binding = native() as { availableProviders?: () => string[] };
  return binding.availableProviders?.();
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'architecture, labels, activation, max length, ONNX Runtime and execution providers',
  help: `Usage: crossrank info --model DIR [--json]

Loads the model and prints its architecture (from config.json), labels, the activation and max length in effect
(after any options below), the precision it runs at and whether attention is fused, the int8 fidelity measured
when crossrank quantized it, the ONNX Runtime version and
library path, and the execution providers available and in use.

Options:
      --json               a JSON object instead of the table
${MODEL_HELP}`,
  options: { ...MODEL_OPTIONS, json: { type: 'boolean' } },
  async run(values) {
    const { model: modelId, options } = modelArgs(values);
    const model = await CrossEncoder.load<Float32Array | Float32Array[]>(modelId, options);
    const config = configOf(model.modelPath);
    const architectures = Array.isArray(config.architectures) ? (config.architectures as unknown[]).map(String) : [];
    const info = {
      model: model.modelPath,
      architecture: architectures[0] ?? null,
      modelType: typeof config.model_type === 'string' ? config.model_type : null,
      layers: typeof config.num_hidden_layers === 'number' ? config.num_hidden_layers : null,
      hiddenSize: typeof config.hidden_size === 'number' ? config.hidden_size : null,
      attentionHeads: typeof config.num_attention_heads === 'number' ? config.num_attention_heads : null,
      vocabSize: typeof config.vocab_size === 'number' ? config.vocab_size : null,
      numLabels: model.numLabels,
      labels: model.labels ?? null,
      activation: model.activation,
      maxLength: model.maxLength,
      precision: model.precision,
      optimized: model.optimized,
      quantization: model.quantization ?? null,
      onnxRuntime: { version: model.runtime.version, apiVersion: model.runtime.apiVersion, path: model.runtime.path },
      executionProviders: { available: availableProviders() ?? null, inUse: model.executionProvider },
    };
    await model.close();
    const shape = [
      info.modelType,
      info.layers !== null && `${info.layers} layers`,
      info.hiddenSize !== null && `hidden ${info.hiddenSize}`,
      info.attentionHeads !== null && `${info.attentionHeads} heads`,
      info.vocabSize !== null && `vocab ${info.vocabSize}`,
    ].filter(Boolean);
    const rows: Array<[string, string]> = [
      ['model', info.model],
      ['architecture', `${info.architecture ?? 'unknown'}${shape.length ? ` (${shape.join(', ')})` : ''}`],
      ['labels', `${info.numLabels}${info.labels ? `: ${info.labels.join(', ')}` : ''}`],
      ['activation', info.activation],
      ['max length', String(info.maxLength)],
      ['precision', `${info.precision}${info.optimized ? ', fused attention' : ''}`],
      ...(info.quantization ? [['int8 fidelity', `${describeFidelity(info.quantization)} (probe pairs, against fp32)`] as [string, string]] : []),
      ['ONNX Runtime', `${info.onnxRuntime.version} (API ${info.onnxRuntime.apiVersion})`],
      ['library', info.onnxRuntime.path],
      ['providers', `${info.executionProviders.inUse} in use; available: ${info.executionProviders.available?.join(', ') ?? 'unknown'}`],
    ];
    const output = openOutput(undefined);
    output.write(values.json ? `${JSON.stringify(info, null, 2)}\n` : rows.map(([k, v]) => `${k.padEnd(14)}${v}\n`).join(''));
    await output.close();
    return 0;
  },
};
