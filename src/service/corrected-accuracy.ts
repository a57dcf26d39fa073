/**
 * POST /v1/corrected-accuracy (api.md §2; corrected-accuracy.md §2–§7).
 *
 * The shared inputs (labels + reference pred_probs) give the flagged set F
 * (find_label_issues with the request's filter options), the suggested labels
 * g = first_argmax(pred_probs) and the noise matrix T̂
 * (estimate_py_and_noise_matrices_from_probabilities, converge on). The reference model
 * (ŷ = g) is always scored first, under `reference_name`; then every model of `models`, in
 * request order. Extra models arrive as JSON (`predictions` int[N] or `pred_probs`
 * number[N][K]) or, in multipart requests, also as `.npy` file parts named
 * `models.<name>.predictions` / `models.<name>.pred_probs`.
 */
import {
  correctedAccuracy,
  validateVerifiedCorrections,
  type AccuracyModel,
  type CorrectedAccuracyResult,
  type EstimatorComparison,
  type ModelAccuracy,
  type RankingChange,
} from '../core/accuracy.js';
import { computeConfidentJointFull, estimatePyAndNoiseMatricesFromProbabilities } from '../core/count.js';
import { InputError } from '../core/errors.js';
import { findLabelIssues } from '../core/filter.js';
import { rowArgmax } from '../core/rows.js';
import type { ProbMatrix } from '../core/types.js';
import { decodeLabels, decodePredProbs } from '../io/json.js';
import { ingestArrow, ingestJson, ingestNpy } from '../io/ingest.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy } from '../io/npy.js';
import { describeValue, toLabels, validatePredProbs, type ClassificationInput } from '../io/validate.js';
import {
  correctedAccuracyOptionsSchema,
  correctedAccuracyRequestSchema,
  correctedAccuracyResponseSchema,
  type CorrectedAccuracyOptions,
} from '../schemas/corrected-accuracy.js';
import { jsonBodyObject, npyOptions, optionsObject, requireField, requirePart, splitFields } from './input.js';
import { checkNumToRemovePerClass, findOptionsOf, parseOptions } from './options.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

const LABELS_HINT = 'the given label of each example, integers in [0, K)';
const PRED_PROBS_HINT = 'the reference N×K out-of-sample predicted probabilities';
const MODELS_HINT = 'models must be an object mapping a model name to {"predictions": int[N]} or {"pred_probs": number[N][K]}';
/** Multipart file parts carrying a model: `models.<name>.predictions` or `models.<name>.pred_probs`. */
const MODEL_PART = /^models\.(.+)\.(predictions|pred_probs)$/;

type ModelSource =
  | { kind: 'predictions'; json: unknown }
  | { kind: 'pred_probs'; json: unknown }
  | { kind: 'predictions-npy'; bytes: Uint8Array }
  | { kind: 'pred_probs-npy'; bytes: Uint8Array };

interface DecodedCorrectedAccuracy {
  input: ClassificationInput;
  options: CorrectedAccuracyOptions;
  models: Map<string, ModelSource>;
  verifiedRaw: unknown;
}

/** Gather the models of a JSON `models` object. */
function modelsFromJson(raw: unknown, into: Map<string, ModelSource>): void {
  if (raw === undefined || raw === null) return;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('models', `${MODELS_HINT}; got ${describeValue(raw)}`);
  }
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    const path = `models.${name}`;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new InputError('models', `${path} must be {"predictions": int[N]} or {"pred_probs": number[N][K]}; got ${describeValue(spec)}`, {
        path,
      });
    }
    const keys = Object.keys(spec);
    const unknown = keys.filter((key) => key !== 'predictions' && key !== 'pred_probs');
    if (unknown.length > 0) {
      throw new InputError('models', `${path} has an unknown field '${unknown[0]}'; give either predictions or pred_probs`, {
        path: `${path}.${unknown[0]}`,
      });
    }
    const s = spec as { predictions?: unknown; pred_probs?: unknown };
    const hasPred = s.predictions !== undefined;
    const hasProbs = s.pred_probs !== undefined;
    if (hasPred === hasProbs) {
      throw new InputError(
        'models',
        `${path} must have exactly one of predictions (int[N]) or pred_probs (number[N][K])${hasPred ? ', not both' : ''}`,
        { path },
      );
    }
    into.set(name, hasPred ? { kind: 'predictions', json: s.predictions } : { kind: 'pred_probs', json: s.pred_probs });
  }
}

/** Gather the models sent as `.npy` multipart parts. */
function modelsFromParts(parts: Record<string, Uint8Array>, into: Map<string, ModelSource>): void {
  for (const [part, bytes] of Object.entries(parts)) {
    const m = MODEL_PART.exec(part);
    if (!m) continue;
    const name = m[1]!;
    if (into.has(name)) {
      throw new InputError('models', `model '${name}' is given twice (in options.models and as a file part, or as two parts)`, {
        path: `models.${name}`,
      });
    }
    into.set(name, m[2] === 'predictions' ? { kind: 'predictions-npy', bytes } : { kind: 'pred_probs-npy', bytes });
  }
}

export function decodeCorrectedAccuracy(payload: RequestPayload): DecodedCorrectedAccuracy {
  const models = new Map<string, ModelSource>();
  const extra = ['models', 'verified_corrections'];
  switch (payload.kind) {
    case 'json':
    case 'json-bytes': {
      const split = splitFields(jsonBodyObject(payload), ['labels', 'pred_probs', ...extra]);
      const options = parseOptions(correctedAccuracyOptionsSchema, split.options);
      requireField(split.arrays, 'pred_probs', PRED_PROBS_HINT);
      requireField(split.arrays, 'labels', LABELS_HINT);
      const input = ingestJson({
        labels: split.arrays.labels,
        pred_probs: split.arrays.pred_probs,
        class_names: options.class_names,
      });
      modelsFromJson(split.arrays.models, models);
      return { input, options, models, verifiedRaw: split.arrays.verified_corrections };
    }
    case 'npy': {
      const split = splitFields(npyOptions(payload), extra);
      const options = parseOptions(correctedAccuracyOptionsSchema, split.options);
      const input = ingestNpy({
        predProbs: requirePart(payload.parts, 'pred_probs', PRED_PROBS_HINT),
        labels: requirePart(payload.parts, 'labels', LABELS_HINT),
        classNames: options.class_names,
      });
      modelsFromJson(split.arrays.models, models);
      modelsFromParts(payload.parts, models);
      return { input, options, models, verifiedRaw: split.arrays.verified_corrections };
    }
    case 'arrow': {
      const split = splitFields(optionsObject(payload.options), extra);
      const options = parseOptions(correctedAccuracyOptionsSchema, split.options);
      const input = ingestArrow(payload.bytes, { classNames: options.class_names });
      modelsFromJson(split.arrays.models, models);
      return { input, options, models, verifiedRaw: split.arrays.verified_corrections };
    }
  }
}

function checkModelMatrix(pm: ProbMatrix, field: string, n: number, k: number): void {
  if (pm.n !== n) {
    throw new InputError(field, `${field} has ${pm.n} rows but pred_probs has ${n}; every model must score the same N examples`);
  }
  if (pm.k !== k) {
    throw new InputError(field, `${field} has ${pm.k} columns but pred_probs has ${k}; every model must use the same K classes`);
  }
  validatePredProbs(pm, field);
}

/** Predictions of one extra model: ints in [0, K), or first_argmax of validated pred_probs rows. */
export function modelPredictions(name: string, src: ModelSource, n: number, k: number): Int32Array {
  switch (src.kind) {
    case 'predictions': {
      const field = `models.${name}.predictions`;
      return toLabels(decodeLabels(src.json, field), k, field, n);
    }
    case 'predictions-npy': {
      const field = `models.${name}.predictions`;
      return toLabels(npyToLabelValues(parseNpy(src.bytes, field), field), k, field, n);
    }
    case 'pred_probs': {
      const field = `models.${name}.pred_probs`;
      const pm = decodePredProbs(src.json, field);
      checkModelMatrix(pm, field, n, k);
      return rowArgmax(pm);
    }
    case 'pred_probs-npy': {
      const field = `models.${name}.pred_probs`;
      const pm = npyToProbMatrix(parseNpy(src.bytes, field), field);
      checkModelMatrix(pm, field, n, k);
      return rowArgmax(pm);
    }
  }
}

export function correctedAccuracyFromDecoded(d: DecodedCorrectedAccuracy): Record<string, unknown> {
  const { input, options: o } = d;
  const { labels, predProbs } = input;
  const { n, k } = predProbs;
  checkNumToRemovePerClass(o.num_to_remove_per_class, k);
  if (d.models.has(o.reference_name)) {
    throw new InputError(
      'models',
      `models.${o.reference_name} clashes with the reference model's name; rename the model or set reference_name`,
      { path: `models.${o.reference_name}` },
    );
  }
  const suggested = rowArgmax(predProbs);
  const models: AccuracyModel[] = [{ name: o.reference_name, predictions: suggested, reference: true }];
  for (const [name, src] of d.models) {
    if (name.length === 0) throw new InputError('models', 'model names must not be empty', { path: 'models' });
    models.push({ name, predictions: modelPredictions(name, src, n, k) });
  }
  const verified =
    d.verifiedRaw === undefined || d.verifiedRaw === null ? null : validateVerifiedCorrections(d.verifiedRaw, n, k);

  const cj = computeConfidentJointFull(labels, predProbs);
  const found = findLabelIssues(labels, predProbs, findOptionsOf(o), cj);
  const latent = estimatePyAndNoiseMatricesFromProbabilities(labels, predProbs, { precomputed: cj });
  const result = correctedAccuracy({
    labels,
    suggested,
    flaggedMask: found.mask,
    numClasses: k,
    noiseMatrix: latent.noiseMatrix,
    models,
    verified,
    prevalenceStep: o.prevalence_step,
    prevalenceMax: o.prevalence_max,
  });
  return {
    ...presentCorrectedAccuracy(result),
    ...(found.warnings.length > 0 ? { warnings: found.warnings } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Presentation: engine camelCase → API snake_case (this endpoint's one mapping layer)

function presentModel(m: ModelAccuracy) {
  return {
    name: m.name,
    reference: m.reference,
    given_labels: m.givenLabels,
    pruned: m.pruned,
    corrected: m.corrected,
    ...(m.verified !== undefined ? { verified: m.verified } : {}),
    estimated_true: m.estimatedTrue,
    estimated_true_raw: m.estimatedTrueRaw,
    estimated_true_se: m.estimatedTrueSe,
    estimated_true_class_recall: m.estimatedTrueClassRecall,
    self_referential: { corrected: m.selfReferential.corrected, estimated_true: m.selfReferential.estimatedTrue },
    null_reasons: m.nullReasons,
  };
}

function presentComparison(c: EstimatorComparison) {
  return { kendall_tau_b: c.kendallTauB, ...(c.nullReason ? { null_reason: c.nullReason } : {}), flips: c.flips };
}

function presentChange(c: RankingChange | null) {
  return c === null ? null : { prevalence: c.prevalence, immediate: c.immediate, overtaking: c.overtaking, overtaken: c.overtaken };
}

export function presentCorrectedAccuracy(r: CorrectedAccuracyResult): Record<string, unknown> {
  const comparisons: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(r.comparisons)) comparisons[name] = presentComparison(c!);
  const pc = r.prevalenceCurves;
  return {
    num_examples: r.numExamples,
    num_classes: r.numClasses,
    num_label_issues: r.numLabelIssues,
    ...(r.numVerified !== null ? { num_verified_corrections: r.numVerified, num_dropped: r.numDropped } : {}),
    noise_matrix_condition_number: r.noiseMatrixCondition,
    models: r.models.map(presentModel),
    rankings: { ...r.rankings },
    ranking_comparisons: comparisons,
    prevalence_curves:
      pc === null
        ? null
        : {
            source: pc.source,
            num_mislabelled: pc.numMislabelled,
            num_excluded: pc.numExcluded,
            num_rest: pc.numRest,
            natural_prevalence: pc.naturalPrevalence,
            prevalence_step: pc.step,
            prevalence_max: pc.max,
            prevalence: pc.prevalence,
            models: pc.models.map((m) => ({
              name: m.name,
              accuracy_on_mislabelled: m.accuracyOnMislabelled,
              original_accuracy_on_mislabelled: m.originalAccuracyOnMislabelled,
              accuracy_on_rest: m.accuracyOnRest,
              corrected: m.corrected,
              original: m.original,
            })),
            first_ranking_change: presentChange(pc.firstRankingChange),
            first_ranking_change_original_labels: presentChange(pc.firstRankingChangeOriginal),
          },
    null_reasons: r.nullReasons,
  };
}

export const correctedAccuracyEndpoint: EndpointSpec = {
  name: 'corrected-accuracy',
  path: '/v1/corrected-accuracy',
  summary: 'Model accuracy on a corrected test set, re-ranking and noise prevalence',
  description:
    'Scores the reference model (argmax of pred_probs) and any extra models under every estimator of corrected-accuracy.md: ' +
    'given labels, pruned (flagged examples removed), corrected (flagged examples relabelled; biased towards the reference), ' +
    'verified (caller-supplied human verdicts) and the noise-aware estimate against the latent true labels. Returns the ranking ' +
    'of the models under each estimator, its agreement with the given-label ranking, and the accuracy curves as the prevalence of ' +
    'mislabelled examples rises, with the prevalence at which the ranking first changes.',
  requestSchema: correctedAccuracyRequestSchema,
  optionsSchema: correctedAccuracyOptionsSchema,
  responseSchema: correctedAccuracyResponseSchema,
  fileParts: ['pred_probs', 'labels', 'models.*'],
  handle(payload: RequestPayload): ServiceResult {
    const decoded = decodeCorrectedAccuracy(payload);
    const { n, k } = decoded.input.predProbs;
    return { body: correctedAccuracyFromDecoded(decoded), n, k };
  },
};
