// sentence-transformers' rule for a CrossEncoder's default activation, read from the saved configs.
import { CrossrankError } from './errors';
import type { ModelFiles } from './model-files';

/** What score() applies to the logits. */
export type Activation = 'sigmoid' | 'identity' | 'softmax';

const BY_CLASS_NAME: Record<string, Activation> = {
  Identity: 'identity',
  Sigmoid: 'sigmoid',
  Softmax: 'softmax',
};

function fromClassPath(classPath: unknown, where: string): Activation | undefined {
  if (typeof classPath !== 'string' || classPath.length === 0) return undefined;
  const name = classPath.split('.').pop() ?? '';
  const activation = BY_CLASS_NAME[name];
  if (!activation) {
    throw new CrossrankError(
      'ERR_MODEL_CONFIG',
      `${where} names the activation ${classPath}, which crossrank does not implement; pass activation: 'identity', 'sigmoid' or 'softmax' to load()`,
    );
  }
  return activation;
}

/**
 * config.json `sentence_transformers.activation_fn`, then the legacy `sbert_ce_default_activation_function`,
 * then config_sentence_transformers.json `activation_fn`; otherwise Sigmoid for one label, Identity for several.
 */
export function autoActivation(files: ModelFiles, numLabels: number): Activation {
  const st = files.config.sentence_transformers;
  const saved =
    fromClassPath(st && typeof st === 'object' ? (st as Record<string, unknown>).activation_fn : undefined, 'config.json') ??
    fromClassPath(files.config.sbert_ce_default_activation_function, 'config.json') ??
    fromClassPath(files.sentenceTransformersConfig.activation_fn, 'config_sentence_transformers.json');
  return saved ?? (numLabels === 1 ? 'sigmoid' : 'identity');
}
