// Token counts for the usage fields of the responses: each pair as the model sees it, from the library's tokenizer.
import type { CrossEncoder } from '../cross-encoder';
import type { TruncationStrategy } from '../tokenizer';

/** Tokens of each (first, second) pair, special tokens included, each cut at maxLength. */
export async function pairLengths(
  model: CrossEncoder,
  pairs: ReadonlyArray<readonly [string, string]>,
  maxLength: number = model.maxLength,
  truncation: TruncationStrategy = 'longest_first',
): Promise<number[]> {
  const encoded = await model.tokenizer.encodePairs(pairs, { maxLength, truncation });
  return encoded.map((e) => e.ids.length);
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
