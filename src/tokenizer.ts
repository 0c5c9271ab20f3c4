// Public tokenizer API: the same C++ tokenizer the scorer uses, for inspection and tests.
import { native, type NativeTokenizer } from '../binding/native';
import { fromNative } from './errors';
import { type LoadedTokenizerSpec, loadTokenizerDir, loadTokenizerJson } from './tokenizer-config';
import * as v from './validate';

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

export interface EncodeOptions {
  /** Longest pair, special tokens included. Default: the model folder's (see LoadOptions.maxLength), else 512. */
  maxLength?: number;
  /** How a pair longer than maxLength is cut. Default 'longest_first'. */
  truncation?: TruncationStrategy;
}

export interface EncodedPair {
  ids: Int32Array;
  typeIds: Int32Array;
}

const STRATEGIES: readonly TruncationStrategy[] = ['longest_first', 'only_first', 'only_second'];
const MAX_LENGTH_LIMIT = 1_000_000;

export class Tokenizer {
  /** The native object the scoring engine takes. */
  readonly nativeTokenizer: NativeTokenizer;
  readonly defaultMaxLength: number;

  private constructor(nativeTokenizer: NativeTokenizer, defaultMaxLength: number) {
    this.nativeTokenizer = nativeTokenizer;
    this.defaultMaxLength = defaultMaxLength;
  }

  /** Loads a tokenizer.json of any supported family (its saved truncation and padding are ignored). */
  static async fromFile(file: string): Promise<Tokenizer> {
    return Tokenizer.create(await loadTokenizerJson(v.nonEmptyString('file', file)));
  }

  /** Loads tokenizer.json from a model folder, or vocab.txt + tokenizer_config.json when there is no tokenizer.json. */
  static async fromModelDir(dir: string): Promise<Tokenizer> {
    return Tokenizer.create(await loadTokenizerDir(v.nonEmptyString('dir', dir)));
  }

  private static async create({ file, spec, defaultMaxLength }: LoadedTokenizerSpec): Promise<Tokenizer> {
    try {
      return new Tokenizer(await native().createTokenizer(spec), defaultMaxLength);
    } catch (error) {
      if (error instanceof Error) error.message = `${file}: ${error.message}`;
      throw fromNative(error);
    }
  }

  /** [CLS] a [SEP] b [SEP], truncated; throws ERR_TRUNCATION where Hugging Face tokenizers would. */
  encodePair(a: string, b: string, options?: EncodeOptions): EncodedPair {
    v.string('a', a);
    v.string('b', b);
    const { maxLength, truncation } = this.resolve(options);
    try {
      return this.nativeTokenizer.encodePair(a, b, maxLength, truncation);
    } catch (error) {
      throw fromNative(error, new Error());
    }
  }

  /** Encodes many pairs on the libuv threadpool; rejects with the first pair's error if any fails. */
  async encodePairs(pairs: readonly (readonly [string, string])[], options?: EncodeOptions): Promise<EncodedPair[]> {
    if (!Array.isArray(pairs)) throw v.typeError('pairs', 'an array of [string, string]', pairs);
    const firsts: string[] = [];
    const seconds: string[] = [];
    pairs.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw v.typeError(`pairs[${i}]`, 'a [string, string]', pair);
      firsts.push(v.string(`pairs[${i}][0]`, pair[0]));
      seconds.push(v.string(`pairs[${i}][1]`, pair[1]));
    });
    const { maxLength, truncation } = this.resolve(options);
    const callSite = new Error();
    const results = await this.nativeTokenizer.encodePairs(firsts, seconds, maxLength, truncation);
    return results.map((r) => {
      if (r instanceof Error) throw fromNative(r, callSite);
      return r;
    });
  }

  private resolve(options: EncodeOptions | undefined): { maxLength: number; truncation: TruncationStrategy } {
    const o = v.options('options', options, ['maxLength', 'truncation'] as const);
    return {
      maxLength: v.optionalInteger('options.maxLength', o.maxLength, 3, MAX_LENGTH_LIMIT) ?? this.defaultMaxLength,
      truncation: o.truncation === undefined ? 'longest_first' : v.oneOf('options.truncation', o.truncation, STRATEGIES),
    };
  }
}
