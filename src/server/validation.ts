// Request-body checks at the edge: one message format ("Expected X for FIELD but received V"), 422 for a bad field.
import { describe } from '../validate';
import { HttpError } from './http-error';

export type Body = Record<string, unknown>;

export interface Limits {
  /** Documents (or pairs) per request at most; more is answered 413. */
  maxDocuments: number;
}

function invalid(field: string, expected: string, value: unknown): HttpError {
  return new HttpError(422, 'validation', `Expected ${expected} for ${field} but received ${describe(value)}`);
}

/** The parsed JSON body must be an object. */
export function object(value: unknown): Body {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('the request body', 'a JSON object', value);
  return value as Body;
}

export function nonEmptyString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw invalid(field, 'a string', value);
  if (value.trim() === '') throw invalid(field, 'a non-empty string', value);
  return value;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(field, 'a boolean', value);
  return value;
}

export function optionalInteger(body: Body, field: string, min: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalid(field, `an integer of at least ${min}`, value);
  return value;
}

/** One of `allowed`, compared without case (TEI's clients send both "right" and "Right"). */
export function optionalChoice<T extends string>(body: Body, field: string, allowed: readonly T[]): T | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const match = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  if (match === undefined) throw invalid(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return match;
}

function checkCount(field: string, count: number, limits: Limits): void {
  if (count === 0) throw new HttpError(422, 'validation', `Expected a non-empty array for ${field} but received an array of length 0`);
  if (count > limits.maxDocuments) {
    throw new HttpError(413, 'payload_too_large', `${field} holds ${count} items; this server takes at most ${limits.maxDocuments} per request`);
  }
}

/** A non-empty array of strings, at most limits.maxDocuments long. */
export function strings(body: Body, field: string, limits: Limits): string[] {
  const value = body[field];
  if (!Array.isArray(value)) throw invalid(field, 'an array of strings', value);
  checkCount(field, value.length, limits);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw invalid(`${field}[${i}]`, 'a string', item);
  });
  return value as string[];
}

/** Cohere's documents: strings or objects with a string `text`; returns the texts and the documents as given. */
export function documents(body: Body, field: string, limits: Limits): { texts: string[]; items: unknown[] } {
  const value = body[field];
  if (!Array.isArray(value)) throw invalid(field, 'an array of strings or { text } objects', value);
  checkCount(field, value.length, limits);
  const texts = value.map((item: unknown, i) => {
    if (typeof item === 'string') return item;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const text = (item as Body).text;
      if (typeof text === 'string') return text;
      throw invalid(`${field}[${i}].text`, 'a string', text);
    }
    throw invalid(`${field}[${i}]`, 'a string or a { text } object', item);
  });
  return { texts, items: value };
}

/** A string, or a non-empty array of strings (vLLM's text_1 / text_2). */
export function stringOrStrings(body: Body, field: string, limits: Limits): string | string[] {
  const value = body[field];
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw invalid(field, 'a string or an array of strings', value);
  return strings(body, field, limits);
}
