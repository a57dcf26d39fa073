/**
 * Dawid–Skene consensus (Dawid & Skene 1979): EM over one K×K confusion matrix per
 * annotator and a class prior. Not part of cleanlab; offered as a second consensus method
 * that needs no model predictions.
 *
 *   E-step: T[i][k] ∝ π_k · Π_{a labelled i} θ_a[k][L[i][a]]        (in log space)
 *   M-step: π_k = (Σ_i T[i][k] + s) / (N + K·s)
 *           θ_a[k][l] = (Σ_{i: L[i][a] = l} T[i][k] + s) / (Σ_{i labelled by a} T[i][k] + K·s)
 *
 * s is a small additive smoothing (default 0.01) so that no probability is exactly 0.
 * Initialisation is deterministic: T = one-hot of the majority vote (cleanlab's tie-breaks,
 * smallest class as the last resort). Iteration stops when no posterior entry moves by more
 * than `tol`, or after `maxIter` EM rounds.
 */
import { InputError } from '../errors.js';
import { firstArgmax } from '../numeric.js';
import type { ProbMatrix } from '../types.js';
import { annotatorAgreementWithConsensus, annotatorStatsFromQuality } from './crowdlab.js';
import { getMajorityVoteLabel } from './majority-vote.js';
import { MISSING, countAnnotations, type AnnotatorMatrix, type AnnotatorStat } from './types.js';
import { validateMultiannotator } from './validate.js';

export interface DawidSkeneOptions {
  /** Number of classes; default pred_probs' width, else max label + 1. */
  numClasses?: number;
  /** Convergence tolerance on the largest change of any posterior entry (default 1e-6). */
  tol?: number;
  /** Maximum number of EM rounds (default 1000; EM converges linearly, a few hundred rounds are common). */
  maxIter?: number;
  /** Additive smoothing of priors and confusion counts (default 0.01). */
  smoothing?: number;
}

export interface DawidSkeneResult {
  consensusLabel: Int32Array;
  /** Posterior probability of the consensus label. */
  consensusQualityScore: Float64Array;
  /** Fraction of each example's annotators that agree with the consensus label. */
  annotatorAgreement: Float64Array;
  numAnnotations: Int32Array;
  /** N×K posterior over the true class. */
  posterior: ProbMatrix;
  /** Estimated class prior π (length K). */
  priors: Float64Array;
  /** M×K×K row-major: confusion[a][true][given] = θ_a. Rows sum to 1. */
  confusion: Float64Array;
  /** Estimated accuracy of each annotator: Σ_k π_k θ_a[k][k]. */
  annotatorAccuracy: Float64Array;
  /** cleanlab-style table (annotator_quality = annotatorAccuracy), sorted ascending. */
  annotatorStats: AnnotatorStat[];
  iterations: number;
  converged: boolean;
  /** Marginal log-likelihood of the annotations at the last E-step. */
  logLikelihood: number;
  warnings: string[];
}

export function dawidSkene(
  labels: AnnotatorMatrix,
  predProbs: ProbMatrix | undefined,
  opts: DawidSkeneOptions = {},
): DawidSkeneResult {
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 1000;
  const s = opts.smoothing ?? 0.01;
  if (!(tol > 0)) throw new InputError('tol', `tol must be > 0, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new InputError('max_iter', `max_iter must be an integer >= 1, got ${maxIter}`);
  if (!(s >= 0)) throw new InputError('smoothing', `smoothing must be >= 0, got ${s}`);
  const warnings = validateMultiannotator(labels, predProbs);
  const { data, n, m } = labels;
  let mx = -1;
  for (const v of data) if (v > mx) mx = v;
  const k = predProbs?.k ?? opts.numClasses ?? mx + 1;
  if (k < mx + 1) throw new InputError('num_classes', `num_classes is ${k} but labels_multiannotator uses class ${mx}`);
  if (k < 2) throw new InputError('labels_multiannotator', 'Dawid–Skene needs at least 2 classes');

  const mv = getMajorityVoteLabel(labels, predProbs, k);
  warnings.push(...mv.warnings);
  let T = new Float64Array(n * k);
  for (let i = 0; i < n; i++) T[i * k + mv.labels[i]!] = 1;

  const priors = new Float64Array(k);
  const confusion = new Float64Array(m * k * k); // [a][true][given]
  const counts = new Float64Array(m * k * k); // [a][given][true]: contiguous over the true class
  const logPrior = new Float64Array(k);
  const logConfT = new Float64Array(m * k * k); // [a][given][true]
  const rowLog = new Float64Array(k);
  let next = new Float64Array(n * k);
  let iterations = 0;
  let converged = false;
  let logLikelihood = NaN;
  const kk = k * k;

  const mStep = (T: Float64Array): void => {
    priors.fill(0);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) priors[c]! += T[i * k + c]!;
    for (let c = 0; c < k; c++) priors[c] = (priors[c]! + s) / (n + k * s);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const ti = i * k;
      for (let a = 0; a < m; a++) {
        const l = data[i * m + a]!;
        if (l === MISSING) continue;
        const base = a * kk + l * k;
        for (let c = 0; c < k; c++) counts[base + c]! += T[ti + c]!;
      }
    }
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < k; c++) {
        let tot = 0;
        for (let l = 0; l < k; l++) tot += counts[a * kk + l * k + c]!;
        const denom = tot + k * s;
        for (let l = 0; l < k; l++) {
          // A class nobody ever assigned weight to (possible with s = 0): uniform row.
          const theta = denom > 0 ? (counts[a * kk + l * k + c]! + s) / denom : 1 / k;
          confusion[a * kk + c * k + l] = theta;
          logConfT[a * kk + l * k + c] = Math.log(theta);
        }
      }
    }
    for (let c = 0; c < k; c++) logPrior[c] = Math.log(priors[c]!);
  };

  const eStep = (out: Float64Array): number => {
    let ll = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) rowLog[c] = logPrior[c]!;
      for (let a = 0; a < m; a++) {
        const l = data[i * m + a]!;
        if (l === MISSING) continue;
        const base = a * kk + l * k;
        for (let c = 0; c < k; c++) rowLog[c]! += logConfT[base + c]!;
      }
      let top = -Infinity;
      for (let c = 0; c < k; c++) if (rowLog[c]! > top) top = rowLog[c]!;
      let z = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(rowLog[c]! - top);
        rowLog[c] = e;
        z += e;
      }
      for (let c = 0; c < k; c++) out[i * k + c] = rowLog[c]! / z;
      ll += top + Math.log(z);
    }
    return ll;
  };

  while (iterations < maxIter) {
    mStep(T);
    logLikelihood = eStep(next);
    iterations++;
    let delta = 0;
    for (let j = 0; j < next.length; j++) {
      const d = Math.abs(next[j]! - T[j]!);
      if (d > delta) delta = d;
    }
    [T, next] = [next, T];
    if (delta < tol) {
      converged = true;
      break;
    }
  }
  // Final parameters consistent with the returned posterior.
  mStep(T);

  const consensus = new Int32Array(n);
  const quality = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    consensus[i] = firstArgmax(T, i * k, k);
    quality[i] = T[i * k + consensus[i]!]!;
  }
  const accuracy = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    let acc = 0;
    for (let c = 0; c < k; c++) acc += priors[c]! * confusion[a * k * k + c * k + c]!;
    accuracy[a] = acc;
  }
  const numAnnotations = countAnnotations(labels);
  if (!converged) {
    warnings.push(`UserWarning: Dawid–Skene did not converge within ${maxIter} iterations (tol ${tol})`);
  }
  return {
    consensusLabel: consensus,
    consensusQualityScore: quality,
    annotatorAgreement: annotatorAgreementWithConsensus(labels, consensus),
    numAnnotations,
    posterior: { data: T, n, k },
    priors: Float64Array.from(priors),
    confusion: Float64Array.from(confusion),
    annotatorAccuracy: accuracy,
    annotatorStats: annotatorStatsFromQuality(labels, consensus, quality, accuracy, k),
    iterations,
    converged,
    logLikelihood,
    warnings,
  };
}
