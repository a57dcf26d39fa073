/**
 * Adapter to the core's single-label label quality scores (confident-learning.md §9), used
 * for the consensus quality score and the detailed per-annotator quality (spec B5.8, B7.5).
 */
import { getLabelQualityScores } from '../rank.js';
import type { ProbMatrix, RankBy } from '../types.js';

/** cleanlab's `label_quality_score_kwargs`. */
export interface LabelQualityKwargs {
  method?: RankBy;
  adjustPredProbs?: boolean;
}

export function scoreLabels(labels: Int32Array, pp: ProbMatrix, kw: LabelQualityKwargs): Float64Array {
  return getLabelQualityScores(labels, pp, { method: kw.method ?? 'self_confidence', adjustPredProbs: kw.adjustPredProbs ?? false });
}
