import { computeConfidentJointFull, estimateJointFlat, numLabelIssues, toMatrix } from '../core/count.js';
import {
  findOverlappingClasses,
  overallLabelHealthScore,
  rankClassesByLabelQuality,
  type ClassHealth,
  type OverlappingPair,
} from '../core/dataset.js';
import {
  datasetHealthOptionsSchema,
  datasetHealthRequestSchema,
  datasetHealthResponseSchema,
  type DatasetHealthOptions,
} from '../schemas/dataset-health.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { presentClasses, presentOverlaps } from './present.js';

/** What a dataset-health body is made of, however it was computed (in memory or in row chunks). */
export interface DatasetHealthPieces {
  numExamples: number;
  numClasses: number;
  classes: readonly ClassHealth[];
  overall: number;
  overlaps: readonly OverlappingPair[];
  numLabelIssues: number;
}

/** The dataset-health response body from its computed pieces. */
export function datasetHealthBody(p: DatasetHealthPieces, classNames?: readonly string[]): Record<string, unknown> {
  return {
    num_examples: p.numExamples,
    num_classes: p.numClasses,
    classes: presentClasses(p.classes, classNames),
    overall_label_health_score: p.overall,
    overlapping_classes: presentOverlaps(p.overlaps, classNames),
    num_label_issues: p.numLabelIssues,
  };
}

export function datasetHealth(input: ClassificationInput, o: DatasetHealthOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const cj = computeConfidentJointFull(labels, predProbs);
  const jointFlat = estimateJointFlat(labels, predProbs, { precomputed: cj });
  const joint = toMatrix(jointFlat.flat, jointFlat.k);
  const classes = rankClassesByLabelQuality(labels, predProbs, { jointFlat });
  const overall = overallLabelHealthScore(labels, predProbs, { precomputed: cj });
  const overlaps = findOverlappingClasses(labels, predProbs, { joint, asymmetric: o.asymmetric });
  const numIssues = numLabelIssues(labels, predProbs, { precomputed: cj });
  return datasetHealthBody(
    { numExamples: predProbs.n, numClasses: predProbs.k, classes, overall, overlaps, numLabelIssues: numIssues },
    o.class_names,
  );
}

export const datasetHealthEndpoint = classificationEndpoint(
  {
    name: 'dataset-health',
    path: '/v1/dataset-health',
    summary: 'Class-level label health of a dataset',
    description:
      "cleanlab's health_summary: classes ranked by label quality, overall label health score, and the most overlapping class pairs.",
    requestSchema: datasetHealthRequestSchema,
    optionsSchema: datasetHealthOptionsSchema,
    responseSchema: datasetHealthResponseSchema,
  },
  datasetHealth,
);
