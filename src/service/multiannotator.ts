/**
 * POST /v1/multiannotator/consensus (issue 5; multilabel-and-multiannotator.md Part B).
 *
 * labels_multiannotator: N×M class ids, null (JSON) or -1 (.npy) where an annotator did
 * not label an example. Optional pred_probs (N×K). Methods:
 * - crowdlab (default with pred_probs): cleanlab get_label_quality_multiannotator,
 *   best_quality consensus;
 * - majority_vote (default without pred_probs): cleanlab's tie-broken majority vote, scored
 *   by CROWDLAB when pred_probs are given, else by annotator agreement (quality_method
 *   'agreement');
 * - dawid_skene: EM over per-annotator confusion matrices (annotations only).
 * With active_learning, ActiveLab scores are added (needs pred_probs); with
 * return_detailed_quality, the N×M per-annotation quality table (null = not labelled).
 */
import { InputError } from '../core/errors.js';
import {
  MISSING,
  dawidSkene,
  detailedLabelQuality,
  getActiveLearningScores,
  getLabelQualityMultiannotator,
  type AnnotatorMatrix,
  type AnnotatorStat,
} from '../core/multiannotator/index.js';
import { maxAnnotatedLabel } from '../core/multiannotator/types.js';
import type { ProbMatrix } from '../core/types.js';
import { checkMatrixSize, checkMaxIter } from '../io/limits.js';
import { decodeIntMatrixWithNulls, decodePredProbs } from '../io/json.js';
import { npyToProbMatrix, parseNpy, type NpyArray } from '../io/npy.js';
import { validatePredProbs } from '../io/validate.js';
import {
  multiannotatorConsensusOptionsSchema,
  multiannotatorConsensusRequestSchema,
  multiannotatorConsensusResponseSchema,
  type MultiannotatorConsensusOptions,
} from '../schemas/multiannotator.js';
import { requireField, requirePart, splitPayload } from './input.js';
import { toNumberArray } from './present.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

const FIELD = 'labels_multiannotator';
const LABELS_HINT = 'N×M class labels (row = example, column = annotator), null where an annotator did not label an example';
const LABELS_NPY_HINT = 'an N×M integer .npy matrix (row = example, column = annotator), -1 where an annotator did not label an example';

export interface MultiannotatorInput {
  labels: AnnotatorMatrix;
  predProbs: ProbMatrix | undefined;
  predProbsUnlabeled: ProbMatrix | undefined;
}

/** An N×M `.npy` of annotations: integers with -1 = missing, or floats with NaN (or -1) = missing. */
export function npyToAnnotatorMatrix(arr: NpyArray, k: number | undefined, field = FIELD): AnnotatorMatrix {
  if (arr.shape.length !== 2) {
    throw new InputError(field, `${field}.npy must be a 2-D N×M matrix (row = example, column = annotator); got shape (${arr.shape.join(', ')})`);
  }
  const [n, m] = arr.shape as [number, number];
  if (arr.kind === 'b') throw new InputError(field, `${field}.npy has dtype bool; it must hold integer class labels (-1 = missing)`);
  const src = arr.data;
  const data = new Int32Array(n * m);
  for (let j = 0; j < n * m; j++) {
    const raw = src[j]!;
    const v = typeof raw === 'bigint' ? Number(raw) : raw;
    const row = Math.floor(j / m);
    const col = j % m;
    if (Number.isNaN(v) || v === -1) {
      data[j] = MISSING;
      continue;
    }
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff || (k !== undefined && v >= k)) {
      const range = k !== undefined ? `integers in [0, ${k})` : 'non-negative integers';
      throw new InputError(field, `${field}[${row}][${col}] = ${v} is not a class label: labels must be ${range}, -1 for missing`, {
        row,
        column: col,
      });
    }
    data[j] = v;
  }
  return { data, n, m };
}

function checkPredProbs(pp: ProbMatrix, field: string, n: number | undefined, k: number | undefined): void {
  validatePredProbs(pp, field);
  if (n !== undefined && pp.n !== n) {
    throw new InputError(field, `${field} has ${pp.n} rows but ${FIELD} has ${n} examples; they must match`);
  }
  if (k !== undefined && pp.k !== k) {
    throw new InputError(field, `${field} has ${pp.k} columns but pred_probs has ${k}; both need one column per class`);
  }
}

export function decodeMultiannotator(payload: RequestPayload): { input: MultiannotatorInput; options: MultiannotatorConsensusOptions } {
  const arrayFields = [FIELD, 'pred_probs', 'pred_probs_unlabeled'];
  const { options, json, parts } = splitPayload(payload, multiannotatorConsensusOptionsSchema, arrayFields, 'multi-annotator');
  if (json) requireField(json, FIELD, LABELS_HINT);
  // pred_probs (optional) first: its K bounds the labels
  const probs = (field: string): ProbMatrix | undefined => {
    if (json) {
      const v = json[field];
      return v === undefined || v === null ? undefined : decodePredProbs(v, field);
    }
    const bytes = parts[field];
    return bytes ? npyToProbMatrix(parseNpy(bytes, field), field) : undefined;
  };
  const predProbs = probs('pred_probs');
  if (predProbs) checkPredProbs(predProbs, 'pred_probs', undefined, undefined);
  const k = predProbs?.k ?? options.num_classes;
  const labels = json
    ? decodeIntMatrixWithNulls(json[FIELD], FIELD, k !== undefined ? { k } : {})
    : npyToAnnotatorMatrix(parseNpy(requirePart(parts, FIELD, LABELS_NPY_HINT), FIELD), k);
  if (predProbs) checkPredProbs(predProbs, 'pred_probs', labels.n, undefined);
  const predProbsUnlabeled = probs('pred_probs_unlabeled');
  if (predProbsUnlabeled) checkPredProbs(predProbsUnlabeled, 'pred_probs_unlabeled', undefined, predProbs?.k);
  return { input: { labels, predProbs, predProbsUnlabeled }, options };
}

function presentAnnotators(stats: readonly AnnotatorStat[]) {
  return stats.map((s) => ({
    annotator: s.annotator,
    annotator_quality: Number.isNaN(s.annotatorQuality) ? null : s.annotatorQuality,
    agreement_with_consensus: s.agreementWithConsensus,
    worst_class: s.worstClass,
    num_examples_labeled: s.numExamplesLabeled,
  }));
}

/** N×M row-major table (NaN = missing) → rows of numbers, null where missing. */
function presentDetailed(detailed: Float64Array, n: number, m: number): (number | null)[][] {
  const rows = new Array<(number | null)[]>(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<number | null>(m);
    for (let a = 0; a < m; a++) {
      const v = detailed[i * m + a]!;
      row[a] = Number.isNaN(v) ? null : v;
    }
    rows[i] = row;
  }
  return rows;
}

function presentExamples(consensus: Int32Array, quality: Float64Array, agreement: Float64Array) {
  const out = new Array(consensus.length);
  for (let i = 0; i < consensus.length; i++) {
    out[i] = {
      index: i,
      consensus_label: consensus[i]!,
      consensus_quality_score: quality[i]!,
      annotator_agreement: agreement[i]!,
    };
  }
  return out;
}

export function multiannotatorConsensus(input: MultiannotatorInput, o: MultiannotatorConsensusOptions): Record<string, unknown> {
  const { labels, predProbs, predProbsUnlabeled } = input;
  const method = o.method ?? (predProbs !== undefined ? 'crowdlab' : 'majority_vote');
  // K (from pred_probs, num_classes or the largest label) bounds every K-sized allocation.
  checkMatrixSize(o.num_classes !== undefined ? 'num_classes' : FIELD, labels.n, predProbs?.k ?? o.num_classes ?? maxAnnotatedLabel(labels) + 1);
  if (method === 'dawid_skene') checkMaxIter('max_iter', o.max_iter);
  if (o.num_classes !== undefined && predProbs !== undefined && o.num_classes !== predProbs.k) {
    throw new InputError('num_classes', `num_classes is ${o.num_classes} but pred_probs has ${predProbs.k} columns; omit num_classes when sending pred_probs`);
  }
  if (method === 'crowdlab' && predProbs === undefined) {
    throw new InputError('pred_probs', "method 'crowdlab' needs pred_probs (a model's predicted probabilities); without a model use method 'majority_vote' or 'dawid_skene'");
  }
  if (o.active_learning && predProbs === undefined) {
    throw new InputError('pred_probs', 'active_learning needs pred_probs for the labelled examples');
  }
  if (predProbsUnlabeled !== undefined && !o.active_learning) {
    throw new InputError('pred_probs_unlabeled', 'pred_probs_unlabeled is only used with active_learning: true');
  }
  if (o.calibrate_probs && (method === 'dawid_skene' || predProbs === undefined)) {
    throw new InputError('calibrate_probs', "calibrate_probs applies to pred_probs with method 'crowdlab' or 'majority_vote'");
  }
  const warnings: string[] = [];
  let body: Record<string, unknown>;
  if (method === 'dawid_skene') {
    const r = dawidSkene(labels, predProbs, {
      ...(o.num_classes !== undefined ? { numClasses: o.num_classes } : {}),
      tol: o.tol,
      maxIter: o.max_iter,
    });
    warnings.push(...r.warnings);
    body = {
      examples: presentExamples(r.consensusLabel, r.consensusQualityScore, r.annotatorAgreement),
      annotators: presentAnnotators(r.annotatorStats),
    };
    if (o.return_detailed_quality) {
      body.detailed_label_quality = presentDetailed(detailedLabelQuality(labels, r.posterior), labels.n, labels.m);
    }
  } else {
    const r = getLabelQualityMultiannotator(labels, predProbs, {
      consensusMethod: method === 'crowdlab' ? 'best_quality' : 'majority_vote',
      qualityMethod: predProbs !== undefined ? 'crowdlab' : 'agreement',
      calibrateProbs: o.calibrate_probs,
      returnDetailedQuality: true,
      returnAnnotatorStats: true,
      ...(o.num_classes !== undefined ? { numClasses: o.num_classes } : {}),
    });
    warnings.push(...r.warnings);
    body = {
      examples: presentExamples(r.consensusLabel, r.consensusQualityScore, r.annotatorAgreement),
      annotators: presentAnnotators(r.annotatorStats!),
    };
    if (o.return_detailed_quality) body.detailed_label_quality = presentDetailed(r.detailedLabelQuality!, labels.n, labels.m);
  }
  if (o.active_learning) {
    const a = getActiveLearningScores(labels, predProbs, predProbsUnlabeled);
    for (const w of a.warnings) if (!warnings.includes(w)) warnings.push(w);
    body.active_learning_scores = toNumberArray(a.scores);
    if (predProbsUnlabeled !== undefined) body.active_learning_scores_unlabeled = toNumberArray(a.scoresUnlabeled);
  }
  if (warnings.length > 0) body.warnings = warnings;
  return body;
}

export const multiannotatorConsensusEndpoint: EndpointSpec = {
  name: 'multiannotator-consensus',
  path: '/v1/multiannotator/consensus',
  summary: 'Consensus labels and annotator quality for crowd-labelled data',
  description:
    "For examples labelled by several annotators (some missing): a consensus label per example with its quality and the annotators' agreement, and per-annotator quality (cleanlab's CROWDLAB, majority vote, or Dawid–Skene). Optionally ActiveLab scores: which examples to send for another annotation (lowest first).",
  requestSchema: multiannotatorConsensusRequestSchema,
  optionsSchema: multiannotatorConsensusOptionsSchema,
  responseSchema: multiannotatorConsensusResponseSchema,
  fileParts: [FIELD, 'pred_probs', 'pred_probs_unlabeled'],
  handle(payload: RequestPayload): ServiceResult {
    const { input, options } = decodeMultiannotator(payload);
    const k = input.predProbs?.k ?? options.num_classes ?? 0;
    return { body: multiannotatorConsensus(input, options), n: input.labels.n, k };
  },
};
