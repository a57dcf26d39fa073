/** The confident-joint row kernels (§4): one pass over N×K rows, float32 input compared through its bit patterns, float64 exactly; counts mergeable by addition over row chunks. */
import { InputError } from '../errors.js';
import { firstArgmax, givenIsNearArgmax } from '../numeric.js';
import type { ProbMatrix } from '../types.js';

/** What one pass of the confident-joint kernel counts over some rows (mergeable by addition). */
export interface ConfidentJointCounts {
  /** raw counts C[given][guess], row-major, before the diagonal clip */
  counts: Float64Array;
  /** rows counted off the diagonal, increasing (indices into the rows passed) */
  offDiagonal: Int32Array;
  /** off-diagonal rows that the near-argmax filter (§10.9) keeps */
  offDiagonalIssues: number;
  /** min(0, smallest value) and max(1, largest value), NaN ignored */
  min: number;
  max: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const f32box = new Float32Array(1);
const i32box = new Int32Array(f32box.buffer);

/**
 * Bit pattern of the smallest float32 ≥ t: for non-negative, non-NaN float32 x,
 * `x >= t` (in float64) ⟺ `bits(x) >= f32CeilBits(t)` as signed 32-bit integers.
 */
function f32CeilBits(t: number): number {
  if (t !== t) return 0x7fffffff; // nothing is ≥ NaN (NaN rows take the exact path)
  if (t <= 0) return 0;
  f32box[0] = t; // rounds to nearest (Infinity above the float32 range)
  let b = i32box[0]!;
  if (f32box[0]! < t) b += 1;
  return b;
}

/**
 * Exact row kernel (float compares, NaN-aware argmax): guessed class of row d[o..o+k) or −1
 * when no class is confident; widens acc = [min, max] by the row's values (NaN ignored).
 */
function exactRow(d: ArrayLike<number>, o: number, k: number, tm: Float64Array, acc: Float64Array): number {
  let cnt = 0;
  let first = -1;
  let mn = acc[0]!;
  let mx = acc[1]!;
  for (let j = 0; j < k; j++) {
    const v = d[o + j]!;
    if (v >= tm[j]!) {
      if (cnt === 0) first = j;
      cnt++;
    }
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  acc[0] = mn;
  acc[1] = mx;
  if (cnt === 0) return -1;
  if (cnt === 1) return first;
  return firstArgmax(d, o, k);
}

/**
 * min(0, smallest value) and max(1, largest value) of pred_probs, NaN ignored — all that the
 * range checks need (V11, and [0, 1] for confidence-weighted entropy). Rows entirely inside
 * [0, 1] are recognised from their bit patterns without float compares.
 */
export function clampedRange(pp: ProbMatrix): { min: number; max: number } {
  const d = pp.data;
  const n = pp.n;
  const k = pp.k;
  const acc = Float64Array.of(0, 1);
  if (LITTLE_ENDIAN && d instanceof Float32Array && d.byteOffset % 4 === 0) {
    const di = new Int32Array(d.buffer, d.byteOffset, d.length);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let orr = 0;
      for (let j = 0; j < k; j++) {
        const x = di[o + j]!;
        orr |= (0x3f800000 - x) | x;
      }
      if (orr < 0) widenRange(d, o, k, acc);
    }
  } else if (LITTLE_ENDIAN && d instanceof Float64Array && d.byteOffset % 8 === 0) {
    const di = new Int32Array(d.buffer, d.byteOffset, d.length * 2);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let orr = 0;
      for (let j = 0; j < k; j++) {
        const h = di[2 * (o + j) + 1]!; // high word: sign, exponent, top of the mantissa
        orr |= (0x3fefffff - h) | h; // negative iff the value is ≥ 1, negative (or −0), or NaN
      }
      if (orr < 0) widenRange(d, o, k, acc);
    }
  } else {
    for (let i = 0; i < n; i++) widenRange(d, i * k, k, acc);
  }
  return { min: acc[0]!, max: acc[1]! };
}

function widenRange(d: ArrayLike<number>, o: number, k: number, acc: Float64Array): void {
  let mn = acc[0]!;
  let mx = acc[1]!;
  for (let j = 0; j < k; j++) {
    const v = d[o + j]!;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  acc[0] = mn;
  acc[1] = mx;
}

/** Accumulator of the joint pass. */
interface PassState {
  counts: Float64Array;
  off: Int32Array;
  nOff: number;
  issues: number;
}

function countRow(st: PassState, d: ArrayLike<number>, o: number, k: number, i: number, s: number, g: number): void {
  st.counts[s * k + g]!++;
  if (g !== s) {
    st.off[st.nOff++] = i;
    // near-argmax filter (§10.9) while the row is in cache
    if (!givenIsNearArgmax(d, o, k, s)) st.issues++;
  }
}

/**
 * The end of a row of the pass, given its scan (cnt confident classes, the first g, or a
 * value outside [0, 1] / NaN): such a row takes the exact float path; ≥ 2 confident classes
 * (rare) take first_argmax over all K columns; then the row is counted.
 */
function finishRow(
  st: PassState,
  labels: Int32Array,
  d: ArrayLike<number>,
  o: number,
  k: number,
  i: number,
  cnt: number,
  g: number,
  outOfRange: boolean,
  tm: Float64Array,
  acc: Float64Array,
): void {
  if (outOfRange) {
    g = exactRow(d, o, k, tm, acc);
    if (g < 0) return;
  } else {
    if (cnt === 0) return;
    if (cnt > 1) g = firstArgmax(d, o, k);
  }
  countRow(st, d, o, k, i, labels[i]!, g);
}

/**
 * The float32 rows of the pass, compared through their bit patterns (exact for values in
 * [0, 1]: non-negative floats order like their bits as signed 32-bit integers); a row with
 * any value outside [0, 1] or NaN takes the exact float path.
 */
function f32Rows(
  st: PassState,
  labels: Int32Array,
  d: Float32Array,
  di: Int32Array,
  n: number,
  k: number,
  tb: Int32Array,
  tm: Float64Array,
  acc: Float64Array,
): void {
  let tbMin = 0x7fffffff;
  for (let j = 0; j < k; j++) if (tb[j]! < tbMin) tbMin = tb[j]!;
  for (let i = 0, o = 0; i < n; i++, o += k) {
    let cnt = 0;
    let g = -1;
    let orr = 0;
    for (let j = 0; j < k; j++) {
      const x = di[o + j]!;
      if (x >= tbMin && x >= tb[j]!) {
        if (cnt === 0) g = j;
        cnt++;
      }
      orr |= (0x3f800000 - x) | x; // negative iff x is outside [0, 1] or NaN
    }
    // with every value in [0, 1], the float order is the bit order the loop compared
    finishRow(st, labels, d, o, k, i, cnt, g, orr < 0, tm, acc);
  }
}

/**
 * f32Rows for wide rows (K ≥ WIDE_K), where almost every value is below every threshold:
 * through an unsigned view, one compare per value against lim = min(smallest threshold bits,
 * bits(1) + 1) rejects a block of 16 values at once; a value ≥ lim is either out of [0, 1]
 * (unsigned bits above those of 1: negative, −0, > 1 or NaN → the exact float path) or is
 * compared with its own threshold. Same verdicts as f32Rows, ~1.5× faster at K = 1000.
 */
function f32RowsWide(...[st, labels, d, di, n, k, tb, tm, acc]: Parameters<typeof f32Rows>): void {
  const du = new Uint32Array(di.buffer, di.byteOffset, di.length);
  const ONE = 0x3f800000;
  let lim = ONE + 1;
  for (let j = 0; j < k; j++) if (tb[j]! < lim) lim = tb[j]!;
  const kb = k - (k % 16);
  for (let i = 0, o = 0; i < n; i++, o += k) {
    let cnt = 0;
    let g = -1;
    let out = false;
    const e = o + kb;
    for (let p = o; p < o + k; p += 16) {
      if (
        p < e &&
        du[p]! < lim && du[p + 1]! < lim && du[p + 2]! < lim && du[p + 3]! < lim &&
        du[p + 4]! < lim && du[p + 5]! < lim && du[p + 6]! < lim && du[p + 7]! < lim &&
        du[p + 8]! < lim && du[p + 9]! < lim && du[p + 10]! < lim && du[p + 11]! < lim &&
        du[p + 12]! < lim && du[p + 13]! < lim && du[p + 14]! < lim && du[p + 15]! < lim
      ) {
        continue;
      }
      // a block with a value ≥ lim (or the tail of fewer than 16 values): value by value
      const end = p < e ? p + 16 : o + k;
      for (let q = p; q < end; q++) {
        const u = du[q]!;
        if (u >= lim) {
          if (u > ONE) out = true;
          else if (u >= tb[q - o]!) {
            if (cnt === 0) g = q - o;
            cnt++;
          }
        }
      }
    }
    finishRow(st, labels, d, o, k, i, cnt, g, out, tm, acc);
  }
}

/** Rows at least this wide take f32RowsWide. */
const WIDE_K = 64;

/**
 * The one pass over N×K: confident sets, guessed class, counts, off-diagonal rows (and their
 * near-argmax test, while the row is in cache), and the clamped value range (for input
 * validation, so no extra pass is needed). float32 data is compared through its bit
 * patterns (exact for values in [0, 1]); rows with any value outside [0, 1] or NaN take the
 * exact float path.
 */
export function confidentJointPass(labels: Int32Array, pp: ProbMatrix, thresholds: ArrayLike<number>): ConfidentJointCounts {
  const n = pp.n;
  const k = pp.k;
  const d = pp.data;
  const tm = new Float64Array(k);
  for (let j = 0; j < k; j++) tm[j] = thresholds[j]! - 1e-6;
  const st: PassState = { counts: new Float64Array(k * k), off: new Int32Array(n), nOff: 0, issues: 0 };
  const acc = Float64Array.of(0, 1);
  if (LITTLE_ENDIAN && d instanceof Float32Array && d.byteOffset % 4 === 0) {
    const di = new Int32Array(d.buffer, d.byteOffset, d.length);
    const tb = new Int32Array(k);
    for (let j = 0; j < k; j++) tb[j] = f32CeilBits(tm[j]!);
    if (k >= WIDE_K) f32RowsWide(st, labels, d, di, n, k, tb, tm, acc);
    else f32Rows(st, labels, d, di, n, k, tb, tm, acc);
  } else if (LITTLE_ENDIAN && d instanceof Float64Array && d.byteOffset % 8 === 0) {
    const di = new Int32Array(d.buffer, d.byteOffset, d.length * 2);
    // smallest threshold (NaN ignored): v ≥ tm[j] implies v ≥ tmMin, a cheap first test
    let tmMin = Infinity;
    for (let j = 0; j < k; j++) if (tm[j]! < tmMin) tmMin = tm[j]!;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let cnt = 0;
      let g = -1;
      let orr = 0;
      for (let j = 0; j < k; j++) {
        const v = d[o + j]!;
        if (v >= tmMin && v >= tm[j]!) {
          if (cnt === 0) g = j;
          cnt++;
        }
        const h = di[2 * (o + j) + 1]!;
        orr |= (0x3fefffff - h) | h; // negative iff the value is ≥ 1, negative (or −0), or NaN
      }
      finishRow(st, labels, d, o, k, i, cnt, g, orr < 0, tm, acc);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = i * k;
      const g = exactRow(d, o, k, tm, acc);
      if (g >= 0) countRow(st, d, o, k, i, labels[i]!, g);
    }
  }
  return {
    counts: st.counts,
    offDiagonal: st.off.slice(0, st.nOff),
    offDiagonalIssues: st.issues,
    min: acc[0]!,
    max: acc[1]!,
  };
}

export function checkThresholds(thresholds: ArrayLike<number>, k: number): void {
  if (thresholds.length !== k) {
    throw new InputError('thresholds', `thresholds must have one value per class (${k}); got ${thresholds.length}.`);
  }
}

/**
 * The confident-joint counting kernel on its own (§4, the one pass over N×K of
 * computeConfidentJointFull) with given thresholds: raw counts WITHOUT the diagonal clip,
 * off-diagonal rows, near-argmax survivors and the clamped value range. Counts of row
 * chunks add up to the counts of all rows (streaming.md §1.2); finish them with
 * confidentJointFromCounts. Labels must be class indices in [0, K) (not checked here).
 */
export function countConfidentJoint(labels: Int32Array, pp: ProbMatrix, thresholds: ArrayLike<number>): ConfidentJointCounts {
  if (labels.length !== pp.n) throw new InputError('pred_probs', 'pred_probs and labels must have same length.');
  checkThresholds(thresholds, pp.k);
  return confidentJointPass(labels, pp, thresholds);
}
