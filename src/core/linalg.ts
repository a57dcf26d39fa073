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
 * The factors of an in-place LU (row-major n×n: L strictly below the diagonal with a unit
 * diagonal, U on and above it) as row lists of their nonzeros: L and U without the diagonal,
 * in increasing column order, and U's diagonal.
 */
function splitFactors(lu: Float64Array, n: number) {
  const lStart = new Int32Array(n + 1);
  const uStart = new Int32Array(n + 1);
  let lCount = 0;
  let uCount = 0;
  for (let i = 0; i < n; i++) {
    const ib = i * n;
    for (let j = 0; j < n; j++) {
      if (j !== i && lu[ib + j] !== 0) {
        if (j < i) lCount++;
        else uCount++;
      }
    }
  }
  const lCol = new Int32Array(lCount);
  const lVal = new Float64Array(lCount);
  const uCol = new Int32Array(uCount);
  const uVal = new Float64Array(uCount);
  const diag = new Float64Array(n);
  for (let i = 0, lp = 0, up = 0; i < n; i++) {
    const ib = i * n;
    lStart[i] = lp;
    uStart[i] = up;
    diag[i] = lu[ib + i]!;
    for (let j = 0; j < n; j++) {
      const v = lu[ib + j]!;
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
  return { lStart, lCol, lVal, uStart, uCol, uVal, diag };
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
  const { lStart, lCol, lVal, uStart, uCol, uVal } = splitFactors(lu, n);
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

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Fill-reducing symmetric ordering for LU: diagonal Markowitz on the nonzero pattern of A.
 * At each step the remaining diagonal position v with the smallest Markowitz count
 * r(v)·c(v) is eliminated next (r, c = off-diagonal nonzeros in v's row / column of the
 * active submatrix; ties: smaller r + c, then the lower index — deterministic), and the
 * fill r × c it creates is added to the pattern. Values are not looked at: numerical
 * pivoting is still done by the LU's partial pivoting. order[i] = original index placed at
 * position i, so the factored matrix is Q·A·Qᵀ with (Q·A·Qᵀ)[i][j] = A[order[i]][order[j]].
 *
 * Why not minimum degree on A + Aᵀ: noise matrices are far from symmetric (the K = 1000
 * benchmark has 4,644 nonzeros of which only 1,374 have a nonzero transpose partner), and
 * symmetrising doubles the graph. On that matrix the LU factors have 245,402 nonzeros in
 * the natural order, 92,220 after minimum degree on A + Aᵀ, and 42,810 after this ordering.
 *
 * The patterns are bitsets (2·K²/8 bytes), updated explicitly: O(Σ (r + c)·K/32) work, about
 * 20 ms at K = 1000.
 */
export function markowitzOrder(a: Matrix): Int32Array {
  const n = checkSquare(a);
  const words = (n + 31) >>> 5;
  const rowPat = new Uint32Array(n * words);
  const colPat = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    const row = a[i]!;
    for (let j = 0; j < n; j++) {
      if (j !== i && row[j] !== 0) {
        rowPat[i * words + (j >>> 5)]! |= 1 << (j & 31);
        colPat[j * words + (i >>> 5)]! |= 1 << (i & 31);
      }
    }
  }
  const count = (pat: Uint32Array, base: number): number => {
    let d = 0;
    for (let w = 0; w < words; w++) d += popcount32(pat[base + w]!);
    return d;
  };
  const rDeg = new Int32Array(n);
  const cDeg = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    rDeg[i] = count(rowPat, i * words);
    cDeg[i] = count(colPat, i * words);
  }
  // Merge pattern v into every member u of `members` (a row of the other pattern), then drop
  // u's diagonal and v itself; refresh u's count.
  const spread = (members: Uint32Array, pat: Uint32Array, deg: Int32Array, v: number): void => {
    const vb = v * words;
    for (let w = 0; w < words; w++) {
      let bits = members[vb + w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const u = (w << 5) + (31 - Math.clz32(low));
        const ub = u * words;
        for (let x = 0; x < words; x++) pat[ub + x]! |= pat[vb + x]!;
        pat[ub + (u >>> 5)]! &= ~(1 << (u & 31));
        pat[ub + (v >>> 5)]! &= ~(1 << (v & 31));
        deg[u] = count(pat, ub);
      }
    }
  };
  const done = new Uint8Array(n);
  const order = new Int32Array(n);
  const tie = 2 * n + 1;
  for (let step = 0; step < n; step++) {
    let v = -1;
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      if (done[i] !== 0) continue;
      const r = rDeg[i]!;
      const c = cDeg[i]!;
      const score = r * c * tie + r + c;
      if (score < best) {
        best = score;
        v = i;
      }
    }
    order[step] = v;
    done[v] = 1;
    // Rows i with a nonzero in column v receive row v's pattern; columns j with a nonzero
    // in row v receive column v's pattern (the fill (i, j)); v leaves both patterns.
    spread(colPat, rowPat, rDeg, v);
    spread(rowPat, colPat, cDeg, v);
  }
  return order;
}

/**
 * Inverse of A computed as Qᵀ·(Q·A·Qᵀ)⁻¹·Q for a symmetric permutation Q given by `order`
 * (order[i] = row/column of A placed at position i; default: markowitzOrder(A)).
 * Q·A·Qᵀ is factored with the same LU with partial pivoting as luDecompose (largest
 * |entry|, first on ties, stop at an exactly-zero pivot → null), keeping the factors in a
 * dense workspace but updating only the nonzero columns of each pivot row. Each column of
 * the inverse is then solved column-oriented: the forward solve starts at the row holding
 * the unit entry and skips zero entries of the running solution, so it only touches rows
 * reachable from that column in the graph of L; the back solve likewise skips zeros.
 *
 * The values differ from `inverse` only by rounding (a different elimination order). Note
 * that an exactly-zero pivot is an ordering-dependent event for matrices that are singular
 * only numerically; see invertNoiseMatrix for how the classification is kept unchanged.
 */
export function inverseOrdered(a: Matrix, order?: Int32Array): Matrix | null {
  const n = checkSquare(a);
  const q = order ?? markowitzOrder(a);
  if (q.length !== n) throw new RangeError(`inverseOrdered: order has ${q.length} entries, expected ${n}`);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = a[q[i]!]!;
    const base = i * n;
    for (let j = 0; j < n; j++) w[base + j] = row[q[j]!]!;
  }
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(w[k * n + k]!);
    let nr = 0;
    for (let i = k + 1; i < n; i++) {
      const v = w[i * n + k]!;
      if (v !== 0) {
        rows[nr++] = i;
        const av = Math.abs(v);
        if (av > best) {
          best = av;
          p = i;
        }
      }
    }
    if (!(best > 0)) return null;
    if (p !== k) {
      const kb = k * n;
      const pb = p * n;
      for (let j = 0; j < n; j++) {
        const t = w[kb + j]!;
        w[kb + j] = w[pb + j]!;
        w[pb + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
      // Row p now holds the old row k, whose column-k entry may be zero; the list of rows
      // below the diagonal with a nonzero in column k is rebuilt.
      nr = 0;
      for (let i = k + 1; i < n; i++) if (w[i * n + k] !== 0) rows[nr++] = i;
    }
    const kb = k * n;
    let nc = 0;
    for (let j = k + 1; j < n; j++) if (w[kb + j] !== 0) cols[nc++] = j;
    const pivot = w[kb + k]!;
    for (let r = 0; r < nr; r++) {
      const ib = rows[r]! * n;
      const f = w[ib + k]! / pivot;
      w[ib + k] = f;
      if (f !== 0) {
        for (let c = 0; c < nc; c++) {
          const j = cols[c]!;
          w[ib + j] = w[ib + j]! - f * w[kb + j]!;
        }
      }
    }
  }
  // Factors by row: L strictly below the diagonal, U strictly above, and U's diagonal.
  const { lStart, lCol, lVal, uStart, uCol, uVal, diag } = splitFactors(w, n);
  // Row r of B⁻¹ (B = Q·A·Qᵀ, P·B = L·U) solves Bᵀ·y = e_r, i.e. Uᵀ·z = e_r, Lᵀ·v = z,
  // y = Pᵀ·v. Row j of U is column j of Uᵀ (and likewise for L), so both solves run
  // column-oriented over the row lists, skipping zero entries of the running solution:
  // Uᵀ·z = e_r only reaches positions ≥ r. Rows are written contiguously into the output.
  const out: Matrix = new Array<number[]>(n);
  const colOf = new Int32Array(n);
  for (let i = 0; i < n; i++) colOf[i] = q[perm[i]!]!;
  const x = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    x.fill(0);
    x[r] = 1;
    for (let j = r; j < n; j++) {
      if (x[j] === 0) continue;
      const xj = x[j]! / diag[j]!;
      x[j] = xj;
      for (let p = uStart[j]!, e = uStart[j + 1]!; p < e; p++) x[uCol[p]!] = x[uCol[p]!]! - uVal[p]! * xj;
    }
    for (let j = n - 1; j > 0; j--) {
      const xj = x[j]!;
      if (xj === 0) continue;
      for (let p = lStart[j]!, e = lStart[j + 1]!; p < e; p++) x[lCol[p]!] = x[lCol[p]!]! - lVal[p]! * xj;
    }
    // B⁻¹[r][c] = v[pinv[c]], and A⁻¹[q[r]][q[c]] = B⁻¹[r][c]: entry i of v lands in column
    // q[perm[i]] of row q[r].
    const row = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) row[colOf[i]!] = x[i]!;
    out[q[r]!] = row;
  }
  return out;
}

/**
 * Matrix 1-norm: the largest absolute column sum. Column sums are accumulated row by row
 * (contiguous reads), each still in ascending row order; NaN sums win.
 */
export function norm1(a: Matrix): number {
  const n = a.length;
  const m = n === 0 ? 0 : a[0]!.length;
  const sums = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const row = a[i]!;
    for (let j = 0; j < m; j++) sums[j] = sums[j]! + Math.abs(row[j]!);
  }
  let best = 0;
  for (let j = 0; j < m; j++) {
    const s = sums[j]!;
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
 * κ₁ bound under which the reordered inverse is trusted as is. Above it (and whenever the
 * reordered LU hits a zero pivot, or T has a non-finite entry) invertNoiseMatrix re-runs the
 * natural-order LU, so its classification is exactly the one of the spec's plain algorithm.
 */
export const FAST_PATH_MAX_CONDITION = 1e8;

/**
 * The plain algorithm of corrected-accuracy.md §4 after the all-zero-column check: LU with
 * partial pivoting in the natural order, then κ₁ from the computed inverse.
 */
function invertNaturalOrder(t: Matrix): NoiseMatrixInverse {
  const inv = inverse(t);
  if (inv === null) return { ok: false, reason: 'noise_matrix_singular', condition: null };
  const condition = conditionNumber1(t, inv);
  if (!(condition <= MAX_CONDITION_NUMBER)) return { ok: false, reason: 'noise_matrix_ill_conditioned', condition };
  return { ok: true, inverse: inv, condition };
}

/**
 * Invert a noise matrix T (P(given=i | true=j)) under corrected-accuracy.md §4's rules:
 * `noise_matrix_singular` when a column is all zero (a class absent from the labels) or
 * the LU hits a zero pivot; `noise_matrix_ill_conditioned` when κ₁ > 1e12 (or is not finite).
 *
 * Speed: T is sparse, and LU in the natural order fills in badly (K = 1000 benchmark:
 * 4,644 nonzeros → 245,402 in the factors, ~0.6–1 s for the K solves). The inverse is
 * computed as Qᵀ·(Q·T·Qᵀ)⁻¹·Q with a fill-reducing order Q (markowitzOrder: 42,810 factor
 * nonzeros, ~0.1 s), still by LU with partial pivoting.
 *
 * Classification is kept exactly that of the natural-order LU:
 * 1. The all-zero-column check comes first; it does not depend on any ordering.
 * 2. Non-finite entries, a zero pivot in the reordered LU, or a reordered κ₁ above
 *    FAST_PATH_MAX_CONDITION (1e8, ≥ 4 decades below the 1e12 limit) → the natural-order
 *    algorithm decides, and its result is returned unchanged.
 * 3. Otherwise the reordered result is returned as ok. The natural order would agree:
 *    - its κ₁ differs from ours only by rounding: both computed inverses are within about
 *      κ·K·u (≤ 1e8·K·1.1e-16) of the true one, far from the factor 1e4 needed to cross 1e12;
 *    - it cannot hit an exactly-zero pivot. A zero pivot at step k means the computed Schur
 *      complement column is exactly zero, so by the backward stability of LU, T + E is
 *      exactly singular for some |E| ≤ γ_K·|L̂|·|Û| (γ_K = K·u/(1 − K·u)). The distance from T
 *      to the nearest singular matrix is ‖T‖₁/κ₁(T) ≥ 1e-8·‖T‖₁ here, so this would need
 *      ‖ |L̂|·|Û| ‖₁ ≥ 1e-8/γ_K · ‖T‖₁ ≈ 9e4·‖T‖₁ at K = 1000, i.e. element growth of order
 *      1e2–1e5 in the natural-order LU (bound ‖|L̂||Û|‖₁ ≤ K²·ρ·‖T‖₁ with growth factor ρ;
 *      ρ ≤ 2 for column diagonally dominant T, which noise matrices nearly are).
 *    In exact arithmetic partial pivoting hits a zero pivot iff T is singular, whatever the
 *    order. In floating point an exactly-zero pivot comes from exact zero structure that
 *    every order preserves (e.g. a zero row: never updated, never chosen while a nonzero
 *    candidate exists), while other singular matrices usually leave a tiny nonzero pivot in
 *    either order and are caught by κ₁. Orders can only disagree on matrices that are
 *    numerically singular, and those (κ₁ > 1e8 or a zero pivot here) are decided by the
 *    natural order.
 */
export function invertNoiseMatrix(t: Matrix): NoiseMatrixInverse {
  const n = checkSquare(t);
  let finite = true;
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
  for (let i = 0; i < n && finite; i++) {
    const row = t[i]!;
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(row[j]!)) {
        finite = false;
        break;
      }
    }
  }
  if (!finite) return invertNaturalOrder(t);
  const inv = inverseOrdered(t);
  if (inv === null) return invertNaturalOrder(t);
  const condition = conditionNumber1(t, inv);
  if (!(condition <= FAST_PATH_MAX_CONDITION)) return invertNaturalOrder(t);
  return { ok: true, inverse: inv, condition };
}
