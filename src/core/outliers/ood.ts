/**
 * cleanlab `outlier.OutOfDistribution` (spec task-types.md F1): params, the fit / score
 * lifecycle, its errors and warnings. Scores: `features.ts` (KNN) and `pred-probs.ts`.
 */
import { assertValidInputs, getConfidentThresholds } from '../count.js';
import { InputError } from '../errors.js';
import { featureMatrix, metricLabel, type FeatureMatrix, type KnnMetric, type SklearnAlgorithm } from '../knn.js';
import type { ProbMatrix } from '../types.js';
import { buildKnnIndex, fitFeatureScores, queryFeatureScores, resolveK, type KnnIndex } from './features.js';
import { assertOodMethod, predProbsOodScores, type OodMethod } from './pred-probs.js';

/** OutOfDistribution params (cleanlab's names). `knn` (a prebuilt sklearn estimator) is not supported. */
export interface OodParams {
  k?: number | null;
  t?: number;
  method?: OodMethod;
  adjust_pred_probs?: boolean;
  confident_thresholds?: ArrayLike<number> | null;
  M?: number;
  gamma?: number;
}

const PARAM_KEYS = ['k', 't', 'knn', 'method', 'adjust_pred_probs', 'confident_thresholds', 'M', 'gamma'];
const PARAMS_REPR =
  "{'k': None, 't': 1, 'knn': None, 'method': 'entropy', 'adjust_pred_probs': True, 'confident_thresholds': None, 'M': 100, 'gamma': 0.1}";

export const OOD_MESSAGES = {
  noInput: 'Not enough information to compute scores. Pass in either features or pred_probs.',
  bothInputs: 'Cannot fit to OOD Estimator to both features and pred_probs. Pass in either one or the other.',
  featureShape:
    'Feature array needs to be of shape (N, M), where N is the number of examples and M is the number of features used to represent each example.',
  notFitFeatures: 'OOD estimator needs to be fit on features first. Call `fit()` or `fit_scores()` before this function.',
  notFitPredProbs:
    "OOD estimator needs to be fit on pred_probs first since params['adjust_pred_probs']=True. Call `fit()` or `fit_scores()` before this function.",
  needLabels:
    "Cannot calculate adjust_pred_probs without labels. Either pass in labels parameter or set params['adjusted_pred_probs'] = False.",
  knnRefit:
    'A KNN estimator has previously already been fit, call score() to apply it to data, or create a new OutOfDistribution object to fit a different estimator.',
  thresholdsRefit:
    'Confident thresholds have previously already been fit, call score() to apply them to data, or create a new OutOfDistribution object to fit a different estimator.',
  nothingToFit: 'No estimates need to be be fit under the provided params, so you could directly call score() as an alternative.',
  notAdjusted:
    "OOD scores are not adjusted with confident thresholds. If scores need to be adjusted set params['adjusted_pred_probs'] = True. Otherwise passing in confident_thresholds and/or labels does not change score calculation.",
} as const;

/** Inputs of fit / score: exactly one of features (N×D) and pred_probs. */
export interface OodInput {
  features?: FeatureMatrix;
  predProbs?: ProbMatrix;
  labels?: Int32Array;
}

/** What a fit leaves on the object (F1, F5). */
export interface OodState {
  scaling_factor: number | null;
  confident_thresholds: number[] | null;
  n_neighbors?: number;
  metric?: 'euclidean' | 'cosine' | 'scipy.spatial.distance.euclidean';
  sklearn_algorithm?: SklearnAlgorithm;
}

/** Nested number arrays → an N×D feature matrix; anything not 2-D raises cleanlab's shape error. */
export function toFeatureMatrix(x: unknown, field = 'features'): FeatureMatrix {
  const rows = x as unknown[];
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r))) {
    throw new InputError(field, OOD_MESSAGES.featureShape);
  }
  const d = (rows[0] as unknown[]).length;
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    const row = r as unknown[];
    if (row.length !== d) throw new InputError(field, `${field}[${i}] has ${row.length} values, expected ${d} (every row needs the same number of features).`, { row: i });
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(field, `${field}[${i}][${j}] = ${String(v)} is not a finite number.`, { row: i, column: j });
      data[i * d + j] = v;
    });
  });
  return featureMatrix(data, rows.length, d);
}

export class OutOfDistribution {
  readonly k: number | null;
  readonly t: number;
  readonly method: OodMethod;
  readonly adjustPredProbs: boolean;
  readonly M: number;
  readonly gamma: number;
  confidentThresholds: Float64Array | null;
  scalingFactor: number | null = null;
  knn: KnnIndex | null = null;
  /** cleanlab's warnings, in order (texts without the category) */
  readonly warnings: string[] = [];
  /** average KNN distances of the last features scoring (diagnostics) */
  lastAvgKnnDistances: Float64Array | null = null;

  constructor(params: (OodParams & Record<string, unknown>) | null = null) {
    const p = params ?? {};
    const extra = Object.keys(p).filter((key) => !PARAM_KEYS.includes(key));
    if (extra.length > 0) {
      throw new InputError(
        'params',
        `Passed in params dict can only contain ${PARAMS_REPR}. Remove [${extra.map((e) => `'${e}'`).join(', ')}] from params dict.`,
      );
    }
    if (p['knn'] !== undefined && p['knn'] !== null) throw new InputError('params.knn', 'A prebuilt knn estimator is not supported.');
    this.k = p.k ?? null;
    this.t = p.t ?? 1;
    this.method = p.method ?? 'entropy';
    this.adjustPredProbs = p.adjust_pred_probs ?? true;
    this.M = p.M ?? 100;
    this.gamma = p.gamma ?? 0.1;
    this.confidentThresholds = p.confident_thresholds ? Float64Array.from(p.confident_thresholds) : null;
  }

  /** The fitted state, as cleanlab's fixtures record it. */
  state(): OodState {
    const s: OodState = {
      scaling_factor: this.scalingFactor,
      confident_thresholds: this.confidentThresholds ? Array.from(this.confidentThresholds) : null,
    };
    if (this.knn) {
      s.n_neighbors = this.knn.k;
      s.metric = metricLabel(this.knn.metric);
      s.sklearn_algorithm = this.knn.algorithm;
    }
    return s;
  }

  /** The KNN metric sklearn would use (`scipy_euclidean` = the scipy callable). */
  get knnMetric(): KnnMetric | null {
    return this.knn ? this.knn.metric : null;
  }

  fitScore(input: OodInput): Float64Array {
    const scores = this.sharedFit(input);
    return scores ?? this.scoreInternal(input, true);
  }

  fit(input: OodInput): void {
    this.sharedFit(input);
  }

  score(input: Omit<OodInput, 'labels'>): Float64Array {
    return this.scoreInternal(input, false);
  }

  private checkInput(input: OodInput): 'features' | 'pred_probs' {
    const hasF = input.features !== undefined;
    const hasP = input.predProbs !== undefined;
    if (!hasF && !hasP) throw new InputError('features', OOD_MESSAGES.noInput);
    if (hasF && hasP) throw new InputError('features', OOD_MESSAGES.bothInputs);
    return hasF ? 'features' : 'pred_probs';
  }

  /** Fit; returns the fit scores, or null when the fit was skipped (then fit_score scores). */
  private sharedFit(input: OodInput): Float64Array | null {
    const kind = this.checkInput(input);
    if (kind === 'features') {
      const x = input.features as FeatureMatrix;
      if (this.knn) {
        this.warnings.push(OOD_MESSAGES.knnRefit);
        return null;
      }
      const k = resolveK(this.k, x.n);
      this.knn = buildKnnIndex(x, k);
      const r = fitFeatureScores(this.knn, this.t);
      this.scalingFactor = r.scalingFactor;
      this.lastAvgKnnDistances = r.avgKnnDistances;
      return r.scores;
    }
    const pp = input.predProbs!;
    assertOodMethod(this.method);
    if (this.confidentThresholds) {
      this.warnings.push(OOD_MESSAGES.thresholdsRefit);
      return null;
    }
    if (!this.adjustPredProbs) {
      this.warnings.push(OOD_MESSAGES.nothingToFit);
      if (input.labels) this.warnings.push(OOD_MESSAGES.notAdjusted);
      return null;
    }
    if (!input.labels) throw new InputError('labels', OOD_MESSAGES.needLabels);
    assertValidInputs(input.labels, pp);
    this.confidentThresholds = getConfidentThresholds(input.labels, pp);
    return predProbsOodScores(pp, { method: this.method, thresholds: this.confidentThresholds, M: this.M, gamma: this.gamma }, this.warnings);
  }

  private scoreInternal(input: Omit<OodInput, 'labels'>, afterFit: boolean): Float64Array {
    const kind = this.checkInput(input);
    if (kind === 'features') {
      if (!this.knn) throw new InputError('features', OOD_MESSAGES.notFitFeatures);
      const x = input.features as FeatureMatrix;
      const r = queryFeatureScores(this.knn, x, this.t, this.scalingFactor!, x === this.knn.features);
      this.lastAvgKnnDistances = r.avgKnnDistances;
      return r.scores;
    }
    const pp = input.predProbs!;
    assertOodMethod(this.method);
    if (this.adjustPredProbs) {
      if (!this.confidentThresholds) throw new InputError('pred_probs', OOD_MESSAGES.notFitPredProbs);
    } else if (this.confidentThresholds && !afterFit) {
      this.warnings.push(OOD_MESSAGES.notAdjusted);
    }
    const thresholds = this.adjustPredProbs ? this.confidentThresholds : null;
    return predProbsOodScores(pp, { method: this.method, thresholds, M: this.M, gamma: this.gamma }, this.warnings);
  }
}
