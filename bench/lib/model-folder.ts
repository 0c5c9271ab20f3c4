// Scratch model folders for benchmark variants: the source's config and tokenizer files linked, ONNX files written apart.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Symlinks every .json and .txt file of `source` (configs, tokenizer, vocab) into `target`. */
export function linkConfigFiles(source: string, target: string): void {
  for (const name of fs.readdirSync(source)) {
    if (name.endsWith('.json') || name.endsWith('.txt')) fs.symlinkSync(path.resolve(source, name), path.join(target, name));
  }
}
