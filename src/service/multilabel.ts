/**
 * POST /v1/multilabel/label-issues (issue 5; multilabel-and-multiannotator.md Part A).
 *
 * labels: a list of class lists (JSON) or an N×K 0/1 `.npy` matrix (multipart);
 * pred_probs: N×K per-class probabilities whose rows need NOT sum to 1.
 * The flagged set is cleanlab's multi-label find_label_issues with the request's
 * filter_by; the issues are ordered worst first by the multi-label label quality score
 * (self-confidence per class, exponential moving average α = 0.8), ties lower index first.
 */
import { InputError } from '../core/errors.js';
import {
  classQualityFromIssues,
  classesOfRow,
  findLabelIssuesMultilabel,
  getLabelQualityScoresMultilabel,
  labelListsFromOneHot,
  multilabelIssueRecords,
  oneHot,
  sortMultilabelIssues,
  type LabelLists,
} from '../core/multilabel/index.js';
import { orderLabelIssues } from '../core/rank.js';
import type { FilterBy, ProbMatrix } from '../core/types.js';
import { decodeLabelLists, decodePredProbs } from '../io/json.js';
import { npyToProbMatrix, parseNpy, type NpyArray } from '../io/npy.js';
import { validatePredProbs } from '../io/validate.js';
import {
  multilabelLabelIssuesOptionsSchema,
  multilabelLabelIssuesRequestSchema,
  multilabelLabelIssuesResponseSchema,
  type MultilabelLabelIssuesOptions,
} from '../schemas/multilabel.js';
import { requireField, requirePart, splitPayload } from './input.js';
import { findOptionsOf } from './options.js';
import { presentClasses, toNumberArray } from './present.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

const LABELS_HINT = 'the classes of each example: a list of class-index lists (int[N][], an empty list = no class)';
const LABELS_NPY_HINT = 'an N×K 0/1 .npy matrix (1 = the example has the class)';
const PRED_PROBS_HINT = 'an N×K array of out-of-sample per-class predicted probabilities (rows need not sum to 1)';

export interface MultilabelInput {
  labels: LabelLists;
  predProbs: ProbMatrix;
}

function checkRows(labels: LabelLists, pp: ProbMatrix): void {
  if (labels.n !== pp.n) {
    throw new InputError('labels', `labels has ${labels.n} examples but pred_probs has ${pp.n} rows; they must match`);
  }
}

/** A 2-D N×K 0/1 `.npy` (any int/uint/bool/float dtype) → label lists. */
export function oneHotNpyToLabelLists(arr: NpyArray, k: number, field = 'labels'): LabelLists {
  if (arr.shape.length !== 2) {
    throw new InputError(
      field,
      `${field}.npy must be a 2-D N×K 0/1 matrix (one column per class) for multi-label data; got shape (${arr.shape.join(', ')})`,
    );
  }
  const [n, kk] = arr.shape as [number, number];
  if (kk !== k) {
    throw new InputError(field, `${field}.npy has ${kk} columns but pred_probs has ${k}; use one column per class`);
  }
  const d = arr.data;
  const values: ArrayLike<number> =
    d instanceof BigInt64Array || d instanceof BigUint64Array ? Float64Array.from(d, (v) => Number(v)) : (d as ArrayLike<number>);
  return labelListsFromOneHot(values, n, k, field);
}

export function decodeMultilabel(payload: RequestPayload): { input: MultilabelInput; options: MultilabelLabelIssuesOptions } {
  const { options, json, parts } = splitPayload(payload, multilabelLabelIssuesOptionsSchema, ['labels', 'pred_probs'], 'multi-label');
  let predProbs: ProbMatrix;
  let labels: LabelLists;
  if (json) {
    requireField(json, 'pred_probs', PRED_PROBS_HINT);
    requireField(json, 'labels', LABELS_HINT);
    predProbs = decodePredProbs(json.pred_probs, 'pred_probs');
    validatePredProbs(predProbs, 'pred_probs', { rowSums: false });
    labels = decodeLabelLists(json.labels, 'labels', { k: predProbs.k });
  } else {
    predProbs = npyToProbMatrix(parseNpy(requirePart(parts, 'pred_probs', PRED_PROBS_HINT), 'pred_probs'), 'pred_probs');
    validatePredProbs(predProbs, 'pred_probs', { rowSums: false });
    labels = oneHotNpyToLabelLists(parseNpy(requirePart(parts, 'labels', LABELS_NPY_HINT), 'labels'), predProbs.k);
  }
  checkRows(labels, predProbs);
  return { input: { labels, predProbs }, options };
}

/**
 * Per-class flagged rows for the `classes` table. The low_* methods flag examples, not
 * classes: a flagged example is attributed to each class where its given label and its
 * suggested label (p ≥ 0.5) disagree.
 */
function attributeToClasses(y: Uint8Array, pp: ProbMatrix, flagged: Int32Array): Int32Array[] {
  const { k, data } = pp;
  const per: number[][] = Array.from({ length: k }, () => []);
  for (const i of flagged) {
    for (let c = 0; c < k; c++) {
      const suggested = data[i * k + c]! >= 0.5 ? 1 : 0;
      if (suggested !== y[i * k + c]) per[c]!.push(i);
    }
  }
  return per.map((rows) => Int32Array.from(rows));
}

export function multilabelLabelIssues(input: MultilabelInput, o: MultilabelLabelIssuesOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const { n, k, data } = predProbs;
  const filterBy = o.filter_by;
  const found = findLabelIssuesMultilabel(labels, predProbs, findOptionsOf(o));
  const scores = getLabelQualityScoresMultilabel(labels, predProbs);
  const ranked = orderLabelIssues(found.indices, scores);
  const y = oneHot(labels, k);
  const perClass =
    filterBy === 'low_self_confidence' || filterBy === 'low_normalized_margin'
      ? attributeToClasses(y, predProbs, found.indices)
      : found.perClass;
  const classes = classQualityFromIssues(sortMultilabelIssues(multilabelIssueRecords(y, k, n, perClass)), n);

  const shown = o.limit === 0 ? ranked.length : Math.min(o.limit, ranked.length);
  const issues = new Array(shown);
  for (let r = 0; r < shown; r++) {
    const i = ranked[r]!;
    const suggested: number[] = [];
    for (let c = 0; c < k; c++) if (data[i * k + c]! >= 0.5) suggested.push(c);
    issues[r] = {
      index: i,
      given_labels: classesOfRow(y, k, i),
      suggested_labels: suggested,
      label_quality: scores[i]!,
    };
  }
  return {
    num_examples: n,
    num_classes: k,
    num_label_issues: found.indices.length,
    label_issues: issues,
    classes: presentClasses(classes),
    ...(o.include_scores ? { label_quality_scores: toNumberArray(scores) } : {}),
    ...(found.warnings.length > 0 ? { warnings: found.warnings } : {}),
  };
}

export const multilabelLabelIssuesEndpoint: EndpointSpec = {
  name: 'multilabel-label-issues',
  path: '/v1/multilabel/label-issues',
  summary: 'Find label issues in multi-label data, worst first',
  description:
    "cleanlab's multi-label find_label_issues: each class is checked as a one-vs-rest binary problem and an example is flagged if any of its classes looks wrong (a given class that is likely absent, or a missing class that is likely present). Issues are ranked worst first by the multi-label label quality score.",
  requestSchema: multilabelLabelIssuesRequestSchema,
  optionsSchema: multilabelLabelIssuesOptionsSchema,
  responseSchema: multilabelLabelIssuesResponseSchema,
  fileParts: ['pred_probs', 'labels'],
  handle(payload: RequestPayload): ServiceResult {
    const { input, options } = decodeMultilabel(payload);
    return { body: multilabelLabelIssues(input, options), n: input.predProbs.n, k: input.predProbs.k };
  },
};
