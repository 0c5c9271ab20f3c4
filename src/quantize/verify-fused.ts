// The numeric check of a fused graph: it must score padded batches as the source graph does before it is cached.
import { CrossrankError } from '../errors';
import type { ProbeScorer } from './probe-scorer';

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

/** Throws ERR_NOT_OPTIMIZABLE when `fusedPath` scores the probe pairs differently from `sourcePath` (on CPU). */
export async function verifyFused(score: ProbeScorer, sourcePath: string, fusedPath: string): Promise<void> {
  const texts = probePairs();
  const expected = await score(sourcePath, texts, true);
  const actual = await score(fusedPath, texts, true);
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
