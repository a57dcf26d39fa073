/** Multi-annotator engine: CROWDLAB, majority vote, ActiveLab, Dawid–Skene (spec Part B). */
export { MISSING, annotatorMatrix, annotatorMatrixFromRows, countAnnotations } from './types.js';
export type { AnnotatorMatrix, AnnotatorStat } from './types.js';
export { validateMultiannotator } from './validate.js';
export type { ValidateOptions } from './validate.js';
export { getMajorityVoteLabel, voteCounts } from './majority-vote.js';
export type { MajorityVoteResult } from './majority-vote.js';
export { COARSE_TEMPERATURES, findBestTemperature, packedLabelDistribution, temperatureScale } from './calibration.js';
export type { TemperatureSearch } from './calibration.js';
export {
  annotatorAgreementWithAnnotators,
  annotatorAgreementWithConsensus,
  annotatorStats,
  bestQualityConsensus,
  consensusStats,
  detailedLabelQuality,
  getLabelQualityMultiannotator,
  sortAnnotatorStats,
  worstClassOf,
} from './crowdlab.js';
export type {
  ConsensusColumns,
  ConsensusMethod,
  ConsensusStats,
  MultiannotatorOptions,
  MultiannotatorResult,
  QualityMethod,
} from './crowdlab.js';
export type { LabelQualityKwargs } from './scores.js';
export { getActiveLearningScores } from './activelab.js';
export type { ActiveLearningResult } from './activelab.js';
export { dawidSkene } from './dawid-skene.js';
export type { DawidSkeneOptions, DawidSkeneResult } from './dawid-skene.js';
