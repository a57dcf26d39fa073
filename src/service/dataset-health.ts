import { computeConfidentJointFull, estimateJoint, numLabelIssues } from '../core/count.js';
import { findOverlappingClasses, overallLabelHealthScore, rankClassesByLabelQuality } from '../core/dataset.js';
import {
  datasetHealthOptionsSchema,
  datasetHealthRequestSchema,
  datasetHealthResponseSchema,
  type DatasetHealthOptions,
} from '../schemas/dataset-health.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { presentClasses, presentOverlaps } from './present.js';

export function datasetHealth(input: ClassificationInput, o: DatasetHealthOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const cj = computeConfidentJointFull(labels, predProbs);
  const joint = estimateJoint(labels, predProbs, { precomputed: cj });
  return {
    num_examples: predProbs.n,
    num_classes: predProbs.k,
    classes: presentClasses(rankClassesByLabelQuality(labels, predProbs, { joint }), o.class_names),
    overall_label_health_score: overallLabelHealthScore(labels, predProbs, { precomputed: cj }),
    overlapping_classes: presentOverlaps(
      findOverlappingClasses(labels, predProbs, { joint, asymmetric: o.asymmetric }),
      o.class_names,
    ),
    num_label_issues: numLabelIssues(labels, predProbs, { precomputed: cj }),
  };
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
