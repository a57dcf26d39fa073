/**
 * The one JSON parser for request bodies and options texts: JSON.parse after a single
 * byte scan that bounds the nesting depth (MAX_JSON_DEPTH) and rejects `__proto__` keys.
 * JSON.parse itself copes with deep nesting, but every recursive walk after it (zod, our
 * own decoders) would overflow the stack; and a `__proto__` key, copied into an options
 * object, would set its prototype instead of a field — both paths (synchronous and jobs)
 * answer 400 for it instead.
 */
import { InputError } from '../core/errors.js';
import { limits } from './limits.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PROTO = Buffer.from('__proto__');

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Check nesting depth and `__proto__` keys of a JSON text (bytes, UTF-8). Invalid JSON is
 * left for JSON.parse to report. Throws InputError naming `field`.
 */
export function scanJson(bytes: Uint8Array, field: string, maxDepth = limits().maxJsonDepth): void {
  let depth = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        throw new InputError(field, `${field} is nested more than ${maxDepth} levels deep (MAX_JSON_DEPTH)`, { path: field });
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      i++;
      while (i < n && bytes[i] !== QUOTE) {
        if (bytes[i] === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      const len = i - start;
      if (len === 9 || (escaped && len <= 9 * 6)) {
        let j = i + 1;
        while (j < n && isWs(bytes[j]!)) j++;
        if (bytes[j] === 0x3a && isProto(bytes.subarray(start, i), escaped)) {
          throw new InputError(field, `${field} has a "__proto__" key, which is not accepted`, { path: field });
        }
      }
    }
  }
}

function isProto(raw: Uint8Array, escaped: boolean): boolean {
  if (!escaped) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).equals(PROTO);
  try {
    return JSON.parse(`"${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')}"`) === '__proto__';
  } catch {
    return false;
  }
}

/** Parse JSON text (bytes or a string) after `scanJson`; a syntax error is an InputError. */
export function parseJsonSafe(input: Uint8Array | string, field: string, what = `${field}`): unknown {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  scanJson(bytes, field);
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(field, `${what} is not valid JSON: ${(e as Error).message}`, { path: field });
  }
}

/**
 * The same checks for a value parsed elsewhere (a multipart text part that the multipart
 * parser decoded itself because it was sent as application/json): iterative, so a deep
 * value cannot overflow the stack here.
 */
export function checkJsonValue(value: unknown, field: string, maxDepth = limits().maxJsonDepth): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > maxDepth) throw new InputError(field, `${field} is nested more than ${maxDepth} levels deep (MAX_JSON_DEPTH)`, { path: field });
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw new InputError(field, `${field} has a "__proto__" key, which is not accepted`, { path: field });
      const x = (v as Record<string, unknown>)[key];
      if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
    }
  }
}
