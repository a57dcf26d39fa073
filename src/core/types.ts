/**
 * Shared shapes of the pure engine. Arrays are row-major; every arithmetic step reads
 * elements as JS numbers (float64), so Float32Array input is converted exactly.
 */
export type FloatArray = Float64Array | Float32Array;

/** N×K matrix of predicted probabilities, row-major: P[n][k] = data[n * k + k]. */
export interface ProbMatrix {
  readonly data: FloatArray;
  readonly n: number;
  readonly k: number;
}

/** K×K (or any small) dense matrix as nested arrays — what the API returns. */
export type Matrix = number[][];

export type FilterBy =
  | 'prune_by_noise_rate'
  | 'prune_by_class'
  | 'both'
  | 'confident_learning'
  | 'predicted_neq_given'
  | 'low_normalized_margin'
  | 'low_self_confidence';

export const FILTER_BY_VALUES: readonly FilterBy[] = [
  'prune_by_noise_rate',
  'prune_by_class',
  'both',
  'confident_learning',
  'predicted_neq_given',
  'low_normalized_margin',
  'low_self_confidence',
];

export type RankBy = 'self_confidence' | 'normalized_margin' | 'confidence_weighted_entropy';

export const RANK_BY_VALUES: readonly RankBy[] = [
  'self_confidence',
  'normalized_margin',
  'confidence_weighted_entropy',
];

export type PyMethod = 'cnt' | 'eqn' | 'marginal' | 'marginal_ps';

export type NumLabelIssuesMethod = 'off_diagonal' | 'off_diagonal_calibrated' | 'off_diagonal_custom';

export function probMatrix(data: FloatArray, n: number, k: number): ProbMatrix {
  if (data.length !== n * k) {
    throw new RangeError(`probMatrix: data has ${data.length} values, expected ${n}×${k}`);
  }
  return { data, n, k };
}
