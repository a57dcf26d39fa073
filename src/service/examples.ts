/**
 * Per-example content (review.md §1): JSON Lines decoding, the length check against N, and
 * the content of one row as the pages show it.
 */
import { InputError } from '../core/errors.js';
import type { ExampleContent, Examples } from '../schemas/examples.js';

const FIELDS = [
  ['ids', 'id'],
  ['texts', 'text'],
  ['urls', 'url'],
] as const;

type Row = { id: string; text: string; url: string };

/**
 * One line of a JSON Lines `examples` file (`row` counts from 0): an object with any of
 * `id`, `text`, `url` (strings; numbers are taken as their text; null/absent = empty).
 * Returns the row and which of the keys it had.
 */
export function parseExampleLine(line: string, row: number): { row: Row; has: { id: boolean; text: boolean; url: boolean } } {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    throw new InputError('examples', `examples line ${row + 1} is not valid JSON: ${(e as Error).message}`, { row });
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new InputError('examples', `examples line ${row + 1} must be a JSON object with any of id, text, url`, { row });
  }
  const o = obj as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!FIELDS.some(([, k]) => k === key)) {
      throw new InputError('examples', `examples line ${row + 1} has an unknown key '${key}'; expected id, text, url`, { row });
    }
  }
  const out: Row = { id: '', text: '', url: '' };
  const has = { id: false, text: false, url: false };
  for (const [, key] of FIELDS) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new InputError('examples', `examples line ${row + 1}: ${key} must be a string`, { row });
    }
    out[key] = String(v);
    has[key] = true;
  }
  return { row: out, has };
}

/**
 * Decode a JSON Lines `examples` part: one object per row with any of `id`, `text`, `url`.
 * Trailing blank lines are ignored; a blank line between rows is an error (it would shift
 * every later row).
 */
export function parseExamplesJsonl(text: string): Examples {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const cols: Record<string, string[]> = { ids: [], texts: [], urls: [] };
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    const { row, has } = parseExampleLine(line, i);
    for (const [plural, key] of FIELDS) {
      cols[plural]!.push(row[key]);
      if (has[key]) seen.add(plural);
    }
  });
  const out: Examples = {};
  for (const [plural] of FIELDS) if (seen.has(plural)) out[plural] = cols[plural];
  return out;
}

/** The text of a JSON Lines `examples` file or part: UTF-8 (a BOM is dropped), else 400. */
export function decodeExamplesBytes(bytes: Uint8Array, where = "the 'examples' part"): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError('examples', `${where} is not valid UTF-8; send JSON Lines encoded as UTF-8`);
  }
}

/** Every given array must have one entry per row (400 naming the field otherwise). */
export function checkExamples(examples: Examples | undefined, n: number): void {
  if (!examples) return;
  for (const [plural] of FIELDS) {
    const a = examples[plural];
    if (a !== undefined && a.length !== n) {
      throw new InputError(`examples.${plural}`, `examples.${plural} has ${a.length} entries; expected one per example (N = ${n})`);
    }
  }
}

const isHttp = (u: string): boolean => /^https?:\/\//i.test(u);

/**
 * Row i's content. A relative url becomes `/media/<path>` when the server has a MEDIA_ROOT,
 * else it is shown as text (`path`), never read.
 */
export function exampleContent(examples: Examples | undefined, i: number, mediaRoot: boolean): ExampleContent {
  if (!examples) return {};
  const c: ExampleContent = {};
  const id = examples.ids?.[i];
  const text = examples.texts?.[i];
  const url = examples.urls?.[i];
  if (id) c.id = id;
  if (text) c.text = text;
  if (url) {
    if (isHttp(url)) c.url = url;
    else if (mediaRoot) c.url = '/media/' + url.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
    else c.path = url;
  }
  return c;
}
