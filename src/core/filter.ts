/**
 * cleanlab `filter.find_label_issues` (spec §10) for all seven `filter_by` methods.
 * One shared ConfidentJointResult (thresholds, joint, off-diagonal rows, rows grouped by
 * class) feeds everything; pruning selects with O(m) selection per (class, class) pair,
 * and only the flagged rows are sorted (when ranking).
 */
import { argsortBy, markSmallest, stableCut, type TieOrder } from './argsort.js';
import {
  assertValidLabels,
  assertValidLabelCounts,
  assertValidRange,
  CONFIDENT_JOINT_IGNORED_WARNING,
  computeConfidentJointFull,
  countOffDiagonalIssues,
  fromMatrix,
  rangeOf,
  roundRowsPreservingSum,
  clampedRange,
  type ConfidentJointResult,
} from './count.js';
import { InputError } from './errors.js';
import { firstArgmax, givenIsNearArgmax, pairwiseSum } from './numeric.js';
import { rowPointers } from './sparse.js';
import { assertScoringOptions, makeRowScorer, scoreRow, scoreRows, type RowScorer } from './rank.js';
import { FILTER_BY_VALUES, isOneOf, type FilterBy, type Matrix, type ProbMatrix, type RankBy } from './types.js';

export interface FindLabelIssuesOptions {
  filterBy?: FilterBy;
  fracNoise?: number;
  numToRemovePerClass?: number[];
  minExamplesPerClass?: number;
  /** used as given (no calibration) by the prune methods; ignored by the others */
  confidentJoint?: Matrix;
  /** tie rule of every sort (default 'stable', the documented rule; 'numpy' = cleanlab on numpy 1.24) */
  tieOrder?: TieOrder;
}

export interface FindLabelIssuesResult {
  mask: Uint8Array;
  /** flagged rows, increasing */
  indices: Int32Array;
  /** cleanlab's warnings (texts), in the order they arose */
  warnings: string[];
}

const NO_PRUNE_METHODS: readonly FilterBy[] = [
  'confident_learning',
  'predicted_neq_given',
  'low_normalized_margin',
  'low_self_confidence',
];

export const FRAC_NOISE_IGNORED_WARNING =
  "frac_noise and num_to_remove_per_class parameters are only supported for filter_by 'prune_by_noise_rate', 'prune_by_class', and 'both'. They are not supported for methods 'confident_learning', 'predicted_neq_given', 'low_normalized_margin' or 'low_self_confidence'.";

/** cleanlab's warning when prune_by_noise_rate skips class k (c[k] ≤ min_examples_per_class). */
export function warnTooFewNoiseRate(k: number): string {
  return `May not flag all label issues in class: ${k}, it has too few examples (see \`min_examples_per_class\` argument)`;
}
/** cleanlab's warning when prune_by_class skips class k (c[k] ≤ min_examples_per_class). */
export function warnTooFewByClass(k: number): string {
  return `May not flag all label issues in class: ${k}, it has too few examples (see argument: \`min_examples_per_class\`)`;
}

/**
 * find_label_issues' option checks after the label checks, in cleanlab's order: the
 * frac_noise / num_to_remove_per_class warning and refusal for the methods that do not
 * prune, then one num_to_remove_per_class entry per class. Warnings go to `warnings`.
 */
export function checkFindLabelIssuesOptions(
  filterBy: FilterBy,
  fracNoise: number,
  numToRemovePerClass: ArrayLike<number> | undefined,
  k: number,
  warnings: string[],
): void {
  const ntr = numToRemovePerClass;
  const noPrune = NO_PRUNE_METHODS.includes(filterBy);
  if (noPrune && (fracNoise !== 1.0 || ntr !== undefined)) warnings.push(FRAC_NOISE_IGNORED_WARNING);
  if (noPrune && ntr !== undefined) {
    throw new InputError(
      'num_to_remove_per_class',
      "filter_by 'confident_learning', 'predicted_neq_given', 'low_normalized_margin' or 'low_self_confidence' is not supported (yet) when setting 'num_to_remove_per_class'",
    );
  }
  if (ntr !== undefined && ntr.length !== k) {
    throw new InputError('num_to_remove_per_class', `num_to_remove_per_class must have one entry per class (${k}); got ${ntr.length}.`);
  }
}

/**
 * The prune selections of prune_by_class (§10.3) and prune_by_noise_rate (§10.4) that
 * cleanlab makes, with its warnings, in its order: `select(col, -1, u)` = flag the u rows of
 * class col with the lowest P[n][col]; `select(col, j, v)` = flag the v rows of class col
 * with the largest P[n][j] − P[n][col]. `columns(col)` is row col of the transposed prune
 * count matrix (pruneCountColumns); 'both' makes both families. Classes with c[k] ≤
 * min_examples_per_class are skipped with a warning, classes of one row silently.
 */
export function planPruneSelections(
  columns: PruneColumns,
  k: number,
  counts: ArrayLike<number>,
  minExamplesPerClass: number,
  filterBy: FilterBy,
  warnings: string[],
  select: (col: number, j: number, count: number) => void,
): void {
  if (filterBy !== 'prune_by_noise_rate') {
    for (let col = 0; col < k; col++) {
      const m = counts[col]!;
      if (m <= minExamplesPerClass) warnings.push(warnTooFewByClass(col));
      // cleanlab copies a class's mask back only when it has > 1 row
      else if (m > 1) {
        const u = m - columns(col).values[col]!;
        if (u >= 1) select(col, -1, u); // S1: lowest P[n][k] first
      }
    }
  }
  if (filterBy !== 'prune_by_class') {
    for (let col = 0; col < k; col++) {
      const m = counts[col]!;
      if (m <= minExamplesPerClass) warnings.push(warnTooFewNoiseRate(col));
      else if (m > 1) {
        const { values: q, support } = columns(col);
        const len = support ? support.length : k;
        for (let t = 0; t < len; t++) {
          const j = support ? support[t]! : t;
          if (j === col) continue;
          const v = q[j]!;
          if (v > 0) select(col, j, v); // S2: largest P[n][j] − P[n][k] first
        }
      }
    }
  }
}

/** numpy `astype(int)`: truncation; NaN/±inf/out of range become int64 min. */
function toInt64Like(x: number): number {
  if (x !== x || x >= 9223372036854775807 || x < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(x);
}

function transposeSquare(a: Float64Array, k: number): Float64Array {
  const t = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) t[j * k + i] = a[i * k + j]!;
  return t;
}

/**
 * The prune count matrix Q (§10.2), row-major: Q[j][k] = how many rows with given label k to
 * flag as having true label j. `c` is the confident joint (rows given), used as is.
 */
export function pruneCountMatrix(...args: Parameters<typeof pruneCountMatrixT>): Float64Array {
  return transposeSquare(pruneCountMatrixT(...args), args[1]);
}

/**
 * Row col of the transposed prune count matrix (§10.2 without num_to_remove_per_class:
 * _keep_at_least_n_per_class, _reduce_prune_counts, astype(int)) into out[oo .. oo+K).
 */
function pruneColumnInto(
  c: Float64Array,
  k: number,
  col: number,
  minExamplesPerClass: number,
  fracNoise: number,
  out: Float64Array,
  oo: number,
): void {
  // _keep_at_least_n_per_class: raise the diagonal to min_examples_per_class and take
  // the increase evenly from the column's other entries (zeros included, then clipped)
  const d = c[col * k + col]!;
  const d2 = d !== d ? d : d > minExamplesPerClass ? d : minExamplesPerClass; // np.maximum
  const delta = d2 - d;
  let nnz = 0;
  for (let j = 0; j < k; j++) if (c[col * k + j]! !== 0) nnz++;
  const z = Math.max(nnz - 1.0, 1.0);
  const take = delta / z;
  // _reduce_prune_counts: off-diagonal × frac_noise, the diagonal gets what was removed
  // (summed top to bottom; the diagonal's own term q − q is 0 unless q is not finite);
  // then astype(int): truncation (the row-rounding pass that follows leaves integers
  // unchanged). One fused pass: each entry's value only depends on its own c.
  let sum = 0;
  for (let j = 0; j < k; j++) {
    let q1: number;
    if (j === col) q1 = d2;
    else {
      const v = c[col * k + j]! - take;
      q1 = v < 0 ? 0 : v;
    }
    const q2 = j === col ? q1 : q1 * fracNoise;
    sum += q1 - q2;
    out[oo + j] = toInt64Like(q2);
  }
  out[oo + col] = toInt64Like(d2 + sum);
}

/**
 * Row col of the transposed prune count matrix Qt (= column col of Q): K values, of which
 * only those at `support` (increasing) can be nonzero, or all when support is null.
 */
export interface PruneColumn {
  values: ArrayLike<number>;
  support: Int32Array | null;
}
export type PruneColumns = (col: number) => PruneColumn;

/**
 * The prune count matrix column by column (see pruneCountMatrixT): without
 * num_to_remove_per_class each column is computed on demand into one K-length buffer (no
 * K×K matrix) — on the nonzero pattern of c when one is given (sparse.ts: a +0 entry of c
 * gives 0 here and adds +0 to the diagonal's sum whenever the amount taken from the column
 * is finite and ≥ 0 and frac_noise is finite and ≥ 0); with it, views of the whole matrix.
 */
export function pruneCountColumns(
  ...args: [...Parameters<typeof pruneCountMatrixT>, nonzeros?: Int32Array | null]
): PruneColumns {
  const [c, k, , minExamplesPerClass, fracNoise, numToRemovePerClass, , , nonzeros] = args;
  if (numToRemovePerClass) {
    const qt = pruneCountMatrixT(...(args.slice(0, 8) as Parameters<typeof pruneCountMatrixT>));
    return (col) => ({ values: qt.subarray(col * k, col * k + k), support: null });
  }
  const buf = new Float64Array(k);
  if (!nonzeros || !(fracNoise >= 0 && fracNoise < Infinity)) {
    return (col) => {
      pruneColumnInto(c, k, col, minExamplesPerClass, fracNoise, buf, 0);
      return { values: buf, support: null };
    };
  }
  const ptr = rowPointers(nonzeros, k);
  const support = new Int32Array(k);
  let written = 0; // support[0..written) of the previous column, or −1 after a dense one
  return (col) => {
    if (written < 0) buf.fill(0);
    else for (let t = 0; t < written; t++) buf[support[t]!] = 0;
    const o = col * k;
    const d = c[o + col]!;
    const d2 = d !== d ? d : d > minExamplesPerClass ? d : minExamplesPerClass;
    const take = (d2 - d) / Math.max(ptr[col + 1]! - ptr[col]! - 1.0, 1.0);
    if (!(take >= 0 && take < Infinity)) {
      pruneColumnInto(c, k, col, minExamplesPerClass, fracNoise, buf, 0);
      written = -1;
      return { values: buf, support: null };
    }
    // pruneColumnInto on the row's nonzero slots and the diagonal, in increasing j
    let len = 0;
    let sum = 0;
    let diagDone = false;
    const visit = (j: number, x: number): void => {
      let q1: number;
      if (j === col) q1 = d2;
      else {
        const v = x - take;
        q1 = v < 0 ? 0 : v;
      }
      const q2 = j === col ? q1 : q1 * fracNoise;
      sum += q1 - q2;
      buf[j] = toInt64Like(q2);
      support[len++] = j;
    };
    for (let t = ptr[col]!, end = ptr[col + 1]!; t < end; t++) {
      const j = nonzeros[t]! - o;
      if (!diagDone && j >= col) {
        visit(col, d);
        diagDone = true;
        if (j === col) continue;
      }
      visit(j, c[o + j]!);
    }
    if (!diagDone) visit(col, d);
    buf[col] = toInt64Like(d2 + sum);
    written = len;
    return { values: buf, support: support.subarray(0, len) };
  };
}

/**
 * The prune count matrix stored transposed: Qt[k][j] = Q[j][k], so column k of Q (given
 * label k) is the contiguous row k of Qt — and Q0 = Cᵀ means Qt starts as C itself.
 * Every step below is cleanlab's column operation written on rows.
 */
export function pruneCountMatrixT(
  c: Float64Array,
  k: number,
  counts: ArrayLike<number>,
  minExamplesPerClass: number,
  fracNoise: number,
  numToRemovePerClass: ArrayLike<number> | undefined,
  ties: TieOrder,
  warnings: string[],
): Float64Array {
  const qt = new Float64Array(k * k);
  for (let col = 0; col < k; col++) pruneColumnInto(c, k, col, minExamplesPerClass, fracNoise, qt, col * k);
  if (!numToRemovePerClass) return qt;
  const kk = k * k;
  const r = numToRemovePerClass;
  const q = transposeSquare(qt, k);
  const rowsum = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let m = 0; m < k; m++) s += q[j * k + m]!;
    rowsum[j] = s;
  }
  // ψ[j][k] = Q[j][k] / (row sum of row k): cleanlab's broadcasting quirk
  const psi = new Float64Array(kk);
  for (let j = 0; j < k; j++) for (let col = 0; col < k; col++) psi[j * k + col] = q[j * k + col]! / rowsum[col]!;
  const t = new Float64Array(kk);
  let bad = false;
  for (let j = 0; j < k; j++) {
    const nu = pairwiseSum(psi, j * k, j * k + k) - psi[j * k + j]!;
    for (let col = 0; col < k; col++) {
      const v = (psi[j * k + col]! * r[j]!) / nu;
      t[j * k + col] = v;
      if (col !== j && !Number.isFinite(v)) bad = true;
    }
  }
  for (let col = 0; col < k; col++) t[col * k + col] = counts[col]! - r[col]!;
  if (bad) {
    warnings.push(
      'num_to_remove_per_class: some noise rates are undefined (a class has no off-diagonal counts, e.g. a class without examples); those prune counts are ignored (cleanlab: RuntimeWarning: invalid value encountered in divide)',
    );
  }
  const rounded = roundRowsPreservingSum(t, k, ties);
  for (let i = 0; i < kk; i++) rounded[i] = toInt64Like(rounded[i]!);
  return transposeSquare(rounded, k);
}

const SAMPLE_MAX = 512;
/** tasks flagging more rows than this in classes of at least BOUND_MIN_CLASS rows use a sampled bound */
const HEAP_MAX_V = 256;
const BOUND_MIN_CLASS = 4096;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/** The next float64 above x (x finite). */
function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  u64[0] = x > 0 ? u64[0]! + 1n : u64[0]! - 1n;
  return f64[0]!;
}

/** Max-heap order on (key, row): numpy order of keys (NaN largest), then row. */
function heapGreater(ka: number, ra: number, kb: number, rb: number): boolean {
  if (ka !== ka) return kb === kb || ra > rb;
  if (kb !== kb) return false;
  return ka > kb || (ka === kb && ra > rb);
}

/**
 * All prune selections (§10.3 S1, §10.4 S2). Task a, for class k = col[a] with subset R
 * (classRows[classStart[k] .. +m)), flags in out[a] the first v[a] rows of a stable ascending
 * sort of key_a(n) = P[n][k] − P[n][j_a] (j_a ≥ 0, prune_by_noise_rate; this is cleanlab's
 * −(P[j] − P[k]) bit for bit up to the sign of zero) or P[n][k] (j_a = −1, prune_by_class).
 *
 * ONE sequential pass over the rows serves every task (each row only does work for the tasks
 * of its own given class). Each task keeps a threshold; only keys below it reach the slow path:
 * - "heap" tasks (small v) keep the v smallest (key, row) pairs seen so far in a max-heap; rows
 *   arrive in increasing order, so a later row replaces the heap's maximum only with a
 *   strictly smaller key — exactly the first v of a stable sort;
 * - "bound" tasks (large v in large classes) take a bound from an evenly spaced sample of R
 *   that the v-th smallest key very likely stays under, collect the keys ≤ bound, and select
 *   exactly among them (every key ≤ bound is a candidate, so ≥ v candidates suffice for an
 *   exact answer; otherwise, or on buffer overflow, the task is redone by full selection).
 */
export class PruneSelector {
  private readonly cols: number[] = [];
  private readonly js: number[] = [];
  private readonly vs: number[] = [];
  private readonly outs: Uint8Array[] = [];

  add(col: number, j: number, v: number, out: Uint8Array): void {
    this.cols.push(col);
    this.js.push(j);
    this.vs.push(v);
    this.outs.push(out);
  }

  /** Exact selection of task a over its whole class subset. */
  private full(
    a: number,
    d: ArrayLike<number>,
    k: number,
    rows: Int32Array,
    base: number,
    m: number,
    ties: TieOrder,
    keys: Float64Array,
    scratch: Float64Array,
  ): void {
    const col = this.cols[a]!;
    const j = this.js[a]!;
    if (j < 0) for (let t = 0; t < m; t++) keys[t] = d[rows[base + t]! * k + col]!;
    else
      for (let t = 0; t < m; t++) {
        const o = rows[base + t]! * k;
        keys[t] = d[o + col]! - d[o + j]!;
      }
    markSmallest(keys, m, this.vs[a]!, ties, scratch, this.outs[a]!, rows, base);
  }

  run(
    d: ArrayLike<number>,
    k: number,
    labels: Int32Array,
    rows: Int32Array,
    starts: Int32Array,
    ties: TieOrder,
  ): void {
    const nTasks = this.cols.length;
    if (nTasks === 0) return;
    const n = labels.length;
    let maxClass = 0;
    for (let c = 0; c < k; c++) maxClass = Math.max(maxClass, starts[c + 1]! - starts[c]!);
    let keys: Float64Array | null = null;
    let scratch: Float64Array | null = null;
    const fullSel = (a: number): void => {
      keys ??= new Float64Array(maxClass);
      scratch ??= new Float64Array(maxClass);
      const col = this.cols[a]!;
      const base = starts[col]!;
      this.full(a, d, k, rows, base, starts[col + 1]! - base, ties, keys, scratch);
    };
    const sample = new Float64Array(SAMPLE_MAX);
    // streaming tasks: kind 0 = heap, 1 = bound
    const sTask: number[] = [];
    const sKind: number[] = [];
    const sThr: number[] = [];
    const sCap: number[] = [];
    let pool = 0;
    for (let a = 0; a < nTasks; a++) {
      const col = this.cols[a]!;
      const j = this.js[a]!;
      const v = this.vs[a]!;
      const base = starts[col]!;
      const m = starts[col + 1]! - base;
      if (v >= m) {
        const out = this.outs[a]!;
        for (let t = 0; t < m; t++) out[rows[base + t]!] = 1;
        continue;
      }
      if (ties === 'numpy') {
        fullSel(a);
        continue;
      }
      if (v <= HEAP_MAX_V || m < BOUND_MIN_CLASS) {
        sTask.push(a);
        sKind.push(0);
        sThr.push(NaN); // heap not full yet: every key goes to the slow path
        sCap.push(v);
        pool += v;
        continue;
      }
      // bound: ~3 standard deviations above the v/m quantile of an evenly spaced sample
      const ns = SAMPLE_MAX;
      for (let q = 0; q < ns; q++) {
        const o = rows[base + Math.floor(((q + 0.5) * m) / ns)]! * k;
        sample[q] = j < 0 ? d[o + col]! : d[o + col]! - d[o + j]!;
      }
      const sorted = sample.sort(); // NaN last
      const f = v / m;
      const r = Math.ceil(f * ns + 3 * Math.sqrt(f * (1 - f) * ns) + 4);
      const bound = r < ns ? sorted[r]! : NaN;
      // candidates expected ≈ (r+1)/ns of m; the buffer allows for the sample's own spread
      const cap = Math.ceil(((r + 1 + 3 * Math.sqrt(r + 1) + 4) / ns) * m) + 64;
      if (bound !== bound || cap > m / 2) {
        fullSel(a);
        continue;
      }
      sTask.push(a);
      sKind.push(1);
      sThr.push(nextUp(bound)); // key < nextUp(bound) ⟺ key ≤ bound
      sCap.push(cap);
      pool += cap;
    }
    const nStream = sTask.length;
    if (nStream === 0) return;
    // group the streaming tasks by class (stable counting sort)
    const classStart = new Int32Array(k + 1);
    for (let b = 0; b < nStream; b++) classStart[this.cols[sTask[b]!]! + 1]!++;
    for (let c = 0; c < k; c++) classStart[c + 1] = classStart[c + 1]! + classStart[c]!;
    const cursor = classStart.slice(0, k);
    const order = new Int32Array(nStream); // slot → index into sTask
    for (let b = 0; b < nStream; b++) order[cursor[this.cols[sTask[b]!]!]!++] = b;
    const tJ = new Int32Array(nStream);
    const tKind = new Uint8Array(nStream);
    const tThr = new Float64Array(nStream);
    const tCap = new Int32Array(nStream);
    const tOff = new Int32Array(nStream);
    const tCnt = new Int32Array(nStream);
    for (let slot = 0, off = 0; slot < nStream; slot++) {
      const b = order[slot]!;
      tJ[slot] = this.js[sTask[b]!]!;
      tKind[slot] = sKind[b]!;
      tThr[slot] = sThr[b]!;
      tCap[slot] = sCap[b]!;
      tOff[slot] = off;
      off += sCap[b]!;
    }
    const poolKey = new Float64Array(pool);
    const poolRow = new Int32Array(pool);

    /** slow path: key passed the task's threshold test (or is NaN) */
    const admit = (b: number, key: number, i: number): void => {
      const c = tCnt[b]!;
      const off = tOff[b]!;
      if (tKind[b] === 1) {
        if (key !== key) return; // NaN is never ≤ bound
        if (c < tCap[b]!) {
          poolKey[off + c] = key;
          poolRow[off + c] = i;
        }
        tCnt[b] = c + 1;
        return;
      }
      const v = tCap[b]!;
      if (c < v) {
        // push and sift up
        let pos = c;
        while (pos > 0) {
          const parent = (pos - 1) >> 1;
          if (!heapGreater(key, i, poolKey[off + parent]!, poolRow[off + parent]!)) break;
          poolKey[off + pos] = poolKey[off + parent]!;
          poolRow[off + pos] = poolRow[off + parent]!;
          pos = parent;
        }
        poolKey[off + pos] = key;
        poolRow[off + pos] = i;
        tCnt[b] = c + 1;
        if (c + 1 === v) tThr[b] = poolKey[off]!;
        return;
      }
      // full: (key, i) replaces the maximum iff key is smaller in numpy order (i is larger)
      const maxKey = poolKey[off]!;
      if (!(key < maxKey || (maxKey !== maxKey && key === key))) return;
      let pos = 0;
      for (;;) {
        const l = 2 * pos + 1;
        if (l >= v) break;
        let ch = l;
        if (l + 1 < v && heapGreater(poolKey[off + l + 1]!, poolRow[off + l + 1]!, poolKey[off + l]!, poolRow[off + l]!)) ch = l + 1;
        if (!heapGreater(poolKey[off + ch]!, poolRow[off + ch]!, key, i)) break;
        poolKey[off + pos] = poolKey[off + ch]!;
        poolRow[off + pos] = poolRow[off + ch]!;
        pos = ch;
      }
      poolKey[off + pos] = key;
      poolRow[off + pos] = i;
      tThr[b] = poolKey[off]!;
    };

    // the one sequential pass (only rows of classes with streaming tasks do work)
    for (let i = 0; i < n; i++) {
      const s = labels[i]!;
      const b1 = classStart[s + 1]!;
      let b = classStart[s]!;
      if (b === b1) continue;
      const o = i * k;
      const pc = d[o + s]!;
      for (; b < b1; b++) {
        const j = tJ[b]!;
        const key = j < 0 ? pc : pc - d[o + j]!;
        if (!(key >= tThr[b]!)) admit(b, key, i);
      }
    }

    for (let slot = 0; slot < nStream; slot++) {
      const a = sTask[order[slot]!]!;
      const c = tCnt[slot]!;
      const off = tOff[slot]!;
      const out = this.outs[a]!;
      if (tKind[slot] === 0) {
        for (let t = 0; t < c; t++) out[poolRow[off + t]!] = 1;
        continue;
      }
      const v = this.vs[a]!;
      if (c > tCap[slot]! || c < v) {
        fullSel(a);
        continue;
      }
      keys ??= new Float64Array(maxClass);
      scratch ??= new Float64Array(maxClass);
      const ck = poolKey.subarray(off, off + c);
      const cut = stableCut(ck, c, v, scratch);
      if (cut.all) {
        for (let t = 0; t < c; t++) out[poolRow[off + t]!] = 1;
        continue;
      }
      let eq = cut.eqTake;
      const pivot = cut.pivot;
      for (let t = 0; t < c; t++) {
        const key = ck[t]!;
        if (key < pivot || (key === pivot && eq-- > 0)) out[poolRow[off + t]!] = 1;
      }
    }
  }
}

/** The internal result, with what ranking needs. */
interface Found {
  result: FindLabelIssuesResult;
  pre: ConfidentJointResult | null;
  range: { min: number; max: number };
  ties: TieOrder;
  /** scores of result.indices when a scorer was requested */
  scores: Float64Array | null;
}

interface ScoreRequest {
  method: RankBy;
  adjust: boolean;
}

function findImpl(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions,
  precomputed: ConfidentJointResult | undefined,
  scoreRequest: ScoreRequest | null,
): Found {
  const warnings: string[] = [];
  const filterBy = opts.filterBy ?? 'prune_by_noise_rate';
  if (!isOneOf(FILTER_BY_VALUES, filterBy)) {
    throw new InputError('filter_by', `filter_by must be one of: ${FILTER_BY_VALUES.join(', ')}; got '${String(filterBy)}'.`);
  }
  const fracNoise = opts.fracNoise ?? 1.0;
  const minEx = opts.minExamplesPerClass ?? 1;
  const ntr = opts.numToRemovePerClass;
  const ties = opts.tieOrder ?? precomputed?.tieOrder ?? 'stable';
  const n = pp.n;
  const k = pp.k;
  // one class is allowed only when every label is 0 (one-vs-rest reductions). A precomputed
  // result of these labels has checked them (class indices in [0, K)) and counted them.
  if (precomputed && precomputed.n === labels.length && pp.n === labels.length && precomputed.k === pp.k && pp.data.length === pp.n * pp.k) {
    assertValidLabelCounts(precomputed.labelCounts, 'zero-only');
  } else {
    assertValidLabels(labels, pp, 'zero-only');
  }
  checkFindLabelIssuesOptions(filterBy, fracNoise, ntr, k, warnings);
  const pre =
    precomputed ?? (filterBy === 'predicted_neq_given' ? null : computeConfidentJointFull(labels, pp, { tieOrder: ties }));
  const range = pre ? rangeOf(pre) : clampedRange(pp);
  assertValidRange(range);
  // get_label_quality_scores' checks (cleanlab runs them after the mask; no other error can
  // arise in between, so checking them here reports the same error)
  let scorer: RowScorer | null = null;
  if (scoreRequest) {
    assertScoringOptions(scoreRequest.method, scoreRequest.adjust, range, 'rank_by');
    const thr = scoreRequest.adjust ? (pre ?? computeConfidentJointFull(labels, pp, { tieOrder: ties })).thresholds : null;
    scorer = makeRowScorer(scoreRequest.method, k, thr);
  }

  const d = pp.data;
  const mask = new Uint8Array(n);

  if (filterBy === 'prune_by_noise_rate' || filterBy === 'prune_by_class' || filterBy === 'both') {
    const p = pre!;
    let c: Float64Array;
    if (opts.confidentJoint) c = fromMatrix(opts.confidentJoint, 'confident_joint', k).flat;
    else c = p.calibratedFlat;
    const counts = p.labelCounts;
    const columns = pruneCountColumns(c, k, counts, minEx, fracNoise, ntr, ties, warnings, opts.confidentJoint ? null : p.calibratedNonzeros);
    const selector = new PruneSelector();
    const byClass = filterBy === 'prune_by_noise_rate' ? null : filterBy === 'both' ? new Uint8Array(n) : mask;
    const byNoise = filterBy === 'prune_by_class' ? null : filterBy === 'both' ? new Uint8Array(n) : mask;
    planPruneSelections(columns, k, counts, minEx, filterBy, warnings, (col, j, v) => selector.add(col, j, v, j < 0 ? byClass! : byNoise!));
    selector.run(d, k, labels, p.classRows, p.classStart, ties);
    if (filterBy === 'both') for (let i = 0; i < n; i++) mask[i] = byClass![i]! & byNoise![i]!;
  } else if (filterBy === 'confident_learning') {
    if (opts.confidentJoint) {
      warnings.push("The supplied `confident_joint` is ignored by filter_by='confident_learning': it is recomputed from labels and pred_probs.");
    }
    const off = pre!.offDiagonalIndices;
    for (let t = 0; t < off.length; t++) mask[off[t]!] = 1;
  } else if (filterBy === 'predicted_neq_given') {
    for (let i = 0; i < n; i++) if (firstArgmax(d, i * k, k) !== labels[i]!) mask[i] = 1;
  } else {
    // low_self_confidence / low_normalized_margin: no near-argmax filter (§10.8)
    if (opts.confidentJoint) warnings.push(CONFIDENT_JOINT_IGNORED_WARNING);
    const m = countOffDiagonalIssues(pre!);
    const method: RankBy = filterBy === 'low_self_confidence' ? 'self_confidence' : 'normalized_margin';
    const scores = scoreRows(labels, pp, method, null, null);
    markSmallest(scores, n, m, ties, new Float64Array(n), mask);
  }

  // final near-argmax filter (§10.9) and, for ranking, the scores of the flagged rows —
  // both read the flagged row once
  const nearFilter = filterBy !== 'low_self_confidence' && filterBy !== 'low_normalized_margin';
  // compact the flagged rows first (branch-free), then visit them: independent row loads
  // let the CPU overlap the cache misses
  const idx = new Int32Array(n);
  let flagged = 0;
  for (let i = 0; i < n; i++) {
    idx[flagged] = i;
    flagged += mask[i]!;
  }
  const scores = scorer ? new Float64Array(flagged) : null;
  let count = 0;
  for (let t = 0; t < flagged; t++) {
    const i = idx[t]!;
    const o = i * k;
    const s = labels[i]!;
    if (nearFilter && givenIsNearArgmax(d, o, k, s)) {
      mask[i] = 0;
      continue;
    }
    if (scores) scores[count] = scoreRow(scorer!, d, o, s);
    idx[count++] = i;
  }
  return {
    result: { mask, indices: idx.slice(0, count), warnings },
    pre,
    range,
    ties,
    scores: scores ? scores.slice(0, count) : null,
  };
}

/**
 * cleanlab `find_label_issues(labels, pred_probs, filter_by=…, …)` returning the mask (and
 * the flagged rows in increasing order). `precomputed` (computeConfidentJointFull of the
 * same labels and pred_probs) lets callers share the passes over N×K.
 */
export function findLabelIssues(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions = {},
  precomputed?: ConfidentJointResult,
): FindLabelIssuesResult {
  return findImpl(labels, pp, opts, precomputed, null).result;
}

/**
 * cleanlab `find_label_issues(..., return_indices_ranked_by=rankBy,
 * rank_by_kwargs={adjust_pred_probs})`: flagged rows ordered by ascending label quality
 * score (scores as get_label_quality_scores on all rows), ties by lower row first (S4).
 * Warnings are appended to `opts.warnings` when given.
 */
export function findLabelIssuesRanked(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions & { rankBy: RankBy; adjustPredProbs?: boolean; warnings?: string[] },
  precomputed?: ConfidentJointResult,
): Int32Array {
  const found = findImpl(labels, pp, opts, precomputed, { method: opts.rankBy, adjust: opts.adjustPredProbs ?? false });
  opts.warnings?.push(...found.result.warnings);
  const flagged = found.result.indices;
  const ord = argsortBy(found.scores!, found.ties);
  const out = new Int32Array(flagged.length);
  for (let t = 0; t < flagged.length; t++) out[t] = flagged[ord[t]!]!;
  return out;
}

/** findLabelIssues plus the ranked order and the scores of the flagged rows. */
export interface RankedLabelIssues extends FindLabelIssuesResult {
  /** flagged rows, lowest label quality first (= findLabelIssuesRanked) */
  ranked: Int32Array;
  /** label quality score of ranked[t] (method and adjust_pred_probs as requested) */
  rankedScores: Float64Array;
}

/**
 * Mask, flagged rows, their ranking and their scores in one call: scores are computed for
 * the flagged rows only (each score depends on its own row and, for adjust_pred_probs, on
 * the thresholds of all rows), while the row is read for the near-argmax filter anyway.
 */
export function findLabelIssuesWithRanking(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions & { rankBy: RankBy; adjustPredProbs?: boolean },
  precomputed?: ConfidentJointResult,
): RankedLabelIssues {
  const found = findImpl(labels, pp, opts, precomputed, { method: opts.rankBy, adjust: opts.adjustPredProbs ?? false });
  const flagged = found.result.indices;
  const scores = found.scores!;
  const ord = argsortBy(scores, found.ties);
  const ranked = new Int32Array(flagged.length);
  const rankedScores = new Float64Array(flagged.length);
  for (let t = 0; t < flagged.length; t++) {
    ranked[t] = flagged[ord[t]!]!;
    rankedScores[t] = scores[ord[t]!]!;
  }
  return { ...found.result, ranked, rankedScores };
}
