// `crossrank quantize` and `crossrank optimize`: write the int8 / fused ONNX file that the load options run, to ship it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOrtRuntime } from '../ort-library';
import { dataFileOf } from '../quantize/external-data';
import { fuseModelFile, quantizeModelFile } from '../quantize/derived-model';
import { DEFAULT_TARGET, describeFidelity } from '../quantize/fidelity';
import { probeScorer } from '../quantize/probe-scorer';
import { verifyFused } from '../quantize/verify-fused';
import { Tokenizer } from '../tokenizer';
import { type Command, choiceOption, numberOption, requiredString, UsageError, type Values } from './args';
const IO_HELP = `  -i, --input FILE         the fp32 ONNX file (e.g. onnx/model.onnx)   (required)
  -o, --output FILE        where to write the result (written to a temp file, then renamed)   (required)`;

/** The model folder of an ONNX file: its own folder or the one above (onnx/model.onnx), whichever has a tokenizer. */
function tokenizerDir(input: string): string {
  for (const dir of [path.dirname(path.resolve(input)), path.dirname(path.dirname(path.resolve(input)))]) {
    if (fs.existsSync(path.join(dir, 'tokenizer.json')) || fs.existsSync(path.join(dir, 'vocab.txt'))) return dir;
  }
  throw new UsageError(
    `quantize and optimize check their result against ${input} by scoring text, which needs the model's tokenizer.json (or ` +
      'vocab.txt) beside the ONNX file or one folder up',
  );
}

function share(values: Values, name: string, fallback: number): number {
  const n = numberOption(values, name, fallback, 0);
  if (n > 1) throw new UsageError(`--${name} must be a number from 0 to 1, got ${n}`);
  return n;
}

async function transform(values: Values, optimize: boolean, quantize: boolean): Promise<number> {
  const input = requiredString(values, 'input');
  const output = requiredString(values, 'output');
  if (!fs.existsSync(input)) throw new UsageError(`--input ${JSON.stringify(input)} does not exist`);
  const weights = choiceOption(values, 'weights', ['int8', 'uint8'] as const);
  const target = {
    minSpearman: share(values, 'min-spearman', DEFAULT_TARGET.minSpearman),
    minTopKOverlap: share(values, 'min-topk-overlap', DEFAULT_TARGET.minTopKOverlap),
  };
  const tokenizer = await Tokenizer.fromModelDir(tokenizerDir(input));
  loadOrtRuntime();
  const score = probeScorer(tokenizer.nativeTokenizer, 0);
  const started = performance.now();
  const temp = `${output}.${process.pid}.tmp`;
  // With --quantize, the fused graph is an intermediate file beside the output.
  const fusedPath = quantize ? `${output}.fused.${process.pid}.tmp` : output;
  await fs.promises.mkdir(path.dirname(path.resolve(output)), { recursive: true });
  const parts: string[] = [];
  let kept = false;
  let outputData: string | undefined;
  try {
    let base = input;
    if (optimize) {
      const fused = await fuseModelFile(input, fusedPath);
      if (!quantize) outputData = fused.dataFile;
      await fs.promises.writeFile(temp, fused.bytes);
      await verifyFused(score, input, temp);
      if (quantize) await fs.promises.rename(temp, fusedPath);
      base = fusedPath;
      const done = [fused.fusedAttention > 0 ? `${fused.fusedAttention} attention blocks fused` : '', fused.narrowedGathers > 0 ? `${fused.narrowedGathers} relative-position gathers narrowed` : ''];
      parts.push(`${done.filter(Boolean).join(', ')} (scores checked against the source)`);
    }
    if (quantize) {
      const int8 = await quantizeModelFile(base, output, target, score, weights);
      outputData = int8.dataFile;
      await fs.promises.writeFile(temp, int8.bytes);
      const s = int8.summary;
      parts.push(
        `${s.quantized.length} weight nodes int8`,
        `fp32 kept: classifier head (${s.head.join(', ') || 'none'}), first attention (${s.firstLayer.join(', ') || 'none'}), ` +
          `most sensitive (${s.kept.length})`,
        `fidelity on the probe pairs: ${describeFidelity(int8.fidelity)}`,
      );
    }
    await fs.promises.rename(temp, output);
    kept = true;
    const size = async (file: string) => (await fs.promises.stat(file)).size + (fs.existsSync(dataFileOf(file)) ? (await fs.promises.stat(dataFileOf(file))).size : 0);
    process.stdout.write(
      `${output}: ${parts.join('; ')}; ${((await size(input)) / 1e6).toFixed(1)} MB -> ` +
        `${((await size(output)) / 1e6).toFixed(1)} MB${outputData ? ` (weights in ${path.basename(outputData)})` : ''} in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await fs.promises.rm(temp, { force: true });
    if (quantize && optimize) {
      await fs.promises.rm(fusedPath, { force: true });
      await fs.promises.rm(dataFileOf(fusedPath), { force: true });
    }
    if (!kept && outputData) await fs.promises.rm(outputData, { force: true });
  }
  return 0;
}

export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'write the int8 ONNX file that --quantize int8 runs',
  help: `Usage: crossrank quantize --input model.onnx --output model_int8.onnx [--optimize]

Writes the int8 model that CrossEncoder.load(dir, { quantize: 'int8' }) runs: MatMul / Gemm weights int8 per output
channel, the classifier head and the first layer's attention projections fp32. The result is scored against the input
on built-in probe pairs with the model's tokenizer (beside the ONNX file or one folder up); when it misses the target,
the MatMuls that hurt most stay fp32, and when that cannot meet it either, nothing is written (exit code 1). The figures
are printed and kept in the file (crossrank info shows them). Weights kept in external data (model.onnx_data) are
written beside the output the same way. Load the result with modelFile.

Options:
${IO_HELP}
      --optimize           fuse each attention block first (QAttention), as { optimize: true, quantize: 'int8' }
      --min-spearman X     lowest Spearman correlation with fp32 on the probe pairs (default ${DEFAULT_TARGET.minSpearman})
      --min-topk-overlap X lowest mean top-10 overlap with fp32 per probe query (default ${DEFAULT_TARGET.minTopKOverlap})
      --weights TYPE       int8 or uint8: the weight type of the CPUs that will run the file (default: this CPU's,
                           uint8 on x86 without VNNI, where ONNX Runtime's int8-weight kernel saturates; int8 on
                           VNNI x86 and ARM). The figures are measured with this CPU's type and hold for both`,
  options: {
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    optimize: { type: 'boolean' },
    weights: { type: 'string' },
    'min-spearman': { type: 'string' },
    'min-topk-overlap': { type: 'string' },
  },
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
