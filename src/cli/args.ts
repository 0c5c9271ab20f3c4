// Command-line argument parsing shared by every command: util.parseArgs, typed getters, the model-loading options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LoadOptions } from '../cross-encoder';
import type { TruncationStrategy } from '../tokenizer';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

/** One subcommand: its help text, its options and what it does. Resolves to the exit code. */
export interface Command {
  name: string;
  summary: string;
  help: string;
  options: OptionSpecs;
  run(values: Values, signal: AbortSignal): Promise<number>;
}

/** Options every command that loads a model takes, with their help lines. */
export const MODEL_OPTIONS: OptionSpecs = {
  model: { type: 'string', short: 'm' },
  activation: { type: 'string' },
  'max-length': { type: 'string' },
  threads: { type: 'string' },
  'model-file': { type: 'string' },
  providers: { type: 'string' },
  quantize: { type: 'string' },
  optimize: { type: 'boolean' },
};

export const MODEL_HELP = `Model options:
  -m, --model DIR          model folder (config.json, tokenizer.json, onnx/model.onnx) or id   (required)
      --activation NAME    auto (default: the model's saved one), sigmoid, identity or softmax
      --max-length N       longest tokenized pair (default: the tokenizer's model_max_length)
      --threads N          ONNX Runtime intra-op threads (default 0: one per physical core)
      --model-file PATH    ONNX file inside the folder (default onnx/model.onnx, else model.onnx)
      --providers LIST     execution providers in order of preference, e.g. cuda,cpu (default cpu)
      --quantize int8      run with int8 MatMul weights (quantized on first use, then cached)
      --optimize           run with each attention block fused into one operator (made on first use, then cached)`;

/** Names of the library's options as the command line spells them, for error messages. */
const FLAGS: Record<string, string> = {
  'options.maxLength': '--max-length',
  'options.activation': '--activation',
  'options.threads': '--threads',
  'options.modelFile': '--model-file',
  'options.truncation': '--truncation',
  'options.topK': '--top-k',
  'options.executionProviders': '--providers',
  'options.quantize': '--quantize',
  'options.optimize': '--optimize',
};

/** Rewrites "options.maxLength" in a library message as "--max-length". */
export function withFlagNames(message: string): string {
  return message.replace(/options\.\w+/g, (name) => FLAGS[name] ?? name);
}

export function parse(command: Command, argv: string[]): Values {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values as Values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}. See: crossrank ${command.name} --help`);
  }
}

export function requiredString(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerOption(values: Values, name: string, min: number): number | undefined {
  const value = optionalString(values, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function numberOption(values: Values, name: string, fallback: number, min: number): number {
  const value = optionalString(values, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`--${name} must be a number of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function choiceOption<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(values, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function truncationOption(values: Values): TruncationStrategy | undefined {
  return choiceOption(values, 'truncation', ['longest_first', 'only_first', 'only_second'] as const);
}

export const TRUNCATION_HELP = `      --truncation HOW     longest_first (default), only_first or only_second`;

/** The model id or folder and the CrossEncoder.load options named by the model options. */
export function modelArgs(values: Values): { model: string; options: LoadOptions } {
  const options: LoadOptions = {};
  const activation = choiceOption(values, 'activation', ['auto', 'sigmoid', 'identity', 'softmax'] as const);
  if (activation !== undefined) options.activation = activation;
  const maxLength = integerOption(values, 'max-length', 1);
  if (maxLength !== undefined) options.maxLength = maxLength;
  const threads = integerOption(values, 'threads', 0);
  if (threads !== undefined) options.threads = threads;
  const modelFile = optionalString(values, 'model-file');
  if (modelFile !== undefined) options.modelFile = modelFile;
  const providers = optionalString(values, 'providers');
  if (providers !== undefined) options.executionProviders = providers.split(',').map((p) => p.trim()) as LoadOptions['executionProviders'];
  const quantize = choiceOption(values, 'quantize', ['int8'] as const);
  if (quantize !== undefined) options.quantize = quantize;
  if (values.optimize === true) options.optimize = true;
  return { model: requiredString(values, 'model'), options };
}
