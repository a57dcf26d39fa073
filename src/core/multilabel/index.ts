/** Multi-label engine (spec Part A): one-vs-rest over the single-label core. */
export { classesOfRow, labelListsFromArrays, labelListsFromOneHot, maxClass, oneHot } from './types.js';
export type { LabelLists } from './types.js';
export { assertBinaryProblemValid, assertMultilabelFormat, assertValidMultilabelInputs } from './validate.js';
export { binaryProblem, subDataset } from './binary.js';
export type { BinaryProblem } from './binary.js';
export {
  computeConfidentJointMultilabel,
  estimateJointMultilabel,
  flattenMultilabelConfidentJoint,
  getConfidentThresholdsMultilabel,
} from './count.js';
export type { MultilabelConfidentJoint } from './count.js';
export {
  DEFAULT_AGGREGATOR,
  aggregateScores,
  exponentialMovingAverage,
  getLabelQualityScoresMultilabel,
  getLabelQualityScoresPerClass,
  perClassScoresOneHot,
  scoresOneHot,
  softmin,
} from './rank.js';
export type { MultilabelAggregator, MultilabelScoreOptions } from './rank.js';
export { OLD_CONFIDENT_JOINT_WARNING, findLabelIssuesMultilabel, numLabelIssuesMultilabel } from './filter.js';
export type { MultilabelFindOptions, MultilabelFindResult } from './filter.js';
export {
  classQualityFromIssues,
  commonMultilabelIssues,
  sortMultilabelIssues,
  multilabelHealthSummary,
  multilabelIssueRecords,
  overallMultilabelHealthScore,
  rankClassesByMultilabelQuality,
} from './dataset.js';
export type { CommonMultilabelIssue, MultilabelClassQuality, MultilabelHealthSummary } from './dataset.js';
