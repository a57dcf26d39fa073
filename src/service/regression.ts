/**
 * POST /v1/regression/label-quality-scores (spec task-types-api.md "Regression"):
 * cleanlab's regression.rank.get_label_quality_scores; the lowest scores listed first.
 */
import { argsortStable } from '../core/argsort.js';
import { InputError } from '../core/errors.js';
import { getLabelQualityScores } from '../core/regression.js';
import { parseNpy, type NpyArray } from '../io/npy.js';
import { regressionOptionsSchema, regressionRequestSchema, regressionResponseSchema, type RegressionOptions } from '../schemas/regression.js';
import { requireField, requirePart, splitPayload } from './input.js';
import { toNumberArray } from './present.js';
import type { EndpointSpec } from './types.js';

function npyVector(arr: NpyArray, field: string): Float64Array {
  if (arr.kind === 'b') throw new InputError(field, `${field}.npy has dtype bool; expected numbers`);
  const d = arr.data;
  return d instanceof BigInt64Array || d instanceof BigUint64Array ? Float64Array.from(d, (v) => Number(v)) : Float64Array.from(d as ArrayLike<number>);
}

/** The `limit` lowest scores, ascending, ties by index: [{index, ...}]. */
export function lowestFirst(scores: ArrayLike<number>, limit: number): number[] {
  const ord = argsortStable(scores);
  return Array.from(ord.subarray(0, limit === 0 ? ord.length : Math.min(limit, ord.length)));
}

export function regressionQualityScores(labels: unknown, predictions: unknown, o: RegressionOptions): { body: Record<string, unknown>; n: number } {
  const scores = getLabelQualityScores(labels, predictions, { method: o.method });
  const y = labels as ArrayLike<number | number[]>;
  const p = predictions as ArrayLike<number | number[]>;
  const scalar = (v: number | number[]): number => (Array.isArray(v) ? scalar(v[0] as number | number[]) : v);
  return {
    body: {
      label_quality_scores: toNumberArray(scores),
      label_issues: lowestFirst(scores, o.limit).map((i) => ({ index: i, label: scalar(y[i]!), prediction: scalar(p[i]!), label_quality: scores[i]! })),
    },
    n: scores.length,
  };
}

export const regressionQualityEndpoint: EndpointSpec = {
  name: 'regression/label-quality-scores',
  path: '/v1/regression/label-quality-scores',
  summary: 'Label quality scores for regression data',
  description:
    "cleanlab's regression.rank.get_label_quality_scores: `outre` (default: how far each (label, residual) pair lies from its nearest neighbours) or `residual`. Lower = more likely a label error.",
  requestSchema: regressionRequestSchema,
  optionsSchema: regressionOptionsSchema,
  responseSchema: regressionResponseSchema,
  fileParts: ['labels', 'predictions'],
  handle(payload) {
    const { options, json, parts } = splitPayload(payload, regressionOptionsSchema, ['labels', 'predictions'], 'regression');
    const labels = json
      ? requireField(json, 'labels', 'number[N]')
      : npyVector(parseNpy(requirePart(parts, 'labels', 'a 1-D .npy of N numbers'), 'labels'), 'labels');
    const predictions = json
      ? requireField(json, 'predictions', 'number[N]')
      : npyVector(parseNpy(requirePart(parts, 'predictions', 'a 1-D .npy of N numbers'), 'predictions'), 'predictions');
    const r = regressionQualityScores(labels, predictions, options);
    return { body: r.body, n: r.n, k: 0 };
  },
};
