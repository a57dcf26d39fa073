/**
 * The batched label inspector (spec task-types.md Part B; cleanlab
 * `experimental.label_issues_batched` with n_jobs = 1, uncalibrated count). Shared by token
 * classification with `low_memory=True` and by every segmentation `find_label_issues`.
 *
 * Two passes over the same partition of rows into batches:
 *   1. `updateThresholds(batch)` for every batch: running per-class confident thresholds;
 *   2. `scoreBatch(batch, …)` for every batch: the label quality score of each row (the
 *      single-label scorer of rank.ts) and the count m of confident off-label rows;
 * then `markLabelIssues` flags the m lowest scores (the only tie-sensitive step, B1).
 * A batch is a list of row runs, so strided layouts (segmentation's class axis second) need
 * no transposed copy.
 */
import { markCut, markSmallest, type SelectionCut, type TieOrder } from './argsort.js';
import { thresholdsFromSums } from './count.js';
import { firstArgmax, pairwiseSum } from './numeric.js';
import { makeRowScorer, scoreRow, type RowScorer } from './rank.js';
import type { RankBy } from './types.js';

/** Rows r = 0..rows−1: label labels[labelStart + r], P[r][c] = data[dataStart + r·rowStride + c·classStride]. */
export interface RowRun {
  labels: ArrayLike<number>;
  labelStart: number;
  data: ArrayLike<number>;
  dataStart: number;
  rows: number;
  rowStride: number;
  classStride: number;
}

/** Contiguous rows of a row-major N×K matrix: rows [start, start + rows). */
export function rowMajorRun(labels: ArrayLike<number>, data: ArrayLike<number>, k: number, start: number, rows: number): RowRun {
  return { labels, labelStart: start, data, dataStart: start * k, rows, rowStride: k, classStride: 1 };
}

/** Lower bound of every confident threshold (cleanlab's CLIPPING_LOWER_BOUND). */
const CLIP_LOWER = 2e-6;

export class LabelInspector {
  readonly k: number;
  /** running confident thresholds t[k] (pass 1) */
  readonly thresholds: Float64Array;
  /** rows seen per class so far, E[k] */
  readonly examplesPerClass: Float64Array;
  /** rows counted as issues in pass 2 (m) */
  numIssues = 0;
  private readonly method: RankBy;
  private readonly scorer: RowScorer;
  private readonly row: Float64Array;
  private adjusted: Float64Array | null = null;

  constructor(k: number, method: RankBy = 'self_confidence') {
    this.k = k;
    this.method = method;
    this.thresholds = new Float64Array(k);
    this.examplesPerClass = new Float64Array(k);
    this.scorer = makeRowScorer(method, k, null);
    this.row = new Float64Array(k);
  }

  /**
   * Pass 1, one batch: b[k] = the batch's class mean of P[r][k] (pairwise sum in row order,
   * ≥ 2e-6; 2 for an absent class), t[k] = max((E·t + c·b) / max(E + c, 1), 2e-6), E += c.
   */
  updateThresholds(batch: readonly RowRun[]): void {
    const k = this.k;
    const counts = new Float64Array(k);
    let total = 0;
    for (const run of batch) {
      for (let r = 0; r < run.rows; r++) counts[run.labels[run.labelStart + r]!]!++;
      total += run.rows;
    }
    // self-confidences grouped by class, row order within a class
    const start = new Int32Array(k + 1);
    for (let c = 0; c < k; c++) start[c + 1] = start[c]! + counts[c]!;
    const cursor = start.slice(0, k);
    const grouped = new Float64Array(total);
    for (const run of batch) {
      const { labels, labelStart, data, dataStart, rowStride, classStride } = run;
      for (let r = 0; r < run.rows; r++) {
        const y = labels[labelStart + r]!;
        grouped[cursor[y]!++] = data[dataStart + r * rowStride + y * classStride]!;
      }
    }
    const sums = new Float64Array(k);
    for (let c = 0; c < k; c++) sums[c] = pairwiseSum(grouped, start[c]!, start[c + 1]!);
    const b = thresholdsFromSums(sums, counts);
    const t = this.thresholds;
    const e = this.examplesPerClass;
    for (let c = 0; c < k; c++) {
      const cc = counts[c]!;
      const denom = e[c]! + cc;
      let v = (e[c]! * t[c]! + cc * b[c]!) / (denom < 1 ? 1 : denom);
      if (v < CLIP_LOWER) v = CLIP_LOWER; // np.clip: NaN stays NaN
      t[c] = v;
      e[c] = denom;
    }
    this.adjusted = null;
  }

  /**
   * Pass 2, one batch: scores[at + i] = label quality score of the batch's i-th row; adds to
   * numIssues the rows whose first argmax q differs from the label with P[q] ≥ t[q] − 1e-6.
   * Returns the number of rows of the batch.
   */
  scoreBatch(batch: readonly RowRun[], scores: { [i: number]: number }, at: number): number {
    const k = this.k;
    let adj = this.adjusted;
    if (!adj) {
      adj = new Float64Array(k);
      for (let c = 0; c < k; c++) adj[c] = this.thresholds[c]! - 1e-6;
      this.adjusted = adj;
    }
    const row = this.row;
    const selfConf = this.method === 'self_confidence';
    let o = at;
    let issues = 0;
    for (const run of batch) {
      const { labels, labelStart, data, dataStart, rowStride, classStride } = run;
      const contiguous = classStride === 1;
      for (let r = 0; r < run.rows; r++) {
        const y = labels[labelStart + r]!;
        const base = dataStart + r * rowStride;
        let q: number;
        let pq: number;
        if (contiguous) {
          q = firstArgmax(data, base, k);
          pq = data[base + q]!;
          scores[o++] = selfConf ? data[base + y]! : scoreRow(this.scorer, data, base, y);
        } else {
          for (let c = 0; c < k; c++) row[c] = data[base + c * classStride]!;
          q = firstArgmax(row, 0, k);
          pq = row[q]!;
          scores[o++] = selfConf ? row[y]! : scoreRow(this.scorer, row, 0, y);
        }
        if (q !== y && pq >= adj[q]!) issues++;
      }
    }
    this.numIssues += issues;
    return o - at;
  }
}

/**
 * Selection (B1): flag in `out` the first m of ARGSORT(scores) — the m lowest scores, ties
 * by `ties` (stable: lower index first; numpy: cleanlab's introsort order); all rows when
 * m ≥ n. The stable rule selects by radix on the keys' bit patterns: O(n) time and no copy
 * of the scores (they can be as many as the pixels of a segmentation dataset).
 */
export function markLabelIssues(scores: Float64Array | Float32Array, m: number, ties: TieOrder, out: Uint8Array): void {
  const n = scores.length;
  if (m <= 0) return;
  if (ties === 'numpy' || m >= n) {
    markSmallest(scores, n, Math.min(m, n), ties, new Float64Array(0), out);
    return;
  }
  const cut = radixCut(scores, m);
  if (cut) markCut(scores, n, cut, out);
  else markSmallest(scores, n, m, ties, new Float64Array(n), out); // NaN keys: the general path
}

/**
 * The stable cut of the m smallest keys (0 < m < n) by radix selection over the keys'
 * order-preserving bit patterns, 16 bits per pass (2 passes for float32, 4 for float64);
 * null when a key is NaN. −0 counts as +0.
 */
function radixCut(keys: Float64Array | Float32Array, m: number): SelectionCut | null {
  const n = keys.length;
  const f32 = keys instanceof Float32Array;
  const u = new Uint32Array(keys.buffer, keys.byteOffset, f32 ? n : 2 * n);
  for (let i = 0; i < n; i++) if (keys[i]! !== keys[i]!) return null;
  // sortable pattern (hi, lo): flip every bit of negatives, the sign bit of the rest; ±0 → +0
  const sortHi = (i: number): number => {
    if (keys[i] === 0) return 0x80000000;
    const w = f32 ? u[i]! : u[2 * i + 1]!; // little-endian: a float64's high word comes second
    return (w & 0x80000000 ? ~w : w | 0x80000000) >>> 0;
  };
  const sortLo = (i: number): number => {
    if (f32 || keys[i] === 0) return 0;
    const hi = u[2 * i + 1]!;
    return (hi & 0x80000000 ? ~u[2 * i]! : u[2 * i]!) >>> 0;
  };
  const hist = new Float64Array(65536);
  let prefHi = 0;
  let prefLo = 0;
  let rank = m - 1; // rank of the pivot among the keys matching the prefix
  let less = 0;
  for (let p = 0; p < (f32 ? 2 : 4); p++) {
    const maskHi = p === 0 ? 0 : p === 1 ? 0xffff0000 : 0xffffffff;
    const maskLo = p === 3 ? 0xffff0000 : 0;
    hist.fill(0);
    for (let i = 0; i < n; i++) {
      const hi = sortHi(i);
      const lo = p >= 2 ? sortLo(i) : 0;
      if ((hi & maskHi) >>> 0 !== prefHi || (lo & maskLo) >>> 0 !== prefLo) continue;
      const dgt = p === 0 ? hi >>> 16 : p === 1 ? hi & 0xffff : p === 2 ? lo >>> 16 : lo & 0xffff;
      hist[dgt]!++;
    }
    let b = 0;
    while (rank >= hist[b]!) {
      rank -= hist[b]!;
      less += hist[b]!;
      b++;
    }
    if (p === 0) prefHi = (b << 16) >>> 0;
    else if (p === 1) prefHi = (prefHi | b) >>> 0;
    else if (p === 2) prefLo = (b << 16) >>> 0;
    else prefLo = (prefLo | b) >>> 0;
  }
  for (let i = 0; i < n; i++) {
    if (sortHi(i) === prefHi && sortLo(i) === prefLo) return { all: false, pivot: keys[i]! === 0 ? 0 : keys[i]!, eqTake: m - less, nanTake: 0 };
  }
  return null;
}
