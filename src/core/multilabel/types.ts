/**
 * Multi-label inputs (spec multilabel-and-multiannotator.md Part A, A1): the labels of
 * example i are a list of class indices (possibly empty), stored in CSR form; the one-hot
 * matrix Y[i][c] = 1 iff c is in list i (duplicates ignored).
 */
import { InputError } from '../errors.js';

/** Row i's classes are values[offsets[i] .. offsets[i+1]). Same shape as src/io's LabelLists. */
export interface LabelLists {
  readonly offsets: Int32Array;
  readonly values: Int32Array;
  readonly n: number;
}

/** Build CSR label lists from nested arrays (tests, CLI). */
export function labelListsFromArrays(lists: readonly (readonly number[])[]): LabelLists {
  const n = lists.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += lists[i]!.length;
    offsets[i + 1] = total;
  }
  const values = new Int32Array(total);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (const v of lists[i]!) {
      if (!Number.isInteger(v) || v < 0) {
        throw new InputError('labels', `labels[${i}] contains ${v}; class indices must be non-negative integers`, { row: i });
      }
      values[o++] = v;
    }
  }
  return { offsets, values, n };
}

/** Label lists of a one-hot (0/1) N×K matrix, e.g. a multipart `.npy` labels matrix. */
export function labelListsFromOneHot(onehot: ArrayLike<number>, n: number, k: number, field = 'labels'): LabelLists {
  if (onehot.length !== n * k) throw new RangeError(`labelListsFromOneHot: ${onehot.length} values, expected ${n}×${k}`);
  const offsets = new Int32Array(n + 1);
  const tmp: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const v = onehot[i * k + c]!;
      if (v === 1) tmp.push(c);
      else if (v !== 0) {
        throw new InputError(field, `${field}[${i}][${c}] is ${v}; a one-hot label matrix may only contain 0 and 1`, { row: i, column: c });
      }
    }
    offsets[i + 1] = tmp.length;
  }
  return { offsets, values: Int32Array.from(tmp), n };
}

/** Largest class index in any list, or -1 if every list is empty. */
export function maxClass(labels: LabelLists): number {
  let mx = -1;
  for (const v of labels.values) if (v > mx) mx = v;
  return mx;
}

/** One-hot N×K matrix (row-major Uint8Array). Classes ≥ K are an error. */
export function oneHot(labels: LabelLists, k: number): Uint8Array {
  const { offsets, values, n } = labels;
  const y = new Uint8Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
      const c = values[j]!;
      if (c >= k || c < 0) {
        throw new InputError('labels', `labels[${i}] contains class ${c}, but pred_probs has ${k} columns (classes 0..${k - 1})`, {
          row: i,
        });
      }
      y[i * k + c] = 1;
    }
  }
  return y;
}

/** The classes of row i as a sorted, de-duplicated array (from the one-hot matrix). */
export function classesOfRow(y: Uint8Array, k: number, i: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < k; c++) if (y[i * k + c] === 1) out.push(c);
  return out;
}
