// `crossrank quantize` and `crossrank optimize`: write the int8 / fused ONNX file that the load options run, to ship it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOrtRuntime } from '../ort-library';
import { deriveModel } from '../quantize/derived-model';
import { verifyFused } from '../quantize/verify-fused';
import { Tokenizer } from '../tokenizer';
import { type Command, requiredString, UsageError, type Values } from './args';

const IO_HELP = `  -i, --input FILE         the fp32 ONNX file (e.g. onnx/model.onnx)   (required)
  -o, --output FILE        where to write the result (written to a temp file, then renamed)   (required)`;

/** The model folder of an ONNX file: its own folder or the one above (onnx/model.onnx), whichever has a tokenizer. */
function tokenizerDir(input: string): string {
  for (const dir of [path.dirname(path.resolve(input)), path.dirname(path.dirname(path.resolve(input)))]) {
    if (fs.existsSync(path.join(dir, 'tokenizer.json')) || fs.existsSync(path.join(dir, 'vocab.txt'))) return dir;
  }
  throw new UsageError(
    `--optimize checks the fused graph against ${input} by scoring text, so it needs the model's tokenizer.json (or ` +
      'vocab.txt) beside the ONNX file or one folder up',
  );
}

async function transform(values: Values, optimize: boolean, quantize: boolean): Promise<number> {
  const input = requiredString(values, 'input');
  const output = requiredString(values, 'output');
  if (!fs.existsSync(input)) throw new UsageError(`--input ${JSON.stringify(input)} does not exist`);
  const tokenizer = optimize ? await Tokenizer.fromModelDir(tokenizerDir(input)) : undefined;
  const started = performance.now();
  const temp = `${output}.${process.pid}.tmp`;
  await fs.promises.mkdir(path.dirname(path.resolve(output)), { recursive: true });
  try {
    let bytes: Uint8Array = await fs.promises.readFile(input);
    let written: Uint8Array | undefined; // what `temp` holds already
    const parts: string[] = [];
    if (optimize && tokenizer) {
      const fused = await deriveModel(bytes, { optimize: true });
      await fs.promises.writeFile(temp, fused.bytes);
      written = fused.bytes;
      loadOrtRuntime();
      await verifyFused(tokenizer.nativeTokenizer, input, temp, 0);
      bytes = fused.bytes;
      parts.push(`${fused.fusedAttention} attention blocks fused (scores checked against the source)`);
    }
    if (quantize) {
      const { bytes: int8, quantized } = await deriveModel(bytes, { optimize: false, quantize: 'int8' });
      const summary = quantized as NonNullable<typeof quantized>;
      bytes = int8;
      parts.push(
        `${summary.quantized.length} weight nodes int8`,
        `fp32 kept: classifier head (${summary.head.join(', ') || 'none'}), first attention (${summary.firstLayer.join(', ') || 'none'})`,
      );
    }
    if (bytes !== written) await fs.promises.writeFile(temp, bytes);
    await fs.promises.rename(temp, output);
    process.stdout.write(
      `${output}: ${parts.join('; ')}; ${((await fs.promises.stat(input)).size / 1e6).toFixed(1)} MB -> ` +
        `${(bytes.length / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await fs.promises.rm(temp, { force: true });
  }
  return 0;
}

export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'write the int8 ONNX file that --quantize int8 runs',
  help: `Usage: crossrank quantize --input model.onnx --output model_int8.onnx [--optimize]

Writes the int8 model that CrossEncoder.load(dir, { quantize: 'int8' }) runs: MatMul / Gemm weights int8 per output
channel, the classifier head and the first layer's attention projections fp32. Load the result with modelFile.

Options:
${IO_HELP}
      --optimize           fuse each attention block first (QAttention), as { optimize: true, quantize: 'int8' }`,
  options: { input: { type: 'string', short: 'i' }, output: { type: 'string', short: 'o' }, optimize: { type: 'boolean' } },
  run: (values) => transform(values, values.optimize === true, true),
};

export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'write the fused-attention ONNX file that --optimize runs',
  help: `Usage: crossrank optimize --input model.onnx --output model_optimized.onnx

Writes the fp32 model that CrossEncoder.load(dir, { optimize: true }) runs: each self-attention block as one
com.microsoft Attention node, checked to score padded batches as the source does (within 1e-3; about 1e-5 in
practice). The model's tokenizer.json must be beside the ONNX file or one folder up. Load the result with modelFile.

Options:
${IO_HELP}`,
  options: { input: { type: 'string', short: 'i' }, output: { type: 'string', short: 'o' } },
  run: (values) => transform(values, true, false),
};
