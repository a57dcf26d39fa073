/**
 * ActiveLab (spec B11; cleanlab `get_active_learning_scores`): how useful one more
 * annotation of each example would be. LOWER score = annotate next.
 */
import { InputError } from '../errors.js';
import type { ProbMatrix } from '../types.js';
import { findBestTemperature, temperatureScale } from './calibration.js';
import { getLabelQualityMultiannotator } from './crowdlab.js';
import { getMajorityVoteLabel } from './majority-vote.js';
import { meanOf, sumOf } from './numeric.js';
import { scoreLabels } from './scores.js';
import { MISSING, countAnnotations, type AnnotatorMatrix } from './types.js';
import { validateMultiannotator } from './validate.js';

export interface ActiveLearningResult {
  /** One score per labelled example (empty without labelled data). */
  scores: Float64Array;
  /** One score per row of pred_probs_unlabeled (empty without it). */
  scoresUnlabeled: Float64Array;
  /** Temperature applied to pred_probs (1 when not calibrated). */
  temperature: number;
  modelWeight: number;
  annotatorWeight: Float64Array | undefined;
  warnings: string[];
}

export function getActiveLearningScores(
  labels: AnnotatorMatrix | undefined,
  predProbs: ProbMatrix | undefined,
  predProbsUnlabeled?: ProbMatrix,
): ActiveLearningResult {
  let temperature = 1;
  let modelWeight = 1;
  let avgAnnotatorWeight = 1;
  let annotatorWeight: Float64Array | undefined;
  let k: number;
  let scores = new Float64Array(0);
  const warnings: string[] = [];
  if (predProbs !== undefined) {
    if (labels === undefined) {
      throw new InputError('labels_multiannotator', 'labels_multiannotator is required when pred_probs is given');
    }
    k = predProbs.k;
    if (predProbsUnlabeled !== undefined && predProbsUnlabeled.k !== k) {
      throw new InputError('pred_probs_unlabeled', `pred_probs_unlabeled has ${predProbsUnlabeled.k} columns but pred_probs has ${k}; both need one column per class`);
    }
    const numAnnotations = countAnnotations(labels);
    const allSingle = numAnnotations.every((c) => c === 1);
    let quality: Float64Array;
    let w: Float64Array;
    if (allSingle) {
      warnings.push(...validateMultiannotator(labels, predProbs, { allowSingleLabel: true }));
      const mv = getMajorityVoteLabel(labels, predProbs);
      warnings.push(...mv.warnings);
      quality = scoreLabels(mv.labels, predProbs, {});
      modelWeight = 1;
      w = new Float64Array(labels.m).fill(1);
      avgAnnotatorWeight = meanOf(w);
    } else {
      validateMultiannotator(labels, predProbs);
      temperature = findBestTemperature(labels, predProbs).temperature;
      const scaled = temperatureScale(predProbs, temperature);
      const info = getLabelQualityMultiannotator(labels, scaled, {
        returnAnnotatorStats: false,
        returnDetailedQuality: false,
        returnWeights: true,
      });
      warnings.push(...info.warnings);
      quality = info.consensusQualityScore;
      modelWeight = info.modelWeight!;
      w = info.annotatorWeight!;
      avgAnnotatorWeight = meanOf(w);
    }
    annotatorWeight = w;
    const { data, n, m } = labels;
    scores = new Float64Array(n);
    const picked: number[] = [];
    const inv = 1 / k;
    for (let i = 0; i < n; i++) {
      picked.length = 0;
      for (let a = 0; a < m; a++) if (data[i * m + a]! !== MISSING) picked.push(w[a]!);
      // np.average((q, 1/K), weights=(Σw + W, w̄))
      const w0 = sumOf(picked) + modelWeight;
      scores[i] = (quality[i]! * w0 + inv * avgAnnotatorWeight) / (w0 + avgAnnotatorWeight);
    }
  } else if (predProbsUnlabeled !== undefined) {
    k = predProbsUnlabeled.k;
  } else {
    throw new InputError('pred_probs', 'pred_probs (with labels_multiannotator) or pred_probs_unlabeled is required');
  }
  let scoresUnlabeled = new Float64Array(0);
  if (predProbsUnlabeled !== undefined) {
    const scaled = temperatureScale(predProbsUnlabeled, temperature);
    const { data, n } = scaled;
    scoresUnlabeled = new Float64Array(n);
    const inv = 1 / k;
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let c = 0; c < k; c++) {
        const v = data[i * k + c]!;
        if (v > mx || Number.isNaN(v)) mx = v;
        if (Number.isNaN(mx)) break;
      }
      scoresUnlabeled[i] = (mx * modelWeight + inv * avgAnnotatorWeight) / (modelWeight + avgAnnotatorWeight);
    }
  }
  return { scores, scoresUnlabeled, temperature, modelWeight, annotatorWeight, warnings };
}
