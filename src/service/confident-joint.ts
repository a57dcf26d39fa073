import {
  computeConfidentJointFull,
  estimateJoint,
  estimatePyAndNoiseMatricesFromProbabilities,
  numLabelIssues,
} from '../core/count.js';
import {
  confidentJointOptionsSchema,
  confidentJointRequestSchema,
  confidentJointResponseSchema,
  type ConfidentJointOptions,
} from '../schemas/confident-joint.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { toNumberArray } from './present.js';

export function confidentJoint(input: ClassificationInput, o: ConfidentJointOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const cj = computeConfidentJointFull(labels, predProbs);
  const latent = estimatePyAndNoiseMatricesFromProbabilities(labels, predProbs, { precomputed: cj });
  return {
    num_examples: predProbs.n,
    num_classes: predProbs.k,
    confident_joint: o.calibrate ? cj.calibrated : cj.confidentJoint,
    thresholds: toNumberArray(cj.thresholds),
    joint: estimateJoint(labels, predProbs, { precomputed: cj }),
    py: latent.py,
    noise_matrix: latent.noiseMatrix,
    inverse_noise_matrix: latent.inverseNoiseMatrix,
    num_label_issues: numLabelIssues(labels, predProbs, { precomputed: cj }),
  };
}

export const confidentJointEndpoint = classificationEndpoint(
  {
    name: 'confident-joint',
    path: '/v1/confident-joint',
    summary: 'Confident joint, thresholds, noise matrices and priors',
    description:
      "cleanlab's compute_confident_joint (calibrated by default) with the per-class thresholds, the normalised joint, the estimated prior of the true labels and both noise matrices.",
    requestSchema: confidentJointRequestSchema,
    optionsSchema: confidentJointOptionsSchema,
    responseSchema: confidentJointResponseSchema,
  },
  confidentJoint,
);
