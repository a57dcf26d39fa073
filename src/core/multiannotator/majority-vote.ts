/**
 * Majority vote with cleanlab's tie-breaks (spec B4, `get_majority_vote_label`).
 *
 * 1. one mode → that class ("non-tied" rows);
 * 2. with pred_probs: keep the tied modes with the maximal P[i][k] (exact equality);
 * 3. keep those with the smallest overall vote count (favours rarer classes);
 * 4. keep those whose voters have the highest mean agreement with the non-tied votes;
 * 5. still tied: cleanlab draws at random (not reproducible). We take the SMALLEST class
 *    index and report the rows — the service's one deliberate divergence (spec B4.5).
 */
import type { ProbMatrix } from '../types.js';
import { meanOf } from './numeric.js';
import { MISSING, type AnnotatorMatrix } from './types.js';

export interface MajorityVoteResult {
  labels: Int32Array;
  /** Rows whose vote stayed tied after every tie-break (resolved to the smallest class). */
  randomTieRows: number[];
  warnings: string[];
}

/** Vote counts cnt[i][k] (row-major N×K, float64 as numpy's label_count). */
export function voteCounts(labels: AnnotatorMatrix, k: number): Float64Array {
  const { data, n, m } = labels;
  const cnt = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      const v = data[i * m + a]!;
      if (v !== MISSING) cnt[i * k + v]! += 1;
    }
  }
  return cnt;
}

/**
 * `get_majority_vote_label(labels_multiannotator, pred_probs)`. Inputs are assumed valid
 * (see validate.ts). K is pred_probs' width, else (max label + 1), else `numClasses`.
 */
export function getMajorityVoteLabel(
  labels: AnnotatorMatrix,
  pp?: ProbMatrix,
  numClasses?: number,
): MajorityVoteResult {
  const { data, n, m } = labels;
  let k: number;
  if (pp !== undefined) k = pp.k;
  else if (numClasses !== undefined) k = numClasses;
  else {
    let mx = -1;
    for (const v of data) if (v > mx) mx = v;
    k = mx + 1;
  }
  const cnt = voteCounts(labels, k);
  const mv = new Int32Array(n).fill(-1);
  const nontied: number[] = [];
  const tied = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (cnt[i * k + c]! > mx) mx = cnt[i * k + c]!;
    const modes: number[] = [];
    for (let c = 0; c < k; c++) if (cnt[i * k + c]! === mx) modes.push(c);
    if (modes.length === 1) {
      mv[i] = modes[0]!;
      nontied.push(i);
    } else {
      tied.set(i, modes);
    }
  }
  const resolve = (i: number, keep: number[]): void => {
    if (keep.length === 1) {
      mv[i] = keep[0]!;
      tied.delete(i);
    } else {
      tied.set(i, keep);
    }
  };
  // Tie-break 1: pred_probs.
  if (pp !== undefined && tied.size > 0) {
    for (const [i, modes] of [...tied]) {
      let best = -Infinity;
      for (const c of modes) if (pp.data[i * pp.k + c]! > best) best = pp.data[i * pp.k + c]!;
      resolve(i, modes.filter((c) => pp.data[i * pp.k + c]! === best));
    }
  }
  // Tie-break 2: smallest overall frequency.
  if (tied.size > 0) {
    const freq = new Float64Array(k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) freq[c]! += cnt[i * k + c]!;
    for (const [i, modes] of [...tied]) {
      let best = Infinity;
      for (const c of modes) if (freq[c]! < best) best = freq[c]!;
      resolve(i, modes.filter((c) => freq[c]! === best));
    }
  }
  // Tie-break 3: agreement of each annotator with the non-tied votes.
  if (tied.size > 0) {
    const agreement = new Float64Array(m);
    const valid: number[] = [];
    for (let a = 0; a < m; a++) {
      let total = 0;
      let agree = 0;
      for (const i of nontied) {
        const v = data[i * m + a]!;
        if (v === MISSING) continue;
        total++;
        if (v === mv[i]) agree++;
      }
      agreement[a] = total === 0 ? NaN : agree / total;
      if (total > 0) valid.push(agreement[a]!);
    }
    const fill = meanOf(valid);
    for (let a = 0; a < m; a++) if (Number.isNaN(agreement[a]!)) agreement[a] = fill;
    for (const [i, modes] of [...tied]) {
      const scores = modes.map((c) => {
        const xs: number[] = [];
        for (let a = 0; a < m; a++) if (data[i * m + a]! === c) xs.push(agreement[a]!);
        return meanOf(xs);
      });
      // numpy: label_quality_score == label_quality_score.max(); NaN never equals.
      let best = -Infinity;
      let nan = false;
      for (const s of scores) {
        if (Number.isNaN(s)) nan = true;
        else if (s > best) best = s;
      }
      const keep = nan ? [] : modes.filter((_, j) => scores[j] === best);
      resolve(i, keep.length > 0 ? keep : modes);
    }
  }
  const randomTieRows: number[] = [];
  const warnings: string[] = [];
  if (tied.size > 0) {
    for (const [i, modes] of [...tied].sort((x, y) => x[0] - y[0])) {
      mv[i] = modes[0]!;
      randomTieRows.push(i);
    }
    warnings.push(
      `UserWarning: breaking ties of examples ${randomTieRows.join(', ')} by taking the smallest tied class (cleanlab chooses at random)`,
    );
  }
  return { labels: mv, randomTieRows, warnings };
}
