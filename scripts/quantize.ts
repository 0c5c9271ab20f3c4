// `npm run quantize -- in.onnx out.onnx`: writes the int8 model that `CrossEncoder.load(dir, { quantize: 'int8' })` runs.
import * as fs from 'node:fs';
import { CrossrankError } from '../src/errors';
import { quantizeInt8 } from '../src/quantize/quantize-int8';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  process.stderr.write('Usage: npm run quantize -- in.onnx out.onnx\n');
  process.exit(2);
}
try {
  const started = performance.now();
  const result = quantizeInt8(fs.readFileSync(input));
  fs.writeFileSync(`${output}.tmp`, result.bytes);
  fs.renameSync(`${output}.tmp`, output);
  process.stdout.write(
    `${output}: ${result.quantized.length} MatMul/Gemm nodes int8, fp32: classifier head (${result.head.join(', ') || 'none'}) ` +
      `and first attention projections (${result.firstLayer.join(', ') || 'none'}), ` +
      `${(fs.statSync(input).size / 1e6).toFixed(1)} MB -> ${(result.bytes.length / 1e6).toFixed(1)} MB in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
} catch (error) {
  const code = error instanceof CrossrankError ? ` [${error.code}]` : '';
  process.stderr.write(`quantize: ${(error as Error).message}${code}\n`);
  process.exit(1);
}
