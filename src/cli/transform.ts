// `crossrank quantize` and `crossrank optimize`: write the int8 / fused ONNX file that the load options run, to ship it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Derivation, deriveModel } from '../quantize/derived-model';
import { type Command, requiredString, UsageError, type Values } from './args';

const IO_HELP = `  -i, --input FILE         the fp32 ONNX file (e.g. onnx/model.onnx)   (required)
  -o, --output FILE        where to write the result (written to a temp file, then renamed)   (required)`;

async function transform(values: Values, derivation: Derivation): Promise<number> {
  const input = requiredString(values, 'input');
  const output = requiredString(values, 'output');
  if (!fs.existsSync(input)) throw new UsageError(`--input ${JSON.stringify(input)} does not exist`);
  const started = performance.now();
  const result = await deriveModel(await fs.promises.readFile(input), derivation);
  const temp = `${output}.${process.pid}.tmp`;
  await fs.promises.mkdir(path.dirname(path.resolve(output)), { recursive: true });
  await fs.promises.writeFile(temp, result.bytes);
  await fs.promises.rename(temp, output);
  const parts = [
    derivation.optimize && `${result.fusedAttention} attention blocks fused`,
    result.quantized && `${result.quantized.quantized.length} weight nodes int8`,
    result.quantized && `fp32 kept: classifier head (${result.quantized.head.join(', ') || 'none'}), first attention (${result.quantized.firstLayer.join(', ') || 'none'})`,
  ].filter(Boolean);
  process.stdout.write(
    `${output}: ${parts.join('; ')}; ${((await fs.promises.stat(input)).size / 1e6).toFixed(1)} MB -> ` +
      `${(result.bytes.length / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
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
  run: (values) => transform(values, { optimize: values.optimize === true, quantize: 'int8' }),
};

export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'write the fused-attention ONNX file that --optimize runs',
  help: `Usage: crossrank optimize --input model.onnx --output model_optimized.onnx

Writes the fp32 model that CrossEncoder.load(dir, { optimize: true }) runs: each self-attention block as one
com.microsoft Attention node; scores within 1e-4 of the source. Load the result with modelFile.

Options:
${IO_HELP}`,
  options: { input: { type: 'string', short: 'i' }, output: { type: 'string', short: 'o' } },
  run: (values) => transform(values, { optimize: true }),
};
