/**
 * cleanlab `count`: input checks, per-class thresholds, the confident joint (raw and
 * calibrated), the joint, latent estimates (py, noise matrices) and `num_label_issues`.
 * Spec: confident-learning.md §1, §3–§8. Everything is float64; N×K inputs are read in one
 * or two passes; K×K work uses flat row-major Float64Arrays.
 */
import { createRequire } from 'node:module';
import { argsortNumpy, keepBest, stableCut, markCut, type TieOrder } from './argsort.js';
import { InputError } from './errors.js';
import { firstArgmax, givenIsNearArgmax, pairwiseSum, pairwiseSumStrided, roundHalfEven } from './numeric.js';
import { calibrateSparse, nonzeroPositions, sequentialRowColSums, sparseTotal } from './sparse.js';
import { isOneOf, NUM_LABEL_ISSUES_METHODS, PY_METHODS, type Matrix, type NumLabelIssuesMethod, type ProbMatrix, type PyMethod } from './types.js';

/**
 * ml-matrix (~10 MB of resident memory once loaded) serves only py_method='eqn': loaded on
 * first use, synchronously (its CommonJS build), so the common paths never pay for it.
 */
let mlMatrix: typeof import('ml-matrix') | undefined;
function ml(): typeof import('ml-matrix') {
  return (mlMatrix ??= createRequire(import.meta.url)('ml-matrix') as typeof import('ml-matrix'));
}

export type { TieOrder } from './argsort.js';

/** Memory order in which cleanlab sums a K×K confident joint during calibration (§5). */
export type SumOrder = 'column' | 'row';


// =======================================================================================
// Flat K×K helpers

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

// =======================================================================================
// Input validation (§1)

/** Allow a single distinct label: never, always, or only when every label is 0. */
export type OneClassRule = boolean | 'zero-only';

/** Min and max of pred_probs ignoring NaN (NaN passes cleanlab's range check). */
export function valueRange(pp: ProbMatrix): { min: number; max: number } {
  const d = pp.data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, e = d.length; i < e; i++) {
    const v = d[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * The label and shape checks of cleanlab's `assert_valid_inputs` (V5, V6, V8, V9, V10 of §1,
 * in that order; V1–V4 and V7 hold by the types).
 */
export function assertValidLabels(labels: Int32Array, pp: ProbMatrix, allowOneClass: OneClassRule = false): void {
  const n = labels.length;
  if (n === 0) throw emptyLabelsError();
  let min = labels[0]!;
  let max = min;
  let minRow = 0;
  let distinct = false;
  const first = labels[0]!;
  for (let i = 1; i < n; i++) {
    const v = labels[i]!;
    if (v < min) {
      min = v;
      minRow = i;
    }
    if (v > max) max = v;
    if (v !== first) distinct = true;
  }
  if (min < 0) {
    throw new InputError('labels', 'Labels must be positive integers corresponding to class indices.', { row: minRow });
  }
  assertTwoClasses(distinct, first, allowOneClass);
  if (pp.n !== n) throw new InputError('pred_probs', 'pred_probs and labels must have same length.');
  if (pp.data.length !== pp.n * pp.k || pp.k < 1) {
    throw new InputError('pred_probs', 'pred_probs array must have shape: num_examples x num_classes.');
  }
  if (pp.k < max + 1) {
    throw new InputError(
      'pred_probs',
      `pred_probs must have at least ${max + 1} columns, based on the largest class index which appears in labels.`,
    );
  }
}

function emptyLabelsError(): InputError {
  return new InputError('labels', 'labels is empty: at least one example is required.');
}

/** V8: at least two distinct labels, unless `rule` allows one class (`first` = the first label). */
function assertTwoClasses(distinct: boolean, first: number, rule: OneClassRule): void {
  const oneClassOk = rule === true || (rule === 'zero-only' && first === 0);
  if (!distinct && !oneClassOk) throw new InputError('labels', 'Labels must contain at least 2 classes.');
}

/**
 * assertValidLabels from the class counts c[k] alone, for labels already known to be class
 * indices in [0, K) (e.g. merged over row chunks): the checks that can still fail are
 * "empty" and "at least 2 classes" — with one class present, the first label is that class.
 */
export function assertValidLabelCounts(counts: ArrayLike<number>, allowOneClass: OneClassRule = false): void {
  let total = 0;
  let present = 0;
  let first = -1;
  for (let c = 0; c < counts.length; c++) {
    const m = counts[c]!;
    if (m > 0) {
      total += m;
      present++;
      if (first < 0) first = c;
    }
  }
  if (total === 0) throw emptyLabelsError();
  assertTwoClasses(present > 1, first, allowOneClass);
}

/** V11: every value within [-1e-6, 1 + 1e-6] (NaN passes, as in cleanlab). */
export function assertValidRange(range: { min: number; max: number }): void {
  if (range.min < 0 - 1e-6 || range.max > 1 + 1e-6) {
    throw new InputError('pred_probs', 'Values in pred_probs must be between 0 and 1.');
  }
}

/**
 * cleanlab's `assert_valid_inputs` for multiclass data, in its order. `range` (min/max of
 * pred_probs ignoring NaN) avoids a pass over pred_probs when already known.
 */
export function assertValidInputs(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { allowOneClass?: OneClassRule; range?: { min: number; max: number } } = {},
): void {
  assertValidLabels(labels, pp, opts.allowOneClass ?? false);
  assertValidRange(opts.range ?? clampedRange(pp));
}

// =======================================================================================
// Class grouping and thresholds (§3)

interface ClassGroups {
  /** c[k], as integers. */
  counts: Int32Array;
  /** classRows[classStart[k] .. classStart[k+1]) are the rows with label k, increasing. */
  classStart: Int32Array;
  classRows: Int32Array;
  /** self-confidences P[n][s[n]] in the same grouped order. */
  selfConf: Float64Array;
}

function checkLabelRange(labels: Int32Array, k: number): void {
  for (let i = 0, n = labels.length; i < n; i++) {
    const s = labels[i]!;
    if (s < 0 || s >= k) {
      throw new InputError('labels', `labels[${i}] = ${s} is not a class index in [0, ${k - 1}] (pred_probs has ${k} columns).`, {
        row: i,
      });
    }
  }
}

/** One pass over the labels (counting sort) and one gather of the self-confidences. */
function groupByClass(labels: Int32Array, pp: ProbMatrix): ClassGroups {
  const n = pp.n;
  const k = pp.k;
  if (labels.length !== n) throw new InputError('pred_probs', 'pred_probs and labels must have same length.');
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const s = labels[i]!;
    if (s < 0 || s >= k) checkLabelRange(labels, k); // throws with the first bad row
    counts[s]!++;
  }
  const classStart = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) classStart[c + 1] = classStart[c]! + counts[c]!;
  const cursor = classStart.slice(0, k);
  const classRows = new Int32Array(n);
  const selfConf = new Float64Array(n);
  const d = pp.data;
  for (let i = 0; i < n; i++) {
    const s = labels[i]!;
    const p = cursor[s]!++;
    classRows[p] = i;
    selfConf[p] = d[i * k + s]!;
  }
  return { counts, classStart, classRows, selfConf };
}

/**
 * Per-class thresholds from the per-class sums of self-confidences (pairwise-summed) and
 * the class counts: the mean, 2 for an absent class, clipped to ≥ 2e-6 (§3).
 */
export function thresholdsFromSums(sums: ArrayLike<number>, counts: ArrayLike<number>): Float64Array {
  const k = counts.length;
  if (sums.length !== k) throw new RangeError(`thresholdsFromSums: ${sums.length} sums for ${k} classes`);
  const t = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const m = counts[c]!;
    let v = m > 0 ? sums[c]! / m : 2;
    if (v < 2e-6) v = 2e-6; // np.clip: NaN stays NaN
    t[c] = v;
  }
  return t;
}

function thresholdsFromGroups(g: ClassGroups, k: number): Float64Array {
  const sums = new Float64Array(k);
  for (let c = 0; c < k; c++) sums[c] = pairwiseSum(g.selfConf, g.classStart[c]!, g.classStart[c + 1]!);
  return thresholdsFromSums(sums, g.counts);
}

/** Per-class thresholds t[k] (§3): mean self-confidence (pairwise sum), 2 if absent, ≥ 2e-6. */
export function getConfidentThresholds(labels: Int32Array, pp: ProbMatrix): Float64Array {
  return thresholdsFromGroups(groupByClass(labels, pp), pp.k);
}

/** c[k]: number of rows with given label k, zeros for absent classes. */
export function labelCounts(labels: Int32Array, k: number): Float64Array {
  const c = new Float64Array(k);
  for (let i = 0, n = labels.length; i < n; i++) {
    const s = labels[i]!;
    if (s < 0 || s >= k) {
      throw new InputError('labels', `labels[${i}] = ${s} is not a class index in [0, ${k - 1}].`, { row: i });
    }
    c[s]!++;
  }
  return c;
}

// =======================================================================================
// Confident joint (§4)

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
function confidentJointPass(labels: Int32Array, pp: ProbMatrix, thresholds: ArrayLike<number>): ConfidentJointCounts {
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

function checkThresholds(thresholds: ArrayLike<number>, k: number): void {
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

export interface ConfidentJointResult {
  thresholds: Float64Array;
  /** c[k], zeros for absent classes */
  labelCounts: Float64Array;
  /** UNcalibrated, diagonal clipped to ≥ 1 (§4), integers; rows = given label */
  confidentJoint: Matrix;
  /** rows counted off the diagonal (§4), increasing */
  offDiagonalIndices: Int32Array;
  /** calibrated (§5), summed column-major as cleanlab does for its own confident joint */
  calibrated: Matrix;
  // ---- extras shared by filter/rank/dataset so they need no further pass over N×K
  n: number;
  k: number;
  /** the same matrices, flat row-major */
  confidentJointFlat: Float64Array;
  calibratedFlat: Float64Array;
  /** rows grouped by given label: classRows[classStart[k] .. classStart[k+1]) */
  classStart: Int32Array;
  classRows: Int32Array;
  /** min(0, smallest value of pred_probs) and max(1, largest value), NaN ignored: enough for range checks */
  minValue: number;
  maxValue: number;
  /** off-diagonal rows kept by the near-argmax filter = num_label_issues(off_diagonal) */
  numOffDiagonalIssues: number;
  /** tie rule used for the calibration's rounding */
  tieOrder: TieOrder;
  /**
   * Row-major positions of the entries that are not +0 (see sparse.ts), or null when the
   * matrix holds a −0 or the dense path ran: lets the K×K steps skip the zeros.
   */
  confidentJointNonzeros: Int32Array | null;
  calibratedNonzeros: Int32Array | null;
}

/**
 * Thresholds, the confident joint (raw, diagonal-clipped), its off-diagonal rows and the
 * calibrated joint — one pass over the labels, one gather, ONE pass over N×K.
 * No cleanlab-style validation (compute_confident_joint does none), but labels must be
 * class indices in [0, K).
 */
export function computeConfidentJointFull(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { thresholds?: ArrayLike<number>; tieOrder?: TieOrder } = {},
): ConfidentJointResult {
  const k = pp.k;
  const groups = groupByClass(labels, pp);
  let thresholds: Float64Array;
  if (opts.thresholds) {
    checkThresholds(opts.thresholds, k);
    thresholds = Float64Array.from(opts.thresholds);
  } else {
    thresholds = thresholdsFromGroups(groups, k);
  }
  const pass = confidentJointPass(labels, pp, thresholds);
  return confidentJointFromCounts(pass, Float64Array.from(groups.counts), thresholds, {
    n: pp.n,
    tieOrder: opts.tieOrder ?? 'stable',
    classStart: groups.classStart,
    classRows: groups.classRows,
  });
}

/**
 * A ConfidentJointResult from raw kernel counts (countConfidentJoint, possibly summed over
 * row chunks): the diagonal clipped to ≥ 1 (§4, in place of `c.counts`), then calibrated
 * (§5). `labelCounts` are c[k] of all rows; the per-row extras (off-diagonal rows, rows
 * grouped by class) are empty unless given.
 */
export function confidentJointFromCounts(
  c: ConfidentJointCounts,
  labelCounts: Float64Array,
  thresholds: Float64Array,
  opts: { n: number; tieOrder?: TieOrder; classStart?: Int32Array; classRows?: Int32Array },
): ConfidentJointResult {
  const k = labelCounts.length;
  const ties = opts.tieOrder ?? 'stable';
  const cj = c.counts;
  if (cj.length !== k * k) throw new RangeError(`confidentJointFromCounts: ${cj.length} counts for ${k} classes`);
  for (let i = 0; i < k; i++) if (cj[i * k + i]! < 1) cj[i * k + i] = 1;
  const cjNonzeros = ties === 'stable' ? nonzeroPositions(cj) : null;
  const sparse = cjNonzeros ? calibrateSparse(cj, k, labelCounts, true, cjNonzeros, denseRowRounding(k)) : null;
  const calibrated = sparse ? sparse.out : calibrateFlat(cj, k, labelCounts, 'column', ties);
  // the nested-array views are built on first use (K×K arrays are large for big K)
  let cjMatrix: Matrix | undefined;
  let calMatrix: Matrix | undefined;
  return {
    thresholds,
    labelCounts,
    get confidentJoint(): Matrix {
      return (cjMatrix ??= toMatrix(cj, k));
    },
    offDiagonalIndices: c.offDiagonal,
    get calibrated(): Matrix {
      return (calMatrix ??= toMatrix(calibrated, k));
    },
    n: opts.n,
    k,
    confidentJointFlat: cj,
    calibratedFlat: calibrated,
    classStart: opts.classStart ?? new Int32Array(0),
    classRows: opts.classRows ?? new Int32Array(0),
    minValue: c.min,
    maxValue: c.max,
    numOffDiagonalIssues: c.offDiagonalIssues,
    tieOrder: ties,
    confidentJointNonzeros: cjNonzeros,
    calibratedNonzeros: sparse ? sparse.pattern : null,
  };
}

/** cleanlab `compute_confident_joint` (calibrate defaults to true). */
export function computeConfidentJoint(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { calibrate?: boolean; thresholds?: ArrayLike<number>; tieOrder?: TieOrder } = {},
): Matrix {
  const full = computeConfidentJointFull(labels, pp, opts);
  return opts.calibrate === false ? full.confidentJoint : full.calibrated;
}

// =======================================================================================
// Calibration (§5) and ROUND_PRESERVING_SUM

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
function denseRowRounding(k: number): (row: Float64Array, out: Float64Array, oo: number) => void {
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

// =======================================================================================
// Joint (§6)

function normaliseJoint(c: Float64Array): Float64Array {
  const total = pairwiseSum(c);
  const den = total > 1e-100 ? total : total !== total ? total : 1e-100;
  const j = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) j[i] = c[i]! / den;
  return j;
}

/** Flat joint J = calibrated C / ΣC (see estimateJoint). */
export function estimateJointFlat(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: {
    confidentJoint?: Matrix;
    sumOrder?: SumOrder;
    precomputed?: ConfidentJointResult;
    tieOrder?: TieOrder;
  } = {},
): { flat: Float64Array; k: number; nonzeros?: Int32Array | null } {
  if (opts.confidentJoint) {
    const { flat, k } = fromMatrix(opts.confidentJoint);
    if (!labels) return { flat: normaliseJoint(flat), k };
    const counts = labelCounts(labels, k);
    return { flat: normaliseJoint(calibrateFlat(flat, k, counts, opts.sumOrder ?? 'column', opts.tieOrder ?? 'stable')), k };
  }
  const pre = opts.precomputed ?? requirePre(labels, pp, opts.tieOrder);
  const nz = pre.calibratedNonzeros;
  if (nz) {
    // normaliseJoint on the pattern: 0 / den is +0 for the den ≥ 1e-100 a non-NaN total gives
    const c = pre.calibratedFlat;
    const total = sparseTotal(c, nz);
    if (total === total) {
      const den = total > 1e-100 ? total : 1e-100;
      const j = new Float64Array(c.length);
      let pattern: Int32Array | null = nz;
      for (let t = 0; t < nz.length; t++) {
        const v = c[nz[t]!]! / den;
        if (v === 0) pattern = null; // an underflow to ±0: no pattern for the joint
        j[nz[t]!] = v;
      }
      return { flat: j, k: pre.k, nonzeros: pattern };
    }
  }
  return { flat: normaliseJoint(pre.calibratedFlat), k: pre.k };
}

function requirePre(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  ties: TieOrder | undefined,
): ConfidentJointResult {
  if (!labels || !pp) {
    throw new InputError('labels', 'labels and pred_probs are required when no confident_joint (or joint) is supplied.');
  }
  return computeConfidentJointFull(labels, pp, { tieOrder: ties ?? 'stable' });
}

/**
 * cleanlab `estimate_joint`: calibrated confident joint divided by its total. A supplied
 * confident joint is calibrated when labels are given (summed in `sumOrder`, default
 * 'column' = cleanlab's own CJ), used as is otherwise.
 */
export function estimateJoint(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: { confidentJoint?: Matrix; sumOrder?: SumOrder; precomputed?: ConfidentJointResult; tieOrder?: TieOrder } = {},
): Matrix {
  const { flat, k } = estimateJointFlat(labels, pp, opts);
  return toMatrix(flat, k);
}

// =======================================================================================
// Latent estimates (§7)

export interface LatentEstimates {
  py: number[];
  noiseMatrix: Matrix;
  inverseNoiseMatrix: Matrix;
}

function guard(x: number): number {
  return x > 1e-100 ? x : x !== x ? x : 1e-100;
}

/** CLIP_VALUES(x, low, high, new_sum=1) in place. */
function clipValues(x: Float64Array, low: number, high: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v < low ? low : v > high ? high : v;
  }
  const s = guard(pairwiseSum(x));
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! * 1.0) / s;
}

/**
 * K×K matrices of the latent estimation share the zero pattern of the confident joint:
 * NM[i][j] = C[i][j]/cs[j], INV[j][i] = C[i][j]/rs[i], and every later step multiplies or
 * divides entries by positive finite numbers, clips (0 stays 0) or normalises by sums (to
 * which a +0 adds nothing). So they are stored on that pattern only (rows i, columns j
 * increasing — the same summation order as the dense matrices), which makes large sparse K
 * cheap and leaves every result bit-identical. A confident joint holding a non-finite value
 * uses the full pattern (dense semantics, NaN propagation included).
 */
interface Pattern {
  k: number;
  rowStart: Int32Array;
  col: Int32Array;
  /** position of (i, i) in the pattern, or −1 */
  diag: Int32Array;
}

function patternOf(c: Float64Array, k: number, nonzeros?: Int32Array | null): Pattern {
  if (nonzeros) {
    // the same pattern from the known nonzero positions (all ≠ 0), unless one is not finite
    let finite = true;
    for (let t = 0; t < nonzeros.length; t++) if (!Number.isFinite(c[nonzeros[t]!]!)) finite = false;
    if (finite) {
      const rowStart = new Int32Array(k + 1);
      const col = new Int32Array(nonzeros.length);
      const diag = new Int32Array(k).fill(-1);
      for (let t = 0; t < nonzeros.length; t++) {
        const p = nonzeros[t]!;
        const i = (p / k) | 0;
        const j = p - i * k;
        rowStart[i + 1]!++;
        col[t] = j;
        if (i === j) diag[i] = t;
      }
      for (let i = 0; i < k; i++) rowStart[i + 1] = rowStart[i + 1]! + rowStart[i]!;
      return { k, rowStart, col, diag };
    }
  }
  let finite = true;
  let nnz = 0;
  for (let e = 0; e < k * k; e++) {
    const v = c[e]!;
    if (!Number.isFinite(v)) finite = false;
    if (v !== 0) nnz++;
  }
  const dense = !finite;
  if (dense) nnz = k * k;
  const rowStart = new Int32Array(k + 1);
  const col = new Int32Array(nnz);
  const diag = new Int32Array(k).fill(-1);
  let e = 0;
  for (let i = 0; i < k; i++) {
    rowStart[i] = e;
    for (let j = 0; j < k; j++) {
      if (dense || c[i * k + j]! !== 0) {
        if (i === j) diag[i] = e;
        col[e++] = j;
      }
    }
  }
  rowStart[k] = e;
  return { k, rowStart, col, diag };
}

/** CLIP_NOISE_RATES of NM (on the pattern): clip off-diagonal, normalise columns. */
function clipNoiseRatesP(p: Pattern, v: Float64Array, colsum: Float64Array): void {
  const { k, rowStart, col } = p;
  colsum.fill(0);
  for (let i = 0; i < k; i++) {
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      let x = v[e]!;
      if (j !== i) {
        x = x < 0 ? 0 : x > 0.9999 ? 0.9999 : x;
        v[e] = x;
      }
      colsum[j] = colsum[j]! + x;
    }
  }
  for (let j = 0; j < k; j++) colsum[j] = guard(colsum[j]!);
  for (let e = 0; e < v.length; e++) v[e] = v[e]! / colsum[col[e]!]!;
}

/**
 * CLIP_NOISE_RATES of INV stored transposed (invT[i][j] = INV[j][i]) on the pattern: column i
 * of INV is row i of invT, summed top-to-bottom of INV = left-to-right of invT.
 */
function clipNoiseRatesTP(p: Pattern, v: Float64Array): void {
  const { k, rowStart, col } = p;
  for (let i = 0; i < k; i++) {
    const e0 = rowStart[i]!;
    const e1 = rowStart[i + 1]!;
    let sum = 0;
    for (let e = e0; e < e1; e++) {
      let x = v[e]!;
      if (col[e]! !== i) {
        x = x < 0 ? 0 : x > 0.9999 ? 0.9999 : x;
        v[e] = x;
      }
      sum += x;
    }
    const g = guard(sum);
    for (let e = e0; e < e1; e++) v[e] = v[e]! / g;
  }
}

function diagOf(p: Pattern, v: Float64Array, i: number): number {
  const e = p.diag[i]!;
  return e < 0 ? 0 : v[e]!;
}

/**
 * cleanlab `estimate_latent` on a flat confident joint (rows given, columns true).
 * Returns py, NM (row-major) and INV (row-major, true on rows).
 */
export function estimateLatentFlat(
  cj: Float64Array,
  k: number,
  counts: ArrayLike<number>,
  opts: { pyMethod?: PyMethod; convergeLatentEstimates?: boolean; nonzeros?: Int32Array | null } = {},
): { py: Float64Array; nm: Float64Array; inv: Float64Array } {
  const pyMethod = opts.pyMethod ?? 'cnt';
  if (!isOneOf(PY_METHODS, pyMethod)) {
    throw new InputError('py_method', `py_method '${String(pyMethod)}' is not valid; choose one of: ${PY_METHODS.join(', ')}.`);
  }
  let n = 0;
  for (let i = 0; i < k; i++) n += counts[i]!;
  const ps = new Float64Array(k);
  for (let i = 0; i < k; i++) ps[i] = counts[i]! / n;
  let rs: Float64Array;
  let cs: Float64Array;
  if (opts.nonzeros) ({ rs, cs } = sequentialRowColSums(cj, opts.nonzeros, k));
  else {
    rs = new Float64Array(k);
    cs = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let r = 0;
      for (let j = 0; j < k; j++) {
        const v = cj[i * k + j]!;
        r += v;
        cs[j] = cs[j]! + v;
      }
      rs[i] = r;
    }
  }
  const p = patternOf(cj, k, opts.nonzeros);
  const { rowStart, col } = p;
  const nnz = col.length;
  const nm = new Float64Array(nnz); // NM[i][j]
  const invT = new Float64Array(nnz); // invT[i][j] = INV[j][i]
  for (let i = 0; i < k; i++) {
    const gi = guard(rs[i]!);
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      const v = cj[i * k + j]!;
      nm[e] = v / guard(cs[j]!);
      invT[e] = v / gi;
    }
  }
  const py = new Float64Array(k);
  switch (pyMethod) {
    case 'cnt':
      for (let c = 0; c < k; c++) py[c] = (diagOf(p, invT, c) / guard(diagOf(p, nm, c))) * ps[c]!;
      break;
    case 'eqn': {
      const dense = new Float64Array(k * k);
      for (let i = 0; i < k; i++) for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) dense[i * k + col[e]!] = nm[e]!;
      let inv: number[][];
      try {
        const { Matrix: MlMatrix, inverse: mlInverse } = ml();
        inv = mlInverse(new MlMatrix(toMatrix(dense, k))).to2DArray();
      } catch {
        throw new InputError('py_method', "py_method='eqn' needs an invertible noise matrix; it is singular (e.g. a class has no examples).");
      }
      let singular = false;
      for (let i = 0; i < k; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += inv[i]![j]! * ps[j]!;
        if (!Number.isFinite(s)) singular = true;
        py[i] = s;
      }
      if (singular) {
        throw new InputError('py_method', "py_method='eqn' needs an invertible noise matrix; it is singular (e.g. a class has no examples).");
      }
      break;
    }
    case 'marginal': {
      const tot = guard(pairwiseSum(cs));
      for (let c = 0; c < k; c++) py[c] = cs[c]! / tot;
      break;
    }
    case 'marginal_ps':
      // py[j] = Σ_i INV[j][i] ps[i] = Σ_i invT[i][j] ps[i], i increasing
      for (let i = 0; i < k; i++) {
        for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
          const j = col[e]!;
          py[j] = py[j]! + invT[e]! * ps[i]!;
        }
      }
      break;
  }
  clipValues(py, 1e-6, 1.0);
  const colsum = new Float64Array(k);
  clipNoiseRatesP(p, nm, colsum);
  clipNoiseRatesTP(p, invT);
  if (opts.convergeLatentEstimates) {
    const psg = new Float64Array(k);
    for (let i = 0; i < k; i++) psg[i] = guard(ps[i]!);
    const invDiag = new Float64Array(k);
    const pyg = new Float64Array(k);
    for (let outer = 0; outer < 3; outer++) {
      for (let inner = 0; inner < 5; inner++) {
        // INV = CLIP_NOISE_RATES(INV[j][i] = NM[i][j]·py[j] / ps[i]), stored as invT[i][j].
        // Within the 5 inner rounds NM is fixed and py needs only INV's diagonal, so the
        // whole matrix is written in the last round only.
        const materialize = inner === 4;
        for (let i = 0; i < k; i++) {
          const e0 = rowStart[i]!;
          const e1 = rowStart[i + 1]!;
          const dps = psg[i]!;
          let sum = 0;
          if (materialize) {
            for (let e = e0; e < e1; e++) {
              let v = (nm[e]! * py[col[e]!]!) / dps;
              if (col[e]! !== i) v = v < 0 ? 0 : v > 0.9999 ? 0.9999 : v;
              invT[e] = v;
              sum += v;
            }
            const g = guard(sum);
            for (let e = e0; e < e1; e++) invT[e] = invT[e]! / g;
            invDiag[i] = diagOf(p, invT, i);
          } else {
            for (let e = e0; e < e1; e++) {
              let v = (nm[e]! * py[col[e]!]!) / dps;
              if (col[e]! !== i) v = v < 0 ? 0 : v > 0.9999 ? 0.9999 : v;
              sum += v;
            }
            const de = p.diag[i]!;
            invDiag[i] = de < 0 ? 0 : (nm[de]! * py[i]!) / dps / guard(sum);
          }
        }
        for (let c = 0; c < k; c++) py[c] = (invDiag[c]! / guard(diagOf(p, nm, c))) * ps[c]!;
        clipValues(py, 1e-6, 1.0);
      }
      // NM = CLIP_NOISE_RATES(NM[i][j] = INV[j][i]·ps[i] / py[j]), column sums top to bottom
      for (let j = 0; j < k; j++) pyg[j] = guard(py[j]!);
      colsum.fill(0);
      for (let i = 0; i < k; i++) {
        const pi = ps[i]!;
        for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
          const j = col[e]!;
          let v = (invT[e]! * pi) / pyg[j]!;
          if (j !== i) v = v < 0 ? 0 : v > 0.9999 ? 0.9999 : v;
          nm[e] = v;
          colsum[j] = colsum[j]! + v;
        }
      }
      for (let j = 0; j < k; j++) colsum[j] = guard(colsum[j]!);
      for (let e = 0; e < nnz; e++) nm[e] = nm[e]! / colsum[col[e]!]!;
    }
    clipValues(py, 1e-5, 1.0);
    clipNoiseRatesP(p, nm, colsum);
    clipNoiseRatesTP(p, invT);
  }
  const nmDense = new Float64Array(k * k);
  const invDense = new Float64Array(k * k); // INV[j][i], true on rows
  for (let i = 0; i < k; i++) {
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      nmDense[i * k + j] = nm[e]!;
      invDense[j * k + i] = invT[e]!;
    }
  }
  return { py, nm: nmDense, inv: invDense };
}

/** cleanlab `estimate_latent(confident_joint, labels, py_method, converge_latent_estimates=False)`. */
export function estimateLatent(
  cj: Matrix,
  labelCountsIn: ArrayLike<number>,
  opts: { pyMethod?: PyMethod; convergeLatentEstimates?: boolean } = {},
): LatentEstimates {
  const { flat, k } = fromMatrix(cj);
  const r = estimateLatentFlat(flat, k, labelCountsIn, opts);
  return { py: Array.from(r.py), noiseMatrix: toMatrix(r.nm, k), inverseNoiseMatrix: toMatrix(r.inv, k) };
}

/** Options of estimatePyAndNoiseMatricesFromProbabilities / …Flat. */
export interface LatentOptions {
  convergeLatentEstimates?: boolean;
  pyMethod?: PyMethod;
  precomputed?: ConfidentJointResult;
  tieOrder?: TieOrder;
}

/**
 * cleanlab `estimate_py_and_noise_matrices_from_probabilities`: calibrated confident joint,
 * then estimate_latent with converge_latent_estimates=True by default.
 */
export function estimatePyAndNoiseMatricesFromProbabilities(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: LatentOptions = {},
): LatentEstimates & { confidentJoint: Matrix } {
  const pre = opts.precomputed ?? computeConfidentJointFull(labels, pp, { tieOrder: opts.tieOrder ?? 'stable' });
  const r = estimatePyAndNoiseMatricesFlat(labels, pp, { ...opts, precomputed: pre });
  return {
    py: Array.from(r.py),
    noiseMatrix: toMatrix(r.nm, pre.k),
    inverseNoiseMatrix: toMatrix(r.inv, pre.k),
    get confidentJoint(): Matrix {
      return pre.calibrated;
    },
  };
}

/**
 * estimatePyAndNoiseMatricesFromProbabilities with flat row-major K×K results (no nested
 * arrays): py, noise matrix P(given | true) and inverse noise matrix P(true | given).
 */
export function estimatePyAndNoiseMatricesFlat(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: LatentOptions = {},
): { k: number; py: Float64Array; nm: Float64Array; inv: Float64Array } {
  const pre = opts.precomputed ?? computeConfidentJointFull(labels, pp, { tieOrder: opts.tieOrder ?? 'stable' });
  const r = estimateLatentFlat(pre.calibratedFlat, pre.k, pre.labelCounts, {
    pyMethod: opts.pyMethod ?? 'cnt',
    convergeLatentEstimates: opts.convergeLatentEstimates ?? true,
    nonzeros: pre.calibratedNonzeros,
  });
  return { k: pre.k, py: r.py, nm: r.nm, inv: r.inv };
}

// =======================================================================================
// num_label_issues (§8)

/** Off-diagonal rows that survive the near-argmax filter (§10.9) = num_label_issues(off_diagonal). */
export function countOffDiagonalIssues(pre: ConfidentJointResult): number {
  return pre.numOffDiagonalIssues;
}

function traceOf(flat: Float64Array, k: number): number {
  return pairwiseSumStrided(flat, 0, k, k + 1);
}

export const CONFIDENT_JOINT_IGNORED_WARNING =
  'The supplied `confident_joint` is ignored as `confident_joint` is recomputed internally using the supplied `labels` and `pred_probs`. If you still want to use custom `confident_joint` call function with `estimation_method=\'off_diagonal_custom\'`.';

/** cleanlab `num_label_issues` (validates its inputs; one class not allowed). */
export function numLabelIssues(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: {
    estimationMethod?: NumLabelIssuesMethod;
    confidentJoint?: Matrix;
    precomputed?: ConfidentJointResult;
    sumOrder?: SumOrder;
    tieOrder?: TieOrder;
    warnings?: string[];
  } = {},
): number {
  const method = opts.estimationMethod ?? 'off_diagonal';
  if (opts.confidentJoint && method !== 'off_diagonal_custom') opts.warnings?.push(CONFIDENT_JOINT_IGNORED_WARNING);
  assertValidLabels(labels, pp, false);
  const known = isOneOf(NUM_LABEL_ISSUES_METHODS, method);
  const ties = opts.tieOrder ?? opts.precomputed?.tieOrder ?? 'stable';
  const pre =
    known && method !== 'off_diagonal_custom'
      ? (opts.precomputed ?? computeConfidentJointFull(labels, pp, { tieOrder: ties }))
      : opts.precomputed;
  assertValidRange(pre ? rangeOf(pre) : clampedRange(pp));
  if (!known) {
    throw new InputError(
      'estimation_method',
      `estimation_method '${String(method)}' is not a valid method; choose one of: ${NUM_LABEL_ISSUES_METHODS.join(', ')}.`,
    );
  }
  if (method === 'off_diagonal_custom') {
    if (!opts.confidentJoint) {
      throw new InputError(
        'confident_joint',
        "estimation_method='off_diagonal_custom' requires a confident_joint; none was supplied.",
      );
    }
    const { flat, k } = estimateJointFlat(labels, pp, {
      confidentJoint: opts.confidentJoint,
      sumOrder: opts.sumOrder ?? 'column',
      tieOrder: ties,
    });
    return roundHalfEven((1.0 - traceOf(flat, k)) * labels.length);
  }
  if (method === 'off_diagonal') return countOffDiagonalIssues(pre!);
  const j = normaliseJoint(pre!.calibratedFlat);
  return roundHalfEven((1.0 - traceOf(j, pre!.k)) * labels.length);
}

/**
 * num_label_issues (off_diagonal) of a ConfidentJointResult assembled from counts
 * (confidentJointFromCounts over row chunks), with numLabelIssues' input checks done on
 * the class counts and the value range instead of N-long arrays.
 */
export function numLabelIssuesFromCounts(pre: ConfidentJointResult): number {
  assertValidLabelCounts(pre.labelCounts, false);
  assertValidRange(rangeOf(pre));
  return countOffDiagonalIssues(pre);
}

export function rangeOf(pre: ConfidentJointResult): { min: number; max: number } {
  return { min: pre.minValue, max: pre.maxValue };
}
