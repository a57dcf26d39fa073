/**
 * Temperature calibration of pred_probs against the annotators' empirical label
 * distribution (spec B9; cleanlab `find_best_temp_scaler` / `temp_scale_pred_probs`).
 */
import type { ProbMatrix } from '../types.js';
import { sumOf } from './numeric.js';
import { MISSING, type AnnotatorMatrix } from './types.js';

export const COARSE_TEMPERATURES: readonly number[] = [0.1, 0.2, 0.5, 0.8, 1, 2, 3, 5, 8];
const FINE_SEARCH_SIZE = 4;
const SMALL_CONST = 1e-30;

/**
 * Row i's label counts / n_i with cleanlab's float-label counting (quirk, spec B6/B12.1):
 * the counts of the DISTINCT labels present are packed into positions 0, 1, … in
 * increasing label order (correct only when all K classes occur in the row).
 */
export function packedLabelDistribution(labels: AnnotatorMatrix, k: number): Float64Array {
  const { data, n, m } = labels;
  const out = new Float64Array(n * k);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    counts.fill(0);
    let ni = 0;
    for (let a = 0; a < m; a++) {
      const v = data[i * m + a]!;
      if (v === MISSING) continue;
      counts[v]!++;
      ni++;
    }
    let pos = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) out[i * k + pos++] = counts[c]! / ni;
    }
  }
  return out;
}

/** Row-wise exp(x)/Σexp(x) WITHOUT max-shift, in place over `x` (N×K row-major). */
function softmaxRowsNoShift(x: Float64Array, n: number, k: number): void {
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    for (let c = 0; c < k; c++) row[c] = Math.exp(x[off + c]!);
    const s = sumOf(row);
    for (let c = 0; c < k; c++) x[off + c] = row[c]! / s;
  }
}

/** Mean soft cross-entropy (normalised by ln K) of scaled probabilities vs `emp`. */
function softCrossEntropy(emp: Float64Array, scaled: Float64Array, n: number, k: number): number {
  const per = new Float64Array(n);
  const term = new Float64Array(k);
  const lnK = Math.log(k);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    for (let c = 0; c < k; c++) term[c] = emp[off + c]! * Math.log(Math.max(scaled[off + c]!, SMALL_CONST));
    per[i] = -sumOf(term) / lnK;
  }
  return sumOf(per) / n;
}

function firstArgminOf(xs: ArrayLike<number>): number {
  // numpy argmin: the first minimum; a NaN is the minimum at its first occurrence.
  let best = 0;
  for (let j = 0; j < xs.length; j++) {
    if (Number.isNaN(xs[j]!)) return j;
    if (xs[j]! < xs[best]!) best = j;
  }
  return best;
}

/** np.linspace(start, stop, num, endpoint): start + j·(delta/div), last = stop if endpoint. */
function linspace(start: number, stop: number, num: number, endpoint: boolean): number[] {
  const div = endpoint ? num - 1 : num;
  const step = (stop - start) / div;
  const out: number[] = [];
  for (let j = 0; j < num; j++) out.push(j * step + start);
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

export interface TemperatureSearch {
  temperature: number;
  coarse: { temperatures: number[]; scores: number[] };
  fine: { temperatures: number[]; scores: number[] };
}

/** `find_best_temp_scaler`: coarse grid, then a fine grid around the coarse minimum. */
export function findBestTemperature(labels: AnnotatorMatrix, pp: ProbMatrix): TemperatureSearch {
  const { n, k, data } = pp;
  const logP = new Float64Array(n * k);
  for (let j = 0; j < logP.length; j++) {
    const v = data[j]!;
    logP[j] = v > 0 ? Math.log(v) : -Infinity;
  }
  const emp = packedLabelDistribution(labels, k);
  const scoreAt = (t: number): number => {
    const x = new Float64Array(n * k);
    for (let j = 0; j < x.length; j++) x[j] = logP[j]! / Math.max(t, 1e-6);
    softmaxRowsNoShift(x, n, k);
    return softCrossEntropy(emp, x, n, k);
  };
  const coarseScores = COARSE_TEMPERATURES.map(scoreAt);
  const g = firstArgminOf(coarseScores);
  const G = COARSE_TEMPERATURES;
  let fine: number[] = [];
  if (g !== 0) fine = linspace(G[g - 1]!, G[g]!, FINE_SEARCH_SIZE, false);
  if (g !== G.length - 1) fine = fine.concat(linspace(G[g]!, G[g + 1]!, FINE_SEARCH_SIZE + 1, true));
  const fineScores = fine.map(scoreAt);
  const best = fine[firstArgminOf(fineScores)]!;
  return {
    temperature: best,
    coarse: { temperatures: [...G], scores: coarseScores },
    fine: { temperatures: fine, scores: fineScores },
  };
}

/** `temp_scale_pred_probs`: clip at 1e-30, renormalise, softmax(ln P / T) without shift, renormalise. */
export function temperatureScale(pp: ProbMatrix, temperature: number): ProbMatrix {
  const { n, k, data } = pp;
  const out = new Float64Array(n * k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    for (let c = 0; c < k; c++) row[c] = Math.max(data[off + c]!, SMALL_CONST);
    const s = sumOf(row);
    for (let c = 0; c < k; c++) out[off + c] = Math.log(row[c]! / s) / Math.max(temperature, 1e-6);
  }
  softmaxRowsNoShift(out, n, k);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    for (let c = 0; c < k; c++) row[c] = out[off + c]!;
    const s = sumOf(row);
    for (let c = 0; c < k; c++) out[off + c] = row[c]! / s;
  }
  return { data: out, n, k };
}
