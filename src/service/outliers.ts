/**
 * POST /v1/outliers (spec task-types-api.md "Outliers"): cleanlab's OutOfDistribution —
 * fit_score on `features` or `pred_probs` (+ `labels`), or fit on them and score
 * `score_features` / `score_pred_probs`.
 */
import { InputError } from '../core/errors.js';
import { featureMatrix, type FeatureMatrix } from '../core/knn.js';
import { OutOfDistribution, type OodInput } from '../core/outliers/index.js';
import type { ProbMatrix } from '../core/types.js';
import { decodeLabels, decodePredProbs } from '../io/json.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy } from '../io/npy.js';
import { toLabels, validatePredProbs } from '../io/validate.js';
import { outliersOptionsSchema, outliersRequestSchema, outliersResponseSchema, type OutliersOptions } from '../schemas/outliers.js';
import { splitPayload } from './input.js';
import { toNumberArray } from './present.js';
import { lowestFirst } from './regression.js';
import type { EndpointSpec } from './types.js';

const FIELDS = ['features', 'pred_probs', 'labels', 'score_features', 'score_pred_probs'] as const;

function asFeatures(m: ProbMatrix, field: string): FeatureMatrix {
  const { data, n, k } = m;
  for (let t = 0; t < data.length; t++) {
    if (!Number.isFinite(data[t]!)) {
      const row = Math.floor(t / k);
      throw new InputError(field, `${field}[${row}][${t % k}] = ${data[t]} is not a finite number`, { row, column: t % k });
    }
  }
  if (k < 1) throw new InputError(field, `${field} has no columns; it needs N rows of D >= 1 features`);
  return featureMatrix(Float64Array.from(data), n, k);
}

function asPredProbs(m: ProbMatrix, field: string): ProbMatrix {
  validatePredProbs(m, field, { rowSums: false });
  return m;
}

interface Decoded {
  features?: FeatureMatrix;
  pred_probs?: ProbMatrix;
  labels?: Int32Array;
  score_features?: FeatureMatrix;
  score_pred_probs?: ProbMatrix;
}

function decodeOutliers(json: Record<string, unknown> | undefined, parts: Record<string, Uint8Array> | undefined): Decoded {
  const matrix = (field: string): ProbMatrix | undefined => {
    if (json) return json[field] === undefined || json[field] === null ? undefined : decodePredProbs(json[field], field);
    const bytes = parts![field];
    return bytes ? npyToProbMatrix(parseNpy(bytes, field), field) : undefined;
  };
  const out: Decoded = {};
  const f = matrix('features');
  if (f) out.features = asFeatures(f, 'features');
  const sf = matrix('score_features');
  if (sf) out.score_features = asFeatures(sf, 'score_features');
  const p = matrix('pred_probs');
  if (p) out.pred_probs = asPredProbs(p, 'pred_probs');
  const sp = matrix('score_pred_probs');
  if (sp) out.score_pred_probs = asPredProbs(sp, 'score_pred_probs');
  const rawLabels = json ? (json['labels'] === undefined || json['labels'] === null ? undefined : decodeLabels(json['labels'])) : parts!['labels'] ? npyToLabelValues(parseNpy(parts!['labels'], 'labels')) : undefined;
  if (rawLabels !== undefined) {
    if (!out.pred_probs) throw new InputError('labels', 'labels go with pred_probs (they adjust its scores); features need no labels');
    out.labels = toLabels(rawLabels, out.pred_probs.k, 'labels', out.pred_probs.n);
  }
  if (out.features && out.features.n < 2) throw new InputError('features', 'features needs at least 2 rows (each example is compared with its nearest neighbours)');
  if (out.score_features && !out.features) throw new InputError('score_features', 'score_features needs features to fit on');
  if (out.score_pred_probs && !out.pred_probs) throw new InputError('score_pred_probs', 'score_pred_probs needs pred_probs to fit on');
  if (out.features && out.score_features && out.score_features.d !== out.features.d) {
    throw new InputError('score_features', `score_features has ${out.score_features.d} columns but features has ${out.features.d}; they must match`);
  }
  if (out.pred_probs && out.score_pred_probs && out.score_pred_probs.k !== out.pred_probs.k) {
    throw new InputError('score_pred_probs', `score_pred_probs has ${out.score_pred_probs.k} columns but pred_probs has ${out.pred_probs.k}; they must match`);
  }
  return out;
}

export function outliers(d: Decoded, o: OutliersOptions): { body: Record<string, unknown>; n: number } {
  const ood = new OutOfDistribution(o.params);
  const fitInput: OodInput = {
    ...(d.features ? { features: d.features } : {}),
    ...(d.pred_probs ? { predProbs: d.pred_probs } : {}),
    ...(d.labels ? { labels: d.labels } : {}),
  };
  let scores: Float64Array;
  if (d.score_features || d.score_pred_probs) {
    ood.fit(fitInput);
    scores = ood.score(d.score_features ? { features: d.score_features } : { predProbs: d.score_pred_probs! });
  } else {
    scores = ood.fitScore(fitInput);
  }
  return {
    body: {
      scores: toNumberArray(scores),
      outliers: lowestFirst(scores, o.limit).map((i) => ({ index: i, score: scores[i]! })),
      fitted: {
        confident_thresholds: ood.confidentThresholds ? toNumberArray(ood.confidentThresholds) : null,
        scaling_factor: ood.scalingFactor,
        k: ood.knn ? ood.knn.k : null,
      },
      ...(ood.warnings.length > 0 ? { warnings: ood.warnings } : {}),
    },
    n: scores.length,
  };
}

export const outliersEndpoint: EndpointSpec = {
  name: 'outliers',
  path: '/v1/outliers',
  summary: 'Outlier (out-of-distribution) scores from features or pred_probs',
  description:
    "cleanlab's OutOfDistribution: average distance to the k nearest neighbours of each feature vector, or the (adjusted) entropy / least confidence / GEN of pred_probs. Lower = more atypical.",
  requestSchema: outliersRequestSchema,
  optionsSchema: outliersOptionsSchema,
  responseSchema: outliersResponseSchema,
  fileParts: [...FIELDS],
  handle(payload) {
    const { options, json, parts } = splitPayload(payload, outliersOptionsSchema, FIELDS, 'outliers');
    const r = outliers(decodeOutliers(json, parts), options);
    return { body: r.body, n: r.n, k: 0 };
  },
};
