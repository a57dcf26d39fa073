/** Flat K×K helpers: nested arrays (the API's matrices) ⇄ flat row-major Float64Arrays. */
import { InputError } from '../errors.js';
import type { Matrix } from '../types.js';

/** Nested-array matrix from a flat row-major K×K buffer. */
export function toMatrix(flat: ArrayLike<number>, k: number): Matrix {
  const out: Matrix = new Array(k);
  for (let i = 0; i < k; i++) {
    const row: number[] = new Array(k);
    const o = i * k;
    for (let j = 0; j < k; j++) row[j] = flat[o + j]!;
    out[i] = row;
  }
  return out;
}

/** Flat row-major copy of a square nested-array matrix (throws InputError if not square). */
export function fromMatrix(m: Matrix, field = 'confident_joint', expectedK?: number): { flat: Float64Array; k: number } {
  const k = m.length;
  if (expectedK !== undefined && k !== expectedK) {
    throw new InputError(field, `${field} must be ${expectedK}×${expectedK} (one row and column per class); got ${k} rows.`);
  }
  const flat = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    const row = m[i];
    if (!row || row.length !== k) {
      throw new InputError(field, `${field} must be a square matrix; row ${i} has ${row ? row.length : 0} entries, expected ${k}.`, {
        row: i,
      });
    }
    for (let j = 0; j < k; j++) flat[i * k + j] = row[j]!;
  }
  return { flat, k };
}

function transposeFlat(a: Float64Array, k: number): Float64Array {
  const t = new Float64Array(k * k);
  const B = 32; // tiles: both sides stay in cache for large K
  for (let i0 = 0; i0 < k; i0 += B) {
    const i1 = Math.min(k, i0 + B);
    for (let j0 = 0; j0 < k; j0 += B) {
      const j1 = Math.min(k, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * k + i] = a[i * k + j]!;
    }
  }
  return t;
}
