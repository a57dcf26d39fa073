/**
 * K×K work on the nonzero pattern of a matrix instead of all K² entries.
 *
 * The confident joint has at most N + K nonzero entries of K² (at K = 1000 typically ~1%),
 * and the matrices derived from it (calibrated joint, joint, noise matrices) share most of
 * that pattern. Every formula here is the dense one of count.ts / dataset.ts with the +0
 * entries skipped; each result is bit-identical because
 * - a pattern never exists for a matrix holding −0 (nonzeroPositions returns null), and
 * - adding +0 leaves every other float64 unchanged (NaN and ±Infinity included), so the
 *   sums (sequential or numpy-pairwise, see sparsePairwiseSum) do not change, and
 * - each skipped entry's own result is checked to be +0 (or the caller falls back to the
 *   dense code).
 *
 * A pattern is an Int32Array of row-major positions i·K + j, increasing.
 */
import { keepBest } from './argsort.js';
import { roundHalfEven, sparsePairwiseSum } from './numeric.js';

/** Row-major positions of the entries of m that are not +0, or null if m holds a −0. */
export function nonzeroPositions(m: Float64Array): Int32Array | null {
  const found: number[] = [];
  for (let p = 0; p < m.length; p++) {
    const v = m[p]!;
    if (v !== 0) found.push(p);
    else if (Object.is(v, -0)) return null;
  }
  return Int32Array.from(found);
}

/** rowPtr[i] = first t with pos[t] ≥ i·K (rowPtr[K] = pos.length). */
export function rowPointers(pos: Int32Array, k: number): Int32Array {
  const ptr = new Int32Array(k + 1);
  for (let t = 0; t < pos.length; t++) ptr[((pos[t]! / k) | 0) + 1]!++;
  for (let i = 0; i < k; i++) ptr[i + 1] = ptr[i + 1]! + ptr[i]!;
  return ptr;
}

/** Values of m at the positions. */
export function gather(m: Float64Array, pos: Int32Array): Float64Array {
  const v = new Float64Array(pos.length);
  for (let t = 0; t < pos.length; t++) v[t] = m[pos[t]!]!;
  return v;
}

/** pairwiseSum of the whole flat matrix m (K² entries) given its pattern. */
export function sparseTotal(m: Float64Array, pos: Int32Array): number {
  return sparsePairwiseSum(pos, gather(m, pos), 0, pos.length, 0, m.length);
}

/** pairwiseSum of row i of the flat matrix m (values at pos gathered in vals). */
export function sparseRowSum(pos: Int32Array, vals: Float64Array, ptr: Int32Array, i: number, k: number): number {
  return sparsePairwiseSum(pos, vals, ptr[i]!, ptr[i + 1]!, i * k, k);
}

/**
 * Row sums (left to right) and column sums (top to bottom) of a flat K×K matrix, as the
 * dense double loop `r += v; cs[j] += v` computes them.
 */
export function sequentialRowColSums(m: Float64Array, pos: Int32Array, k: number): { rs: Float64Array; cs: Float64Array } {
  const rs = new Float64Array(k);
  const cs = new Float64Array(k);
  for (let t = 0; t < pos.length; t++) {
    const p = pos[t]!;
    const i = (p / k) | 0;
    const v = m[p]!;
    rs[i] = rs[i]! + v;
    cs[p - i * k] = cs[p - i * k]! + v;
  }
  return { rs, cs };
}

const MAX_EXACT = 1099511627776; // 2^40: rounded values and their sums are exact integers
const ADJUST_MAX = 16;
const adjKey = new Float64Array(ADJUST_MAX);
const adjIdx = new Int32Array(ADJUST_MAX);

/** A dense fallback for one row: ROUND_PRESERVING_SUM of row[0..K) into out[oo..oo+K). */
export type DenseRowRounding = (row: Float64Array, out: Float64Array, oo: number) => void;

/**
 * calibrateFlat (count.ts, §5) with the stable tie rule on the pattern of cj. Returns null
 * when the sparse formulas are not bit-identical for this input (the caller then runs the
 * dense code): zeros that do not stay zero, a −0 anywhere, a NaN total. Rows whose rounding
 * needs more than a few moves, or holds huge or non-finite values, use `denseRow`.
 */
export function calibrateSparse(
  cj: Float64Array,
  k: number,
  counts: ArrayLike<number>,
  colMajor: boolean,
  pos: Int32Array,
  denseRow: DenseRowRounding,
): { out: Float64Array; pattern: Int32Array | null } | null {
  const nnz = pos.length;
  const ptr = rowPointers(pos, k);
  const vals = gather(cj, pos);
  let total = 0;
  for (let i = 0; i < k; i++) total += counts[i]!;
  const den = new Float64Array(k);
  const cnt = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let rs: number;
    if (colMajor) {
      rs = 0;
      for (let t = ptr[i]!; t < ptr[i + 1]!; t++) rs += vals[t]!;
    } else {
      rs = sparseRowSum(pos, vals, ptr, i, k);
    }
    den[i] = rs > 1e-100 ? rs : rs !== rs ? rs : 1e-100;
    cnt[i] = counts[i]!;
  }
  // as calibrateFlat: zeros stay +0 only with positive row sums and finite counts ≥ 0
  if (!(total >= 0 && total < Infinity)) return null;
  for (let i = 0; i < k; i++) {
    const c = cnt[i]!;
    if (!(den[i]! > 0 && c >= 0 && c < Infinity)) return null;
  }
  // a[i][j] = (cj / den[i]) * c[i], summed pairwise in the memory order cleanlab holds
  const a = new Float64Array(nnz);
  for (let i = 0; i < k; i++) {
    for (let t = ptr[i]!; t < ptr[i + 1]!; t++) {
      const v = (vals[t]! / den[i]!) * cnt[i]!;
      if (v === 0 && 1 / v < 0) return null;
      a[t] = v;
    }
  }
  const s = sparseMemoryOrderSum(pos, a, k, colMajor);
  const sd = s > 1e-100 ? s : s !== s ? s : 1e-100;
  if (sd !== sd) return null;

  const out = new Float64Array(k * k);
  const written: number[] = [];
  const f = new Float64Array(nnz); // this row's values, at the row's slots
  const r = new Float64Array(nnz);
  let row: Float64Array | null = null;
  for (let i = 0; i < k; i++) {
    const t0 = ptr[i]!;
    const t1 = ptr[i + 1]!;
    const o = i * k;
    const d = den[i]!;
    const c = cnt[i]!;
    let fast = true;
    let have = 0;
    for (let t = t0; t < t1; t++) {
      const x = (((vals[t]! / d) * c) / sd) * total;
      f[t] = x;
      if (!(x <= MAX_EXACT && x >= -MAX_EXACT) || (x === 0 && 1 / x < 0)) fast = false;
      let q = Math.round(x);
      if (q - x === 0.5 && q % 2 !== 0) q -= 1;
      r[t] = q;
      have += q;
    }
    if (fast) {
      const target = roundHalfEven(sparsePairwiseSum(pos, f, t0, t1, o, k));
      const diff = target - have;
      if (Math.abs(diff) <= 1e-6) {
        for (let t = t0; t < t1; t++) {
          out[pos[t]!] = r[t]!;
          written.push(pos[t]!);
        }
        continue;
      }
      if (adjustRow(pos, f, r, t0, t1, o, k, diff, out, written)) continue;
    }
    // dense fallback for this row
    row ??= new Float64Array(k);
    row.fill(0);
    for (let t = t0; t < t1; t++) row[pos[t]! - o] = f[t]!;
    denseRow(row, out, o);
    for (let j = 0; j < k; j++) if (out[o + j]! !== 0 || 1 / out[o + j]! < 0) written.push(o + j);
  }
  // the calibrated pattern: written positions that are not +0; none may be −0
  const sorted = Int32Array.from(written).sort();
  let m = 0;
  for (let t = 0; t < sorted.length; t++) {
    const p = sorted[t]!;
    if (t > 0 && p === sorted[t - 1]) continue;
    const v = out[p]!;
    if (v === 0) {
      if (1 / v < 0) return { out, pattern: null };
      continue;
    }
    sorted[m++] = p;
  }
  return { out, pattern: sorted.slice(0, m) };
}

/**
 * pairwiseSum of a K×K matrix given by its pattern (row-major positions pos, values a) read in
 * memory order: row-major, or column-major (position j·K + i) when `colMajor` — numpy's sum
 * of the array cleanlab holds.
 */
export function sparseMemoryOrderSum(pos: Int32Array, a: Float64Array, k: number, colMajor: boolean): number {
  const nnz = pos.length;
  if (!colMajor) return sparsePairwiseSum(pos, a, 0, nnz, 0, k * k);
  // counting sort of the pattern by column: positions j·K + i, increasing
  const colPtr = new Int32Array(k + 1);
  for (let t = 0; t < nnz; t++) colPtr[(pos[t]! % k) + 1]!++;
  for (let j = 0; j < k; j++) colPtr[j + 1] = colPtr[j + 1]! + colPtr[j]!;
  const cursor = colPtr.slice(0, k);
  const cmPos = new Int32Array(nnz);
  const cmVal = new Float64Array(nnz);
  for (let t = 0; t < nnz; t++) {
    const p = pos[t]!;
    const i = (p / k) | 0;
    const j = p - i * k;
    const q = cursor[j]!++;
    cmPos[q] = j * k + i;
    cmVal[q] = a[t]!;
  }
  return sparsePairwiseSum(cmPos, cmVal, 0, nnz, 0, k * k);
}

/**
 * The rounding moves of ROUND_PRESERVING_SUM (stable ties) for one row whose nonzero slots
 * are t0..t1 (values f, rounded r) and whose other K − (t1 − t0) entries are +0 (their
 * f − r is 0): lowering takes the |diff| smallest f − r, ties to the lowest index; raising
 * the |diff| largest, ties to the highest. Writes the row into out; false when it does not
 * apply (too many moves, or too few candidates ≤ 0 / ≥ 0 — the caller then goes dense).
 */
export function adjustRow(
  pos: Int32Array,
  f: Float64Array,
  r: Float64Array,
  t0: number,
  t1: number,
  o: number,
  k: number,
  diff: number,
  out: Float64Array,
  written: number[],
): boolean {
  const m = Math.abs(diff);
  if (m > ADJUST_MAX || m >= k) return false;
  const lowering = diff < 0;
  // the m best nonzero slots by (f − r), index order breaking ties (as roundSmallFast)
  let len = 0;
  if (lowering) for (let t = t0; t < t1; t++) len = keepBest(adjKey, adjIdx, len, m, f[t]! - r[t]!, t, true);
  else for (let t = t1 - 1; t >= t0; t--) len = keepBest(adjKey, adjIdx, len, m, f[t]! - r[t]!, t, false);
  // slots strictly better than the zeros' 0 are taken first; the rest are the entries whose
  // f − r is exactly 0 (zeros and integral nonzeros), lowest index first when lowering,
  // highest first when raising
  let strict = 0;
  while (strict < len && (lowering ? adjKey[strict]! < 0 : adjKey[strict]! > 0)) strict++;
  const inc = lowering ? -1 : 1;
  for (let t = t0; t < t1; t++) out[pos[t]!] = r[t]!;
  for (let q = 0; q < strict; q++) out[pos[adjIdx[q]!]!] = out[pos[adjIdx[q]!]!]! + inc;
  let need = m - strict;
  if (need > 0) {
    // walk the row's indices in tie order, merging the nonzero slots (t) with the zeros
    let t = lowering ? t0 : t1 - 1;
    for (let step = 0; step < k && need > 0; step++) {
      const j = lowering ? step : k - 1 - step;
      const p = o + j;
      let exactZeroDiff: boolean;
      if (lowering ? t < t1 && pos[t] === p : t >= t0 && pos[t] === p) {
        exactZeroDiff = f[t]! - r[t]! === 0;
        t += lowering ? 1 : -1;
      } else {
        exactZeroDiff = true; // a +0 entry: f − r = 0
      }
      if (!exactZeroDiff) continue;
      out[p] = out[p]! + inc;
      written.push(p);
      need--;
    }
    if (need > 0) return false; // candidates beyond 0 would be needed: dense
  }
  for (let t = t0; t < t1; t++) written.push(pos[t]!);
  return true;
}
