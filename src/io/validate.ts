/**
 * Input validation for the classification inputs (api.md §1) — the ONE module every entry
 * point uses (HTTP JSON, multipart .npy, Arrow, CLI, jobs). Every failure throws
 * InputError(field, message, {row, column}) for the FIRST offending row (then column),
 * with a message a notebook user understands.
 *
 * Rules:
 *  - N >= 1 rows, K >= 2 columns, every row has K values (typed-array inputs are
 *    rectangular by construction; ragged JSON rows are caught by json.ts).
 *  - Every value is finite and within [0, 1]. Tolerance: like cleanlab's own check (V11,
 *    `min >= -1e-6 and max <= 1 + 1e-6`) we accept values in [-1e-6, 1 + 1e-6], so float32
 *    round-off of a softmax never fails a request that cleanlab would accept. Values are
 *    passed through unchanged (no clipping). NaN and ±Infinity are always rejected (cleanlab
 *    lets NaN through because comparisons with NaN are false; we do not).
 *  - Each row sums to 1 within 1e-3 (|sum − 1| <= 1e-3, summed in float64).
 *  - labels: integers (integer-valued numbers; 1.5 is rejected) in [0, K); same N as
 *    pred_probs. 64-bit integers are checked as bigints, so 2^40 is out of range, not wrapped.
 *  - class_names (optional): an array of K strings.
 * Rules the engine applies itself (e.g. cleanlab's "at least 2 distinct labels") are not
 * repeated here.
 */
import { InputError } from '../core/errors.js';
import type { ProbMatrix } from '../core/types.js';
import { limits } from './limits.js';

/** Lower/upper bounds accepted for a probability (cleanlab's V11 tolerance). */
export const PROB_MIN = -1e-6;
export const PROB_MAX = 1 + 1e-6;
/** Allowed |row sum − 1|. */
export const ROW_SUM_TOLERANCE = 1e-3;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Anything that can hold label values: plain arrays, any typed array, 64-bit typed arrays. */
export type LabelSource = ArrayLike<number> | BigInt64Array | BigUint64Array;

export interface ClassificationInput {
  labels: Int32Array;
  predProbs: ProbMatrix;
  classNames?: string[];
}

/** Field names used in messages; override when the arrays sit inside another object. */
export interface ClassificationFields {
  labels?: string;
  predProbs?: string;
  classNames?: string;
}

/** Short, readable rendering of a number for messages (7 significant digits). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  return String(Number(v.toPrecision(7)));
}

function formatSum(s: number): string {
  // Make sure a sum that fails the tolerance never prints as one that passes it.
  let t = formatNumber(s);
  if (Math.abs(Number(t) - 1) <= ROW_SUM_TOLERANCE) t = String(s);
  return t;
}

export interface ValidatePredProbsOptions {
  /** Check that every row sums to 1 (default true; false for multi-label pred_probs). */
  rowSums?: boolean;
  /** Minimum number of columns (default 2). */
  minColumns?: number;
  /**
   * Row number of the first row of `pp` in the whole input (default 0): messages and
   * InputError.row name rows of the whole input when a chunk of it is validated.
   */
  rowOffset?: number;
}

/**
 * Validate the shape and every value of an N×K probability matrix in one pass.
 * Throws InputError for the first offending row (and column).
 */
export function validatePredProbs(pp: ProbMatrix, field = 'pred_probs', opts: ValidatePredProbsOptions = {}): void {
  const { n, k, data } = pp;
  const minColumns = opts.minColumns ?? 2;
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(k) || n < 0 || k < 0 || data.length !== n * k) {
    throw new InputError(field, `${field} holds ${data.length} values, which is not ${n} rows × ${k} columns`);
  }
  if (n < 1) {
    throw new InputError(field, `${field} is empty: it needs at least one row (one per example)`);
  }
  if (k < minColumns) {
    throw new InputError(
      field,
      `${field} has ${k} column${k === 1 ? '' : 's'}; it needs at least ${minColumns} (one column per class, K >= ${minColumns})`,
    );
  }
  const checkSums = opts.rowSums ?? true;
  const bad = firstBadRow(data, n, k, checkSums);
  if (bad < 0) return;
  // Slow path: explain the first offending row (a value first, else its sum).
  const row = bad + (opts.rowOffset ?? 0);
  let s = 0;
  for (let c = 0; c < k; c++) {
    const v = data[bad * k + c]!;
    if (!(v >= PROB_MIN && v <= PROB_MAX)) throw valueError(field, row, c, v);
    s += v;
  }
  throw new InputError(field, `${field} row ${row} sums to ${formatSum(s)}; rows must sum to 1 within 1e-3`, { row });
}

/**
 * Kernel: index of the first row with a value outside [PROB_MIN, PROB_MAX] (or NaN) or a
 * bad sum; −1 if none. Three textually identical copies so that each call site stays
 * monomorphic in V8 (one shared function seeing both array types runs ~1.7× slower).
 */
function firstBadRow(data: ArrayLike<number>, n: number, k: number, checkSums: boolean): number {
  if (data instanceof Float32Array) return firstBadRow32(data, n, k, checkSums);
  if (data instanceof Float64Array) return firstBadRow64(data, n, k, checkSums);
  return firstBadRowAny(data, n, k, checkSums);
}

function firstBadRow32(data: Float32Array, n: number, k: number, checkSums: boolean): number {
  const lo = PROB_MIN;
  const hi = PROB_MAX;
  const tol = ROW_SUM_TOLERANCE;
  let i = 0;
  for (let r = 0; r < n; r++) {
    let s = 0;
    const end = i + k;
    for (; i < end; i++) {
      const v = data[i]!;
      // NaN fails both comparisons.
      if (!(v >= lo && v <= hi)) return r;
      s += v;
    }
    if (checkSums && !(Math.abs(s - 1) <= tol)) return r;
  }
  return -1;
}

function firstBadRow64(data: Float64Array, n: number, k: number, checkSums: boolean): number {
  const lo = PROB_MIN;
  const hi = PROB_MAX;
  const tol = ROW_SUM_TOLERANCE;
  let i = 0;
  for (let r = 0; r < n; r++) {
    let s = 0;
    const end = i + k;
    for (; i < end; i++) {
      const v = data[i]!;
      // NaN fails both comparisons.
      if (!(v >= lo && v <= hi)) return r;
      s += v;
    }
    if (checkSums && !(Math.abs(s - 1) <= tol)) return r;
  }
  return -1;
}

function firstBadRowAny(data: ArrayLike<number>, n: number, k: number, checkSums: boolean): number {
  const lo = PROB_MIN;
  const hi = PROB_MAX;
  const tol = ROW_SUM_TOLERANCE;
  let i = 0;
  for (let r = 0; r < n; r++) {
    let s = 0;
    const end = i + k;
    for (; i < end; i++) {
      const v = data[i]!;
      // NaN fails both comparisons.
      if (!(v >= lo && v <= hi)) return r;
      s += v;
    }
    if (checkSums && !(Math.abs(s - 1) <= tol)) return r;
  }
  return -1;
}

function valueError(field: string, row: number, column: number, v: number): InputError {
  const why = Number.isFinite(v)
    ? `is outside [0, 1]; probabilities must be between 0 and 1`
    : `is not a finite number; probabilities must be finite numbers between 0 and 1`;
  return new InputError(field, `${field}[${row}][${column}] = ${formatNumber(v)} ${why}`, { row, column });
}

function labelRangeMessage(field: string, k: number): string {
  return `${field} must be integers in [0, ${k}) for ${k} columns of pred_probs`;
}

/**
 * Check class labels and return them as an Int32Array. Accepts any array-like of numbers
 * (an Int32Array is returned as is, after checking — no copy) or a BigInt64Array /
 * BigUint64Array (int64 .npy/Arrow labels). Every value must be an integer in [0, k).
 * When `n` is given, the length must be n (the number of pred_probs rows). `rowOffset`:
 * the index of values[0] in the whole input (a chunk), for messages and InputError.row;
 * `rowsField`: what the n rows belong to, for the length message (default `pred_probs`).
 */
export function toLabels(
  values: LabelSource,
  k: number,
  field = 'labels',
  n?: number,
  opts: { rowOffset?: number; rowsField?: string } = {},
): Int32Array {
  const len = values.length;
  const off = opts.rowOffset ?? 0;
  if (n !== undefined && len !== n) {
    const rows = opts.rowsField ?? 'pred_probs';
    throw new InputError(
      field,
      `${field} has ${len} value${len === 1 ? '' : 's'} but ${rows} has ${n} row${n === 1 ? '' : 's'}; they must have the same length N`,
    );
  }
  if (len < 1) throw new InputError(field, `${field} is empty: it needs one label per example (N >= 1)`);
  // The first bad label: `shown` is its value as written in the message.
  const bad = (i: number, shown: string, problem = 'is out of range'): InputError =>
    new InputError(field, `${field}[${i + off}] = ${shown} ${problem}: ${labelRangeMessage(field, k)}`, { row: i + off });
  if ((values instanceof BigInt64Array || values instanceof BigUint64Array) && !LITTLE_ENDIAN) {
    const bk = BigInt(k);
    const out = new Int32Array(len);
    for (let i = 0; i < len; i++) {
      const v = values[i]!;
      if (v < 0n || v >= bk) throw bad(i, String(v));
      out[i] = Number(v);
    }
    return out;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Read each 64-bit value as two 32-bit words (little-endian platform): in range iff the
    // high word is 0 and the low word is in [0, k). Avoids a BigInt per element.
    const words = new Int32Array(values.buffer, values.byteOffset, 2 * len);
    const out = new Int32Array(len);
    for (let i = 0; i < len; i++) {
      const lo = words[2 * i]!;
      if (words[2 * i + 1] !== 0 || lo < 0 || lo >= k) throw bad(i, String(values[i]));
      out[i] = lo;
    }
    return out;
  }
  const src = values as ArrayLike<number>;
  const out = src instanceof Int32Array ? src : new Int32Array(len);
  for (let i = 0; i < len; i++) {
    const v = src[i]!;
    if (typeof v !== 'number') throw labelTypeError(field, i + off, v, k);
    if (!(v >= 0 && v < k && Math.floor(v) === v)) {
      throw bad(i, formatNumber(v), Number.isFinite(v) && Math.floor(v) !== v ? 'is not an integer' : 'is out of range');
    }
    out[i] = v;
  }
  return out;
}

/** Describe a non-number value for a message: `"abc"`, `true`, `null`, `an array`, `an object`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

function labelTypeError(field: string, i: number, v: unknown, k: number): InputError {
  const hint = typeof v === 'string' ? '; labels are class indices (use class_names for names)' : '';
  return new InputError(
    field,
    `${field}[${i}] is ${describeValue(v)}, expected an integer class index in [0, ${k})${hint}`,
    { row: i },
  );
}

/** Validate optional class names: an array of exactly k strings. */
export function validateClassNames(value: unknown, k: number, field = 'class_names'): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new InputError(field, `${field} must be an array of ${k} strings (one name per class); got ${describeValue(value)}`);
  }
  if (value.length !== k) {
    throw new InputError(
      field,
      `${field} has ${value.length} name${value.length === 1 ? '' : 's'} but pred_probs has ${k} columns; give one name per class`,
    );
  }
  const maxLength = limits().maxClassNameLength;
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') {
      throw new InputError(field, `${field}[${i}] is ${describeValue(value[i])}, expected a string`, { row: i });
    }
    if ((value[i] as string).length > maxLength) {
      throw new InputError(
        field,
        `${field}[${i}] is ${(value[i] as string).length.toLocaleString('en-US')} characters long; names may have at most ${maxLength.toLocaleString('en-US')} (MAX_CLASS_NAME_LENGTH)`,
        { row: i },
      );
    }
  }
  return value as string[];
}

/**
 * Validate the shared classification inputs (api.md §1) and return them in engine form.
 * Order of checks: pred_probs shape (N >= 1, K >= 2) → labels length = N → class_names →
 * labels values → pred_probs values. `labels` may alias the input (Int32Array input).
 */
export function validateClassificationInput(
  input: { labels: LabelSource; predProbs: ProbMatrix; classNames?: unknown },
  fields: ClassificationFields = {},
): ClassificationInput {
  const lf = fields.labels ?? 'labels';
  const pf = fields.predProbs ?? 'pred_probs';
  const cf = fields.classNames ?? 'class_names';
  const { predProbs } = input;
  const { n, k } = predProbs;
  if (n < 1) throw new InputError(pf, `${pf} is empty: it needs at least one row (one per example)`);
  if (k < 2) {
    throw new InputError(
      pf,
      `${pf} has ${k} column${k === 1 ? '' : 's'}; it needs at least 2 (one column per class, K >= 2)`,
    );
  }
  if (input.labels.length !== n) {
    const len = input.labels.length;
    throw new InputError(
      lf,
      `${lf} has ${len} value${len === 1 ? '' : 's'} but ${pf} has ${n} row${n === 1 ? '' : 's'}; they must have the same length N`,
    );
  }
  const classNames = validateClassNames(input.classNames, k, cf);
  const labels = toLabels(input.labels, k, lf);
  validatePredProbs(predProbs, pf);
  return classNames === undefined ? { labels, predProbs } : { labels, predProbs, classNames };
}
