/**
 * Transport-independent request handlers. The CLI, the HTTP worker pool and the jobs
 * runner all call `executeRequest`, so one request body gives one response body
 * everywhere. Register a new endpoint by adding it to ENDPOINTS.
 */
import { InputError } from '../core/errors.js';
import { confidentJointEndpoint } from './confident-joint.js';
import { correctedAccuracyEndpoint } from './corrected-accuracy.js';
import { datasetHealthEndpoint } from './dataset-health.js';
import { labelIssuesEndpoint } from './label-issues.js';
import { labelQualityScoresEndpoint } from './label-quality-scores.js';
import { multiannotatorConsensusEndpoint } from './multiannotator.js';
import { multilabelLabelIssuesEndpoint } from './multilabel.js';
import { objectDetectionLabelIssuesEndpoint, objectDetectionQualityEndpoint, objectDetectionSummaryEndpoint } from './object-detection.js';
import { outliersEndpoint } from './outliers.js';
import { regressionQualityEndpoint } from './regression.js';
import { segLabelIssuesEndpoint, segLabelQualityScoresEndpoint } from './segmentation.js';
import { tokenLabelIssuesEndpoint, tokenLabelQualityScoresEndpoint } from './token-classification.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

export type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

export const ENDPOINTS: readonly EndpointSpec[] = [
  labelIssuesEndpoint,
  confidentJointEndpoint,
  labelQualityScoresEndpoint,
  datasetHealthEndpoint,
  correctedAccuracyEndpoint,
  multilabelLabelIssuesEndpoint,
  multiannotatorConsensusEndpoint,
  objectDetectionLabelIssuesEndpoint,
  objectDetectionQualityEndpoint,
  objectDetectionSummaryEndpoint,
  regressionQualityEndpoint,
  outliersEndpoint,
  tokenLabelIssuesEndpoint,
  tokenLabelQualityScoresEndpoint,
  segLabelIssuesEndpoint,
  segLabelQualityScoresEndpoint,
];

export type EndpointName = string;

const byName = new Map(ENDPOINTS.map((e) => [e.name, e]));

export function getEndpoint(name: EndpointName): EndpointSpec {
  const spec = byName.get(name);
  if (!spec) {
    throw new InputError('endpoint', `Unknown endpoint '${name}'; expected one of ${[...byName.keys()].join(', ')}`);
  }
  return spec;
}

/** Decode, validate and compute one request. Synchronous and CPU-bound: run it in a worker. */
export function executeRequest(endpoint: EndpointName, payload: RequestPayload): ServiceResult {
  return getEndpoint(endpoint).handle(payload);
}
