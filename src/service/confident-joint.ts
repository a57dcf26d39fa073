import {
  computeConfidentJointFull,
  estimateJoint,
  estimatePyAndNoiseMatricesFromProbabilities,
  numLabelIssues,
  type ConfidentJointResult,
  type LatentEstimates,
} from '../core/count.js';
import type { Matrix } from '../core/types.js';
import {
  confidentJointOptionsSchema,
  confidentJointRequestSchema,
  confidentJointResponseSchema,
  type ConfidentJointOptions,
} from '../schemas/confident-joint.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { toNumberArray } from './present.js';

/** What a confident-joint body is made of, however it was computed (in memory or in row chunks). */
export interface ConfidentJointPieces {
  cj: ConfidentJointResult;
  joint: Matrix;
  latent: LatentEstimates;
  numLabelIssues: number;
}

/** The confident-joint response body from its computed pieces. */
export function confidentJointBody(p: ConfidentJointPieces, o: ConfidentJointOptions): Record<string, unknown> {
  return {
    num_examples: p.cj.n,
    num_classes: p.cj.k,
    confident_joint: o.calibrate ? p.cj.calibrated : p.cj.confidentJoint,
    thresholds: toNumberArray(p.cj.thresholds),
    joint: p.joint,
    py: p.latent.py,
    noise_matrix: p.latent.noiseMatrix,
    inverse_noise_matrix: p.latent.inverseNoiseMatrix,
    num_label_issues: p.numLabelIssues,
  };
}

export function confidentJoint(input: ClassificationInput, o: ConfidentJointOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const cj = computeConfidentJointFull(labels, predProbs);
  const latent = estimatePyAndNoiseMatricesFromProbabilities(labels, predProbs, { precomputed: cj });
  const joint = estimateJoint(labels, predProbs, { precomputed: cj });
  const numIssues = numLabelIssues(labels, predProbs, { precomputed: cj });
  return confidentJointBody({ cj, joint, latent, numLabelIssues: numIssues }, o);
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
