/**
 * Small dense linear algebra for K×K matrices (noise matrices): LU decomposition with
 * partial pivoting, inverse, 1-norm and 1-norm condition number.
 *
 * Written out (rather than delegated to ml-matrix) because corrected-accuracy.md §4 fixes
 * the rules exactly: partial pivoting on the largest |entry| of the column (the first one
 * on ties), "singular" means an exactly-zero pivot, and "ill-conditioned" means
 * κ₁ = ‖A‖₁·‖A⁻¹‖₁ > 1e12. ml-matrix's LuDecomposition uses the same pivoting rule;
 * the tests cross-check against it.
 */
import type { Matrix } from './types.js';

export interface LuDecomposition {
  /** Order of the matrix. */
  readonly n: number;
  /** Row-major n×n: strict lower part = L (unit diagonal implied), upper part = U. */
  readonly lu: Float64Array;
  /** perm[i] = row of the original matrix that ended up in row i. */
  readonly perm: Int32Array;
  /** True when some pivot was exactly zero (the matrix is singular). */
  readonly singular: boolean;
}

function checkSquare(a: Matrix): number {
  const n = a.length;
  if (n === 0) throw new RangeError('linalg: empty matrix');
  for (let i = 0; i < n; i++) {
    if (a[i]!.length !== n) throw new RangeError(`linalg: row ${i} has ${a[i]!.length} entries, expected ${n}`);
  }
  return n;
}

/** Doolittle LU with partial pivoting: P·A = L·U. Stops at the first zero pivot. */
export function luDecompose(a: Matrix): LuDecomposition {
  const n = checkSquare(a);
  const lu = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lu[i * n + j] = a[i]![j]!;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let singular = false;
  for (let k = 0; k < n; k++) {
    // Pivot: largest |value| in column k at or below the diagonal; the first on ties.
    let p = k;
    let best = Math.abs(lu[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (!(best > 0)) {
      // Zero (or NaN) pivot: singular.
      singular = true;
      break;
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j]!;
        lu[k * n + j] = lu[p * n + j]!;
        lu[p * n + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
    }
    const pivot = lu[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k]! / pivot;
      lu[i * n + k] = f;
      if (f !== 0) {
        for (let j = k + 1; j < n; j++) lu[i * n + j] = lu[i * n + j]! - f * lu[k * n + j]!;
      }
    }
  }
  return { n, lu, perm, singular };
}

/** Solve A·x = b from a (non-singular) decomposition of A. */
export function luSolve(d: LuDecomposition, b: ArrayLike<number>): Float64Array {
  if (d.singular) throw new RangeError('luSolve: matrix is singular');
  const { n, lu, perm } = d;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = b[perm[i]!]!;
  // Forward substitution with unit-diagonal L.
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let j = 0; j < i; j++) s -= lu[i * n + j]! * x[j]!;
    x[i] = s;
  }
  // Back substitution with U.
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j]! * x[j]!;
    x[i] = s / lu[i * n + i]!;
  }
  return x;
}

/**
 * Inverse of A via LU with partial pivoting; null when a pivot is exactly zero.
 *
 * Noise matrices are mostly zeros, and so are their LU factors: each column of the inverse
 * is solved with the factors' nonzero entries only (row-ordered lists, ascending column, as
 * luSolve visits them). Skipping a zero term subtracts nothing, so the result is
 * bit-identical to the dense substitution — at O(K · nnz) instead of O(K³) (1000×1000: from
 * seconds to milliseconds).
 */
export function inverse(a: Matrix): Matrix | null {
  const d = luDecompose(a);
  if (d.singular) return null;
  const { n, lu, perm } = d;
  // Nonzeros of L (strictly below the diagonal) and U (strictly above), row by row.
  const lStart = new Int32Array(n + 1);
  const uStart = new Int32Array(n + 1);
  let lCount = 0;
  let uCount = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j !== i && lu[i * n + j] !== 0) {
        if (j < i) lCount++;
        else uCount++;
      }
    }
  }
  const lCol = new Int32Array(lCount);
  const lVal = new Float64Array(lCount);
  const uCol = new Int32Array(uCount);
  const uVal = new Float64Array(uCount);
  for (let i = 0, lp = 0, up = 0; i < n; i++) {
    lStart[i] = lp;
    uStart[i] = up;
    for (let j = 0; j < n; j++) {
      const v = lu[i * n + j]!;
      if (j === i || v === 0) continue;
      if (j < i) {
        lCol[lp] = j;
        lVal[lp++] = v;
      } else {
        uCol[up] = j;
        uVal[up++] = v;
      }
    }
    lStart[i + 1] = lp;
    uStart[i + 1] = up;
  }
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const x = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) x[i] = perm[i] === c ? 1 : 0;
    for (let i = 0; i < n; i++) {
      let s = x[i]!;
      for (let p = lStart[i]!, e = lStart[i + 1]!; p < e; p++) s -= lVal[p]! * x[lCol[p]!]!;
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let p = uStart[i]!, e = uStart[i + 1]!; p < e; p++) s -= uVal[p]! * x[uCol[p]!]!;
      x[i] = s / lu[i * n + i]!;
    }
    for (let i = 0; i < n; i++) out[i]![c] = x[i]!;
  }
  return out;
}

/** Matrix 1-norm: the largest absolute column sum. */
export function norm1(a: Matrix): number {
  const n = a.length;
  const m = n === 0 ? 0 : a[0]!.length;
  let best = 0;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i]![j]!);
    if (s > best || Number.isNaN(s)) best = s;
  }
  return best;
}

/** κ₁(A) = ‖A‖₁·‖A⁻¹‖₁ (exact, from the computed inverse). */
export function conditionNumber1(a: Matrix, inv: Matrix): number {
  return norm1(a) * norm1(inv);
}

export const MAX_CONDITION_NUMBER = 1e12;

export type NoiseMatrixInverse =
  | { ok: true; inverse: Matrix; condition: number }
  | { ok: false; reason: 'noise_matrix_singular' | 'noise_matrix_ill_conditioned'; condition: number | null };

/**
 * Invert a noise matrix T (P(given=i | true=j)) under corrected-accuracy.md §4's rules:
 * `noise_matrix_singular` when a column is all zero (a class absent from the labels) or
 * the LU hits a zero pivot; `noise_matrix_ill_conditioned` when κ₁ > 1e12 (or is not finite).
 */
export function invertNoiseMatrix(t: Matrix): NoiseMatrixInverse {
  const n = checkSquare(t);
  for (let j = 0; j < n; j++) {
    let allZero = true;
    for (let i = 0; i < n; i++) {
      if (t[i]![j] !== 0) {
        allZero = false;
        break;
      }
    }
    if (allZero) return { ok: false, reason: 'noise_matrix_singular', condition: null };
  }
  const inv = inverse(t);
  if (inv === null) return { ok: false, reason: 'noise_matrix_singular', condition: null };
  const condition = conditionNumber1(t, inv);
  if (!(condition <= MAX_CONDITION_NUMBER)) return { ok: false, reason: 'noise_matrix_ill_conditioned', condition };
  return { ok: true, inverse: inv, condition };
}
