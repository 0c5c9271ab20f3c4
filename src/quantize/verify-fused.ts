// The numeric check of a fused graph: it must score padded batches as the source graph does before it is cached.
import { native, type NativeModel, type NativeTokenizer } from '../../binding/native';
import { CrossrankError, fromNative } from '../errors';

/** Largest |logit difference| accepted; the fused kernel differs from the unfused graph by about 1e-5. */
const TOLERANCE = 1e-3;
const WORDS = 'black umbrella found on the bus near station white sneaker size nine blue backpack with straps lost phone case keys red ring'.split(' ');

/**
 * Pairs from 1 to 150 words (cut at 128 tokens, which every BERT's position table holds), scored in one batch so that
 * most rows are padded: the mask must behave as the source's.
 */
function probePairs(): string[] {
  const texts: string[] = [];
  for (let i = 0; i < 24; i++) {
    const words = (n: number, offset: number) => Array.from({ length: n }, (_, k) => WORDS[(k * 7 + offset) % WORDS.length]).join(' ');
    texts.push(words(1 + ((i * 5) % 12), i), words(1 + ((i * 37) % 150), i * 3));
  }
  return texts;
}

async function scoreOnCpu(tokenizer: NativeTokenizer, modelPath: string, numLabelsHint: number, texts: string[]): Promise<Float32Array> {
  let model: NativeModel;
  try {
    model = await native().createModel(tokenizer, {
      modelPath,
      providers: [{ name: 'cpu', options: {} }],
      fallback: false,
      maxLength: 128,
      lengthBucket: 1,
      maxInflightBatches: 1,
      threads: 0,
      numLabelsHint,
      maxBatchTokens: 1 << 20,
      maxBatchSize: texts.length,
      maxQueuedPairs: texts.length,
    });
  } catch (error) {
    throw fromNative(error);
  }
  try {
    return await new Promise<Float32Array>((resolve, reject) =>
      model.score(texts, { maxLength: 128, truncation: 0, activation: 0 }, (error, scores) => (error ? reject(fromNative(error)) : resolve(scores as Float32Array))),
    );
  } finally {
    await new Promise<void>((resolve) => model.close(resolve));
  }
}

/** Throws ERR_NOT_OPTIMIZABLE when `fusedPath` scores the probe pairs differently from `sourcePath` (on CPU). */
export async function verifyFused(tokenizer: NativeTokenizer, sourcePath: string, fusedPath: string, numLabelsHint: number): Promise<void> {
  const texts = probePairs();
  const expected = await scoreOnCpu(tokenizer, sourcePath, numLabelsHint, texts);
  const actual = await scoreOnCpu(tokenizer, fusedPath, numLabelsHint, texts);
  let worst = expected.length === actual.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < expected.length && i < actual.length; i++) worst = Math.max(worst, Math.abs((expected[i] as number) - (actual[i] as number)));
  if (!(worst <= TOLERANCE)) {
    throw new CrossrankError(
      'ERR_NOT_OPTIMIZABLE',
      `optimize: true made a graph that scores differently from the source (max |logit difference| ${worst.toExponential(2)} ` +
        `on padded probe batches, allowed ${TOLERANCE}); its attention blocks are not the pattern crossrank fuses. Load it ` +
        'without the optimize option.',
    );
  }
}
