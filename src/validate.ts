// Front-door validation: one message format, "Expected X for NAME but received V".
import { CrossrankRangeError, CrossrankTypeError } from './errors';

/** Describes a received value for error messages without dumping huge strings or objects. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `${JSON.stringify(shown)} of type string`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} of type ${typeof value}`;
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

export function typeError(name: string, expected: string, value: unknown): CrossrankTypeError {
  return new CrossrankTypeError('ERR_INVALID_ARG_TYPE', `Expected ${expected} for ${name} but received ${describe(value)}`);
}

export function rangeError(name: string, expected: string, value: unknown): CrossrankRangeError {
  return new CrossrankRangeError('ERR_OUT_OF_RANGE', `Expected ${expected} for ${name} but received ${describe(value)}`);
}

/** Returns the options object (or {}) after rejecting anything but a plain object and unknown keys. */
export function options<K extends string>(name: string, value: unknown, known: readonly K[]): Partial<Record<K, unknown>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError(name, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!(known as readonly string[]).includes(key)) {
      throw new CrossrankTypeError(
        'ERR_UNKNOWN_OPTION',
        `Unknown option ${name}.${key}; known options are: ${known.join(', ')}`,
      );
    }
  }
  return value as Partial<Record<K, unknown>>;
}

export function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(name, 'an integer', value);
  if (value < min || value > max) throw rangeError(name, `an integer from ${min} to ${max}`, value);
  return value;
}

export function optionalInteger(name: string, value: unknown, min: number, max: number): number | undefined {
  return value === undefined ? undefined : integer(name, value, min, max);
}

export function string(name: string, value: unknown): string {
  if (typeof value !== 'string') throw typeError(name, 'a string', value);
  return value;
}

export function nonEmptyString(name: string, value: unknown): string {
  if (string(name, value).length === 0) throw rangeError(name, 'a non-empty string', value);
  return value as string;
}

export function optionalNonEmptyString(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : nonEmptyString(name, value);
}

export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  return value === undefined ? undefined : boolean(name, value);
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw typeError(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw rangeError(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function boolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean', value);
  return value;
}

export function abortSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw typeError(name, 'an AbortSignal', value);
  return value;
}

/** Checks an array of texts, naming the first bad element (holes in sparse arrays included). */
export function texts(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw typeError(name, 'an array of strings', value);
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) throw typeError(`${name}[${i}]`, 'a string', undefined);
    if (typeof value[i] !== 'string') throw typeError(`${name}[${i}]`, 'a string', value[i]);
  }
  return value as string[];
}

/** Checks an array of [text, text] pairs and flattens it to a0, b0, a1, b1, ... */
export function pairs(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw typeError(name, 'an array of [string, string] pairs', value);
  const flat = new Array<string>(value.length * 2);
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) throw typeError(`${name}[${i}]`, 'a [string, string] pair', undefined);
    const pair: unknown = value[i];
    if (!Array.isArray(pair) || pair.length !== 2) throw typeError(`${name}[${i}]`, 'a [string, string] pair', pair);
    for (let j = 0; j < 2; j++) {
      if (!(j in pair) || typeof pair[j] !== 'string') throw typeError(`${name}[${i}][${j}]`, 'a string', pair[j]);
    }
    flat[2 * i] = pair[0] as string;
    flat[2 * i + 1] = pair[1] as string;
  }
  return flat;
}
