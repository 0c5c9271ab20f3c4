// Reads pairs, labeled pairs and documents from JSONL, CSV, TSV and text files, naming the line of any mistake.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from './args';

/** Malformed input file (exit code 2); the message starts with file:line. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(file: string, line: number, what: string) {
    super(`${file}:${line}: ${what}`);
  }
}

export type Pair = [string, string];

export interface PairsInput {
  pairs: Pair[];
  /** 0/1 per pair, when labels were asked for. */
  labels: number[];
}

type Format = 'jsonl' | 'csv' | 'tsv';

/** Column names, in order of preference, for the two texts of a pair. */
const TEXT_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['text1', 'text2'],
  ['query', 'document'],
];

function formatOf(file: string, allowed: readonly string[]): string {
  const ext = path.extname(file).toLowerCase().slice(1);
  const format = ext === 'ndjson' ? 'jsonl' : ext;
  if (!allowed.includes(format)) {
    throw new UsageError(`Cannot tell the format of ${file} from its extension; name it .${allowed.join(', .')}`);
  }
  return format;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `Input file ${file} does not exist` : `Cannot read ${file}: ${(error as Error).message}`);
  }
}

function describeValue(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 60);
}

/** 0 or 1 from a JSON number/boolean or a CSV field; anything else is an InputError. */
function parseLabel(file: string, line: number, value: unknown): number {
  if (value === true || value === false) return value ? 1 : 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (Number.isNaN(n)) throw new InputError(file, line, `label must be a number, 0 or 1, but is ${describeValue(value)}`);
  if (n !== 0 && n !== 1) throw new InputError(file, line, `label must be 0 or 1, but is ${describeValue(value)}`);
  return n;
}

/** Non-empty lines of a text file with their 1-based numbers. */
function* lines(text: string): Generator<[number, string]> {
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const line = (all[i] as string).replace(/\r$/, '');
    if (line.trim() !== '') yield [i + 1, line];
  }
}

function parseJsonLine(file: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(file, line, `not valid JSON (${(error as Error).message})`);
  }
}

function readJsonlPairs(file: string, text: string, withLabels: boolean): PairsInput {
  const out: PairsInput = { pairs: [], labels: [] };
  for (const [line, raw] of lines(text)) {
    const row = parseJsonLine(file, line, raw);
    let pair: unknown[];
    let label: unknown;
    if (Array.isArray(row)) {
      pair = row.slice(0, 2);
      label = row[2];
    } else if (row !== null && typeof row === 'object') {
      const obj = row as Record<string, unknown>;
      const keys = TEXT_KEYS.find(([a, b]) => a in obj || b in obj) ?? (TEXT_KEYS[0] as readonly [string, string]);
      pair = keys.map((k) => obj[k]);
      if (typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        const bad = typeof pair[0] !== 'string' ? keys[0] : keys[1];
        throw new InputError(file, line, `"${bad}" must be a string but is ${describeValue(obj[bad])} (expected {"text1": …, "text2": …} or {"query": …, "document": …})`);
      }
      label = obj.label;
    } else {
      throw new InputError(file, line, `expected an object {"text1": …, "text2": …} or an array [text1, text2], found ${describeValue(row)}`);
    }
    if (typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new InputError(file, line, `expected two strings [text1, text2], found ${describeValue(row)}`);
    }
    out.pairs.push([pair[0], pair[1]]);
    if (withLabels) {
      if (label === undefined) throw new InputError(file, line, 'missing "label"');
      out.labels.push(parseLabel(file, line, label));
    }
  }
  return out;
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

function readDelimitedPairs(file: string, text: string, format: 'csv' | 'tsv', withLabels: boolean, header: boolean): PairsInput {
  let rows: CsvRow[];
  try {
    rows = parseCsv(text, {
      delimiter: format === 'tsv' ? '\t' : ',',
      // TSV files (MS MARCO's, for one) do not quote: a '"' there is text.
      quote: format === 'tsv' ? false : '"',
      record_delimiter: ['\r\n', '\n'],
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as CsvRow[];
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new InputError(file, e.lines ?? 0, e.message.replace(/ (at|on) line \d+/, ''));
  }
  // csv-parse reports the line a record ends on; a quoted field may span lines.
  const startLine = (row: CsvRow): number => row.info.lines - row.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
  let columns = withLabels ? [0, 1, 2] : [0, 1];
  let body = rows;
  const first = rows[0];
  if (header && first) {
    body = rows.slice(1);
    const names = first.record.map((n) => n.trim().toLowerCase());
    const keys = TEXT_KEYS.find(([a, b]) => names.includes(a) && names.includes(b));
    if (keys) columns = [names.indexOf(keys[0]), names.indexOf(keys[1])];
    if (withLabels) {
      const label = names.indexOf('label');
      // Without a "label" header, the third column is the label only when the columns are taken by position.
      columns[2] = label >= 0 ? label : keys ? -1 : 2;
      if (columns[2] < 0 || columns[2] >= names.length) {
        throw new InputError(file, startLine(first), `no label column: the header names ${names.join(', ')}; add a "label" column`);
      }
    }
  }
  const out: PairsInput = { pairs: [], labels: [] };
  const needed = Math.max(...columns) + 1;
  for (const row of body) {
    const line = startLine(row);
    if (row.record.length < needed) {
      throw new InputError(file, line, `expected at least ${needed} columns but found ${row.record.length}`);
    }
    const field = (i: number): string => row.record[columns[i] as number] as string;
    out.pairs.push([field(0), field(1)]);
    if (withLabels) out.labels.push(parseLabel(file, line, field(2)));
  }
  return out;
}

/** Pairs (and labels when asked) from .jsonl, .csv or .tsv; CSV/TSV have a header row unless `header` is false. */
export function readPairs(file: string, options: { labels: boolean; header: boolean }): PairsInput {
  const format = formatOf(file, ['jsonl', 'csv', 'tsv']) as Format;
  const text = readText(file);
  return format === 'jsonl'
    ? readJsonlPairs(file, text, options.labels)
    : readDelimitedPairs(file, text, format, options.labels, options.header);
}

/** Documents from .txt (one per non-blank line) or .jsonl (a JSON string or {"text": …} per line). */
export function readDocuments(file: string): string[] {
  const format = formatOf(file, ['txt', 'jsonl']);
  const text = readText(file);
  const docs: string[] = [];
  for (const [line, raw] of lines(text)) {
    if (format === 'txt') {
      docs.push(raw);
      continue;
    }
    const row = parseJsonLine(file, line, raw);
    const doc = typeof row === 'string' ? row : row !== null && typeof row === 'object' ? (row as Record<string, unknown>).text : undefined;
    if (typeof doc !== 'string') throw new InputError(file, line, `expected a JSON string or {"text": "…"}, found ${describeValue(row)}`);
    docs.push(doc);
  }
  return docs;
}
