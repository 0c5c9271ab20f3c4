// Locates a model folder's files (Hugging Face / optimum layout) and reads what scoring needs from its configs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from './errors';
import { modelMaxLength, usablePositions } from './max-length';
import { checkExternalData } from './onnx-external-data';

export interface ModelFiles {
  dir: string;
  modelPath: string;
  config: Record<string, unknown>;
  /** config_sentence_transformers.json, when present. */
  sentenceTransformersConfig: Record<string, unknown>;
  /** sentence_bert_config.json (max_seq_length), when present. */
  sentenceBertConfig: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CrossrankError('ERR_MODEL_CONFIG', `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CrossrankError('ERR_MODEL_CONFIG', `${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Finds the ONNX file: `modelFile` when given, else onnx/model.onnx, else model.onnx. */
export function locateModel(dir: string, modelFile?: string): ModelFiles {
  const resolvedDir = path.resolve(dir);
  if (!fs.existsSync(resolvedDir) || !fs.statSync(resolvedDir).isDirectory()) {
    throw new CrossrankError(
      'ERR_MODEL_NOT_FOUND',
      `Model folder ${resolvedDir} does not exist. Pass a folder holding config.json, tokenizer.json and ` +
        'onnx/model.onnx (as exported by optimum or sentence-transformers with backend="onnx"), or a Hugging Face model id.',
    );
  }
  const candidates = modelFile !== undefined ? [modelFile] : [path.join('onnx', 'model.onnx'), 'model.onnx'];
  const modelPath = candidates.map((c) => path.resolve(resolvedDir, c)).find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!modelPath) {
    throw new CrossrankError(
      'ERR_MODEL_NOT_FOUND',
      `No ONNX model in ${resolvedDir}: looked for ${candidates.join(' and ')}. Export the model to ONNX ` +
        '(optimum-cli export onnx --task text-classification, or sentence-transformers CrossEncoder(..., backend="onnx")) ' +
        'or name the file with the modelFile option.',
    );
  }
  // ONNX Runtime's own message for a missing weights file names neither the file nor the fix.
  checkExternalData(modelPath);
  return {
    dir: resolvedDir,
    modelPath,
    config: readJson(path.join(resolvedDir, 'config.json')),
    sentenceTransformersConfig: readJson(path.join(resolvedDir, 'config_sentence_transformers.json')),
    sentenceBertConfig: readJson(path.join(resolvedDir, 'sentence_bert_config.json')),
    tokenizerConfig: readJson(path.join(resolvedDir, 'tokenizer_config.json')),
  };
}

/** Labels from config.json's id2label, in id order; undefined when the config has none. */
export function labelsOf(config: Record<string, unknown>): string[] | undefined {
  const id2label = config.id2label;
  if (!id2label || typeof id2label !== 'object') return undefined;
  const entries = Object.entries(id2label as Record<string, unknown>).sort((a, b) => Number(a[0]) - Number(b[0]));
  return entries.map(([, label]) => String(label));
}

/** The default max length, in sentence-transformers' order (see max-length.ts). */
export function defaultMaxLength(files: ModelFiles): number {
  return modelMaxLength(files.config, files.tokenizerConfig, files.sentenceBertConfig);
}

/** The hard cap a user's maxLength may not exceed: the positions the model can address. */
export function maxPositions(files: ModelFiles): number | undefined {
  return usablePositions(files.config);
}
