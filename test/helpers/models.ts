// Paths of the generated test models and a helper that clones one with a different config.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GENERATED = path.resolve(__dirname, '..', '..', 'models', 'generated');
export const MINILM = path.join(GENERATED, 'minilm-l6');
export const TINY = path.join(GENERATED, 'tiny');
/** tiny's weights with attention written the way torch.onnx exports scaled_dot_product_attention. */
export const TINY_SDPA = path.join(GENERATED, 'tiny-sdpa');
export const TINY_NO_TYPES = path.join(GENERATED, 'tiny-no-token-types');
export const TINY_3_LABELS = path.join(GENERATED, 'tiny-3-labels');
export const SHARED_TOKENIZERS = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'tokenizers');

/** Copies a model folder into a temp dir (the ONNX file is linked, not copied) and lets `edit` change its files. */
export function cloneModel(source: string, edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-model-'));
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    if (entry.isFile()) fs.copyFileSync(path.join(source, entry.name), path.join(dir, entry.name));
  }
  fs.mkdirSync(path.join(dir, 'onnx'));
  fs.symlinkSync(path.join(source, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
  edit(dir);
  return dir;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}
