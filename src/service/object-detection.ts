/**
 * POST /v1/object-detection/{label-issues, label-quality-scores, summary} (spec
 * task-types-api.md "Object detection"): cleanlab's object_detection filter, rank and
 * summary functions on JSON (cleanlab's format) or multipart `.npy` inputs.
 */
import { InputError } from '../core/errors.js';
import {
  boundingBoxSizeDistribution,
  calculatePerClassMetrics,
  classLabelDistribution,
  computeBoxScores,
  findLabelIssuesMask,
  getAveragePerClassConfusionMatrix,
  getLabelQualityScores,
  issuesFromScores,
  objectCountsPerImage,
  type OdData,
} from '../core/object-detection/index.js';
import { decodeObjectDetectionJson, decodeObjectDetectionNpy } from '../io/object-detection.js';
import { parseNpy } from '../io/npy.js';
import {
  odLabelIssuesOptionsSchema,
  odLabelIssuesRequestSchema,
  odLabelIssuesResponseSchema,
  odQualityOptionsSchema,
  odQualityRequestSchema,
  odQualityResponseSchema,
  odSummaryOptionsSchema,
  odSummaryRequestSchema,
  odSummaryResponseSchema,
  type OdLabelIssuesOptions,
  type OdQualityOptions,
} from '../schemas/object-detection.js';
import { requireField, requirePart, splitPayload } from './input.js';
import { toNumberArray } from './present.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';
import type { ZodType } from 'zod';

const NPY_PARTS = ['labels_bboxes', 'labels_labels', 'labels_counts', 'predictions', 'predictions_counts'] as const;
const LABELS_HINT = 'one {"bboxes": number[M][4], "labels": int[M]} object per image';
const PREDICTIONS_HINT = 'per image, K arrays (one per class) of [x1, y1, x2, y2, confidence] rows';

function decode<O extends { class_names?: string[] | undefined }>(payload: RequestPayload, schema: ZodType<O>): { data: OdData; options: O } {
  const { options, json, parts } = splitPayload(payload, schema, ['labels', 'predictions'], 'object-detection');
  let data: OdData;
  if (json) {
    data = decodeObjectDetectionJson(requireField(json, 'labels', LABELS_HINT), requireField(json, 'predictions', PREDICTIONS_HINT));
  } else {
    const arr = Object.fromEntries(NPY_PARTS.map((p) => [p, parseNpy(requirePart(parts, p, 'see the object-detection multipart format'), p)]));
    data = decodeObjectDetectionNpy(arr as Parameters<typeof decodeObjectDetectionNpy>[0]);
  }
  if (options.class_names && options.class_names.length !== data.k) {
    throw new InputError('class_names', `class_names has ${options.class_names.length} names but the predictions have K = ${data.k} classes`);
  }
  return { data, options };
}

function weightsOf(o: { aggregation_weights?: Record<string, number> | undefined }) {
  return o.aggregation_weights ? { aggregationWeights: o.aggregation_weights } : {};
}

function result(body: Record<string, unknown>, data: OdData): ServiceResult {
  return { body, n: data.images.length, k: data.k };
}

const nullable = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (v !== v ? null : v));

export function objectDetectionLabelIssues(data: OdData, o: OdLabelIssuesOptions): Record<string, unknown> {
  const check = o.overlapping_label_check;
  const mask = findLabelIssuesMask(data, { overlappingLabelCheck: check });
  // cleanlab ranks the flagged images by the default image scores (D8)…
  const order = issuesFromScores(getLabelQualityScores(data), { threshold: 1.0 });
  const ranked = Array.from(order).filter((i) => mask[i] === 1);
  // …and label_quality reports the scores under the request's options
  const scores = getLabelQualityScores(data, { ...weightsOf(o), overlappingLabelCheck: check });
  const shown = o.limit === 0 ? ranked.length : Math.min(o.limit, ranked.length);
  const body: Record<string, unknown> = {
    num_images: data.images.length,
    num_label_issues: ranked.length,
    is_label_issue: Array.from(mask, (v) => v === 1),
    label_issues: ranked.slice(0, shown).map((i) => ({ image: i, label_quality: scores[i]! })),
  };
  if (o.include_box_scores) {
    const bs = computeBoxScores(data, check);
    body['box_scores'] = { overlooked: bs.overlooked.map(nullable), swap: bs.swap.map(toNumberArray), badloc: bs.badloc.map(toNumberArray) };
  }
  return body;
}

export function objectDetectionQualityScores(data: OdData, o: OdQualityOptions): Record<string, unknown> {
  const scores = getLabelQualityScores(data, { ...weightsOf(o), overlappingLabelCheck: o.overlapping_label_check });
  return {
    label_quality_scores: toNumberArray(scores),
    ...(o.threshold !== undefined ? { issues: Array.from(issuesFromScores(scores, { threshold: o.threshold })) } : {}),
  };
}

/** The data-returning summaries with cleanlab's defaults (class_names only decorate elsewhere). */
export function objectDetectionSummary(data: OdData): Record<string, unknown> {
  return {
    object_counts_per_image: objectCountsPerImage(data),
    bounding_box_size_distribution: boundingBoxSizeDistribution(data),
    class_label_distribution: classLabelDistribution(data),
    per_class_metrics: calculatePerClassMetrics(data),
    average_per_class_confusion_matrix: getAveragePerClassConfusionMatrix(data),
  };
}

const FILE_PARTS = [...NPY_PARTS];

export const objectDetectionLabelIssuesEndpoint: EndpointSpec = {
  name: 'object-detection/label-issues',
  path: '/v1/object-detection/label-issues',
  summary: 'Find images with label errors in object-detection data',
  description:
    "cleanlab's object_detection.filter.find_label_issues: images with an overlooked object, a swapped class or a badly located box, ranked worst first by the image label quality score.",
  requestSchema: odLabelIssuesRequestSchema,
  optionsSchema: odLabelIssuesOptionsSchema,
  responseSchema: odLabelIssuesResponseSchema,
  fileParts: FILE_PARTS,
  handle(payload) {
    const { data, options } = decode(payload, odLabelIssuesOptionsSchema);
    return result(objectDetectionLabelIssues(data, options), data);
  },
};

export const objectDetectionQualityEndpoint: EndpointSpec = {
  name: 'object-detection/label-quality-scores',
  path: '/v1/object-detection/label-quality-scores',
  summary: 'Label quality score of every image (object detection)',
  description: "cleanlab's object_detection.rank.get_label_quality_scores, and optionally issues_from_scores.",
  requestSchema: odQualityRequestSchema,
  optionsSchema: odQualityOptionsSchema,
  responseSchema: odQualityResponseSchema,
  fileParts: FILE_PARTS,
  handle(payload) {
    const { data, options } = decode(payload, odQualityOptionsSchema);
    return result(objectDetectionQualityScores(data, options), data);
  },
};

export const objectDetectionSummaryEndpoint: EndpointSpec = {
  name: 'object-detection/summary',
  path: '/v1/object-detection/summary',
  summary: 'Dataset summaries of object-detection labels and predictions',
  description:
    "cleanlab's object_detection.summary data functions: boxes per image, box sizes and class shares per class, per-class precision/recall/F1 and the averaged confusion counts.",
  requestSchema: odSummaryRequestSchema,
  optionsSchema: odSummaryOptionsSchema,
  responseSchema: odSummaryResponseSchema,
  fileParts: FILE_PARTS,
  handle(payload) {
    const { data } = decode(payload, odSummaryOptionsSchema);
    return result(objectDetectionSummary(data), data);
  },
};
