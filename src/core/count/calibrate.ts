/** Calibration of the confident joint (§5) and ROUND_PRESERVING_SUM. */
import { argsortNumpy, keepBest, markCut, stableCut, type TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pairwiseSum, roundHalfEven } from '../numeric.js';
import type { Matrix } from '../types.js';
import { fromMatrix, toMatrix } from './matrix.js';

/** Memory order in which cleanlab sums a K×K confident joint during calibration (§5). */
export type SumOrder = 'column' | 'row';

const FAST_ADJUST_MAX = 16;
const fastKey = new Float64Array(FAST_ADJUST_MAX);
const fastIdx = new Int32Array(FAST_ADJUST_MAX);

/**
 * ROUND_PRESERVING_SUM under the stable tie rule for the common case, in one or two passes:
 * every value finite with |f| ≤ 2^40 (so the rounded values and all their partial sums are
 * exact integers: their sum is the same in any order) and at most FAST_ADJUST_MAX entries to
 * move. The m entries moved are those the stable sort picks: lowering, the m smallest
 * f − r, ties to the lowest index; raising, the m largest f − r, ties to the highest index.
 * Returns false (out untouched for the caller to redo) when the case does not apply.
 */
function roundSmallFast(f: Float64Array, fo: number, k: number, out: Float64Array, oo: number): boolean {
  let have = 0;
  for (let i = 0; i < k; i++) {
    const v = f[fo + i]!;
    if (!(v <= 1099511627776 && v >= -1099511627776)) return false; // NaN, ±Infinity, huge
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1;
    out[oo + i] = r;
    have += r;
  }
  const target = roundHalfEven(pairwiseSum(f, fo, fo + k));
  if (Math.abs(have - target) <= 1e-6) return true;
  const diff = target - have; // an exact integer
  const m = Math.abs(diff);
  if (m > FAST_ADJUST_MAX || m >= k) return false;
  const key = fastKey;
  const idx = fastIdx;
  let len = 0;
  if (diff < 0) {
    // lowering: the m smallest d = f − r, the first index winning ties
    for (let i = 0; i < k; i++) len = keepBest(key, idx, len, m, f[fo + i]! - out[oo + i]!, i, true);
    for (let t = 0; t < m; t++) out[oo + idx[t]!] = out[oo + idx[t]!]! - 1;
  } else {
    // raising: the m largest d = f − r, the last index winning ties
    for (let i = k - 1; i >= 0; i--) len = keepBest(key, idx, len, m, f[fo + i]! - out[oo + i]!, i, false);
    for (let t = 0; t < m; t++) out[oo + idx[t]!] = out[oo + idx[t]!]! + 1;
  }
  return true;
}

/**
 * ROUND_PRESERVING_SUM of f[fo .. fo+K) into out[oo ..): round half to even, then move the
 * rounded total to the rounded float total, lowering the most-rounded-up entries first or
 * raising the most-rounded-down first. Ties per §11/S5 under `ties`.
 */
function roundPreservingSumInto(
  f: ArrayLike<number>,
  fo: number,
  k: number,
  out: Float64Array,
  oo: number,
  ties: TieOrder,
  keys: Float64Array,
  scratch: Float64Array,
  flags: Uint8Array,
): void {
  if (ties === 'stable' && f instanceof Float64Array && roundSmallFast(f, fo, k, out, oo)) return;
  for (let i = 0; i < k; i++) out[oo + i] = roundHalfEven(f[fo + i]!);
  const target = roundHalfEven(pairwiseSum(f, fo, fo + k));
  let have = roundHalfEven(pairwiseSum(out, oo, oo + k));
  while (Math.abs(have - target) > 1e-6) {
    const diff = roundHalfEven(target - have);
    const inc = diff < 0 ? -1 : 1;
    const m = Math.min(Math.abs(diff), k);
    if (ties === 'numpy') {
      for (let i = 0; i < k; i++) keys[i] = f[fo + i]! - out[oo + i]!;
      const ord = argsortNumpy(keys.subarray(0, k));
      for (let t = 0; t < m; t++) {
        const i = inc === 1 ? ord[k - 1 - t]! : ord[t]!;
        out[oo + i] = out[oo + i]! + inc;
      }
    } else {
      // lowering: first m of a stable ascending sort of (f - r);
      // raising: first m of its reversal = smallest m of -(f - r) read backwards.
      if (inc === -1) {
        for (let i = 0; i < k; i++) keys[i] = f[fo + i]! - out[oo + i]!;
      } else {
        for (let i = 0; i < k; i++) keys[i] = -(f[fo + k - 1 - i]! - out[oo + k - 1 - i]!);
      }
      flags.fill(0, 0, k);
      if (m >= k) flags.fill(1, 0, k);
      else markCut(keys, k, stableCut(keys, k, m, scratch), flags);
      for (let t = 0; t < k; t++) {
        if (!flags[t]) continue;
        const i = inc === -1 ? t : k - 1 - t;
        out[oo + i] = out[oo + i]! + inc;
      }
    }
    have = roundHalfEven(pairwiseSum(out, oo, oo + k));
  }
}

/** ROUND_PRESERVING_SUM (stable ties) of a K-length row into out[oo ..), for calibrateSparse. */
export function denseRowRounding(k: number): (row: Float64Array, out: Float64Array, oo: number) => void {
  const keys = new Float64Array(k);
  const scratch = new Float64Array(k);
  const flags = new Uint8Array(k);
  return (row, out, oo) => roundPreservingSumInto(row, 0, k, out, oo, 'stable', keys, scratch, flags);
}

/** cleanlab `round_preserving_sum` of one vector (tie rule: stable, §11/S5). */
export function roundPreservingSum(f: ArrayLike<number>, opts: { tieOrder?: TieOrder } = {}): number[] {
  const k = f.length;
  const out = new Float64Array(k);
  roundPreservingSumInto(f, 0, k, out, 0, opts.tieOrder ?? 'stable', new Float64Array(k), new Float64Array(k), new Uint8Array(k));
  return Array.from(out);
}

/** ROUND_PRESERVING_SUM applied to each row of a flat K×K matrix (cleanlab round_preserving_row_totals). */
export function roundRowsPreservingSum(a: Float64Array, k: number, ties: TieOrder = 'stable'): Float64Array {
  const out = new Float64Array(k * k);
  const keys = new Float64Array(k);
  const scratch = new Float64Array(k);
  const flags = new Uint8Array(k);
  for (let i = 0; i < k; i++) roundPreservingSumInto(a, i * k, k, out, i * k, ties, keys, scratch, flags);
  return out;
}

/**
 * Calibrate a flat row-major confident joint (§5). `order` is the memory order of the
 * matrix cleanlab would hold: 'column' for its own confident joint, 'row' for a plain array.
 */
export function calibrateFlat(
  cj: Float64Array,
  k: number,
  counts: ArrayLike<number>,
  order: SumOrder = 'column',
  ties: TieOrder = 'stable',
): Float64Array {
  let total = 0;
  for (let i = 0; i < k; i++) total += counts[i]!;
  // a[i][j] = (cj[i][j] / den[i]) * c[i] is recomputed where needed (same float64 operations)
  // instead of being stored: no K×K intermediates besides the result
  const den = new Float64Array(k);
  const cnt = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const o = i * k;
    // row sum: integers are exact in any order; for non-integers follow numpy's order
    const rs = order === 'row' ? pairwiseSum(cj, o, o + k) : sequentialRowSum(cj, o, k);
    den[i] = rs > 1e-100 ? rs : rs !== rs ? rs : 1e-100;
    cnt[i] = counts[i]!;
  }
  // with positive (or infinite) row sums and finite non-negative counts, (±0 / den) * c and
  // ((±0 / den) * c / sd) * total are ±0 of the same sign: the sparse zeros need no division
  let zeroKeeps = total >= 0 && total < Infinity;
  for (let i = 0; i < k; i++) {
    const c = cnt[i]!;
    if (!(den[i]! > 0 && c >= 0 && c < Infinity)) zeroKeeps = false;
  }
  const buf = new Float64Array(Math.min(k * k, SUM_CHUNK));
  const s = scaledSum(cj, k, den, cnt, order === 'column', zeroKeeps, 0, k * k, buf);
  const sd = s > 1e-100 ? s : s !== s ? s : 1e-100;
  const out = new Float64Array(k * k);
  const row = new Float64Array(k);
  const keys = new Float64Array(k);
  const scratch = new Float64Array(k);
  const flags = new Uint8Array(k);
  for (let i = 0; i < k; i++) {
    const o = i * k;
    const d = den[i]!;
    const c = cnt[i]!;
    if (zeroKeeps && sd === sd) {
      for (let j = 0; j < k; j++) {
        const x = cj[o + j]!;
        row[j] = x === 0 ? x : (((x / d) * c) / sd) * total;
      }
    } else {
      for (let j = 0; j < k; j++) row[j] = (((cj[o + j]! / d) * c) / sd) * total;
    }
    roundPreservingSumInto(row, 0, k, out, o, ties, keys, scratch, flags);
  }
  return out;
}

const SUM_CHUNK = 4096;

/**
 * numpy's pairwise sum of positions [start, start+count) of a = (cj / den[row]) * cnt[row]
 * read in memory order: column-major (`colMajor`, position p = a[p % k][⌊p / k⌋]) or
 * row-major. The split above SUM_CHUNK is pairwiseSum's own (halves rounded down to a
 * multiple of 8); each chunk is gathered into buf and summed by pairwiseSum, so the result
 * is that of pairwiseSum over the materialised array.
 */
function scaledSum(
  cj: Float64Array,
  k: number,
  den: Float64Array,
  cnt: Float64Array,
  colMajor: boolean,
  zeroKeeps: boolean,
  start: number,
  count: number,
  buf: Float64Array,
): number {
  if (count > SUM_CHUNK) {
    let h = Math.floor(count / 2);
    h -= h % 8;
    return (
      scaledSum(cj, k, den, cnt, colMajor, zeroKeeps, start, h, buf) +
      scaledSum(cj, k, den, cnt, colMajor, zeroKeeps, start + h, count - h, buf)
    );
  }
  if (colMajor) {
    let i = start % k;
    let j = (start - i) / k;
    for (let q = 0; q < count; q++) {
      const x = cj[i * k + j]!;
      buf[q] = x === 0 && zeroKeeps ? x : (x / den[i]!) * cnt[i]!;
      if (++i === k) {
        i = 0;
        j++;
      }
    }
  } else {
    let j = start % k;
    let i = (start - j) / k;
    for (let q = 0; q < count; q++) {
      const x = cj[start + q]!;
      buf[q] = x === 0 && zeroKeeps ? x : (x / den[i]!) * cnt[i]!;
      if (++j === k) {
        j = 0;
        i++;
      }
    }
  }
  return pairwiseSum(buf, 0, count);
}

function sequentialRowSum(x: Float64Array, o: number, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += x[o + j]!;
  return s;
}

/** cleanlab `calibrate_confident_joint` (default memory order: column, as cleanlab's own CJ). */
export function calibrateConfidentJoint(
  cj: Matrix,
  labelCountsIn: ArrayLike<number>,
  opts: { sumOrder?: SumOrder; tieOrder?: TieOrder } = {},
): Matrix {
  const { flat, k } = fromMatrix(cj);
  if (labelCountsIn.length !== k) {
    throw new InputError('label_counts', `label counts must have one entry per class (${k}); got ${labelCountsIn.length}.`);
  }
  return toMatrix(calibrateFlat(flat, k, labelCountsIn, opts.sumOrder ?? 'column', opts.tieOrder ?? 'stable'), k);
}
