/**
 * labelcheck models: out-of-sample predicted probabilities from features/embeddings,
 * trained with tfjs (tfjs-node when installed, else the pure-JS cpu backend; see
 * src/backend.ts).
 */
export {
  SoftmaxRegression,
  FULL_BATCH_MAX_ROWS,
  softmaxRegressionDefaults,
  resolveSoftmaxRegressionOptions,
  checkSoftmaxRegressionOptions,
  type FeatureMatrix,
  type SoftmaxRegressionOptions,
  type ResolvedSoftmaxRegressionOptions,
} from './softmax-regression.js';
export {
  crossValPredProbs,
  stratifiedFolds,
  standardizeByRows,
  type CrossValOptions,
  type CrossValResult,
} from './cross-val.js';
export { mulberry32, deriveSeed, shuffleInPlace, type Rng } from './random.js';
export { getTfBackend, type TfBackend } from '../src/backend.js';
