/**
 * Decode the big arrays of a parsed JSON request body into typed arrays, in one pass and
 * without per-element schema validation (zod only sees the small options). Each decoder
 * checks structure and element types and throws InputError with the first offending
 * row/column; value rules (ranges, row sums, label range) are validate.ts's job.
 */
import { InputError } from '../core/errors.js';
import type { ProbMatrix } from '../core/types.js';
import { checkCells, checkMatrixSize } from './limits.js';
import { describeValue } from './validate.js';

/** Sentinel for a missing entry (JSON null) in an integer matrix. */
export const MISSING = -1;

function notArray(field: string, what: string, value: unknown): InputError {
  return new InputError(field, `${field} must be ${what}; got ${describeValue(value)}`);
}

/**
 * `number[N][K]` → row-major Float64Array ProbMatrix. Rejects a non-array, an empty array,
 * a non-array row, ragged rows and non-number elements. (JSON.parse turns 1e999 into
 * Infinity; validatePredProbs rejects it.)
 */
/** Row r of a JSON matrix: an array of exactly `width` entries (named `unit` in the message). */
function matrixRow(field: string, value: unknown[], r: number, width: number, unit: string): unknown[] {
  const row: unknown = value[r];
  if (!Array.isArray(row)) {
    throw new InputError(field, `${field}[${r}] is ${describeValue(row)}, expected an array of ${width} ${unit}`, { row: r });
  }
  if (row.length !== width) {
    throw new InputError(
      field,
      `${field} row ${r} has ${row.length} value${row.length === 1 ? '' : 's'}; expected ${width} (the length of row 0)`,
      { row: r },
    );
  }
  return row;
}

export function decodePredProbs(value: unknown, field = 'pred_probs'): ProbMatrix {
  if (!Array.isArray(value)) throw notArray(field, 'an array of rows (number[N][K])', value);
  const n = value.length;
  if (n === 0) throw new InputError(field, `${field} is empty: it needs at least one row (one per example)`);
  const first: unknown = value[0];
  if (!Array.isArray(first)) {
    throw new InputError(
      field,
      `${field}[0] is ${describeValue(first)}, expected an array of K probabilities (${field} is number[N][K], one row per example)`,
      { row: 0 },
    );
  }
  const k = first.length;
  checkMatrixSize(field, n, k);
  const data = new Float64Array(n * k);
  let o = 0;
  for (let r = 0; r < n; r++) {
    const row = matrixRow(field, value, r, k, 'numbers');
    for (let c = 0; c < k; c++) {
      const v: unknown = row[c];
      if (typeof v !== 'number') {
        throw new InputError(field, `${field}[${r}][${c}] is ${describeValue(v)}, expected a number`, {
          row: r,
          column: c,
        });
      }
      data[o++] = v;
    }
  }
  return { data, n, k };
}

/**
 * `int[N]` → Float64Array of the raw numbers (exact for every integer up to 2^53, so a
 * huge label is reported as out of range later, not wrapped). Element types are checked
 * here (booleans, strings, null, arrays rejected); integer-ness and the [0, K) range are
 * checked by toLabels, which needs K.
 */
export function decodeLabels(value: unknown, field = 'labels'): Float64Array {
  if (!Array.isArray(value)) throw notArray(field, 'an array of integer class labels (int[N])', value);
  const n = value.length;
  if (n === 0) throw new InputError(field, `${field} is empty: it needs one label per example (N >= 1)`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number') {
      const hint = typeof v === 'string' ? ' (labels are class indices; use class_names for names)' : '';
      throw new InputError(field, `${field}[${i}] is ${describeValue(v)}, expected an integer class index${hint}`, {
        row: i,
      });
    }
    out[i] = v;
  }
  return out;
}

function checkIntEntry(
  v: number,
  field: string,
  path: string,
  where: { row: number; column?: number },
  k: number | undefined,
): void {
  if (!Number.isInteger(v)) {
    throw new InputError(field, `${path} = ${v} is not an integer; class labels must be integers`, where);
  }
  if (v < 0 || (k !== undefined ? v >= k : v > 0x7fffffff)) {
    const range = k !== undefined ? `[0, ${k})` : 'non-negative';
    throw new InputError(field, `${path} = ${v} is out of range: class labels must be ${range} integers`, where);
  }
}

export interface IntMatrix {
  /** Row-major N×M, MISSING (−1) where the JSON had null. */
  data: Int32Array;
  n: number;
  m: number;
}

/**
 * `(int | null)[N][M]` (e.g. labels from M annotators for N examples; null = not
 * labelled) → row-major Int32Array with MISSING (−1) for null. Entries must be
 * non-negative integers, and < k when k is given. Rows must all have length M >= 1.
 */
export function decodeIntMatrixWithNulls(value: unknown, field: string, opts: { k?: number } = {}): IntMatrix {
  const { k } = opts;
  if (!Array.isArray(value)) throw notArray(field, 'an array of rows ((int | null)[N][M])', value);
  const n = value.length;
  if (n === 0) throw new InputError(field, `${field} is empty: it needs at least one row (one per example)`);
  const first: unknown = value[0];
  if (!Array.isArray(first)) {
    throw new InputError(field, `${field}[0] is ${describeValue(first)}, expected an array (one entry per annotator)`, {
      row: 0,
    });
  }
  const m = first.length;
  if (m === 0) throw new InputError(field, `${field} row 0 is empty; expected at least one column`, { row: 0 });
  checkCells(field, n, m);
  const data = new Int32Array(n * m);
  let o = 0;
  for (let r = 0; r < n; r++) {
    const row = matrixRow(field, value, r, m, 'entries');
    for (let c = 0; c < m; c++) {
      const v: unknown = row[c];
      if (v === null) {
        data[o++] = MISSING;
        continue;
      }
      if (typeof v !== 'number') {
        throw new InputError(
          field,
          `${field}[${r}][${c}] is ${describeValue(v)}, expected an integer class label or null (missing)`,
          { row: r, column: c },
        );
      }
      checkIntEntry(v, field, `${field}[${r}][${c}]`, { row: r, column: c }, k);
      data[o++] = v;
    }
  }
  return { data, n, m };
}

export interface LabelLists {
  /** Row i's labels are values[offsets[i] .. offsets[i+1]). Length n + 1. */
  offsets: Int32Array;
  values: Int32Array;
  n: number;
}

/**
 * `int[N][]` (multi-label: the list of classes of each example; lists may be empty) →
 * CSR form. Entries must be non-negative integers (and < k when k is given). Order and
 * duplicates within a list are kept as given.
 */
export function decodeLabelLists(value: unknown, field = 'labels', opts: { k?: number } = {}): LabelLists {
  const { k } = opts;
  if (!Array.isArray(value)) throw notArray(field, 'an array of label lists (int[N][])', value);
  const n = value.length;
  if (n === 0) throw new InputError(field, `${field} is empty: it needs one list of labels per example (N >= 1)`);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const list: unknown = value[i];
    if (!Array.isArray(list)) {
      const hint = typeof list === 'number' ? ` (write [${list}] for a single label)` : '';
      throw new InputError(
        field,
        `${field}[${i}] is ${describeValue(list)}, expected a list of class indices${hint}`,
        { row: i },
      );
    }
    total += list.length;
    offsets[i + 1] = total;
  }
  const values = new Int32Array(total);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const list = value[i] as unknown[];
    for (let j = 0; j < list.length; j++) {
      const v = list[j];
      if (typeof v !== 'number') {
        throw new InputError(field, `${field}[${i}][${j}] is ${describeValue(v)}, expected an integer class index`, {
          row: i,
          column: j,
        });
      }
      checkIntEntry(v, field, `${field}[${i}][${j}]`, { row: i, column: j }, k);
      values[o++] = v;
    }
  }
  return { offsets, values, n };
}
