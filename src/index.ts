/**
 * labelcheck as a library: the confident-learning engine (exact to cleanlab 2.9), the
 * input decoders and validation, and the request handlers behind the HTTP API and CLI.
 *
 *   import { findLabelIssuesRanked, probMatrix } from 'labelcheck';
 *   import { executeRequest } from 'labelcheck';               // same bodies as the HTTP API
 *   import { objectDetection, regression, outlier } from 'labelcheck'; // cleanlab's task modules
 *   import { crossValPredProbs } from 'labelcheck/models';     // tfjs: out-of-sample pred_probs
 *   import { startServer } from 'labelcheck/server';
 */
export * from './core/index.js';
export { referenceAccuracy, correctedAccuracy } from './core/accuracy.js';
export { rowArgmax } from './core/rows.js';
// cleanlab's task-type modules, under cleanlab's names (object_detection, regression, outlier)
export * as objectDetection from './core/object-detection/index.js';
export * as regression from './core/regression.js';
export * as outlier from './core/outliers/index.js';
export { OutOfDistribution } from './core/outliers/index.js';
export * from './io/index.js';
export { ENDPOINTS, executeRequest, getEndpoint } from './service/index.js';
export type { EndpointSpec, RequestPayload, ServiceResult } from './service/index.js';
// task families beyond multiclass, under cleanlab's module names (spec task-types.md)
export * as tokenClassification from './core/token-classification/index.js';
export * as segmentation from './core/segmentation/index.js';
