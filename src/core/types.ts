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

/**
 * The enumerated options, each declared once as a `const` tuple: the type is derived from
 * it, zod takes it as is (`z.enum(FILTER_BY_VALUES)`), and `isOneOf` narrows unknown input.
 */
export const FILTER_BY_VALUES = [
  'prune_by_noise_rate',
  'prune_by_class',
  'both',
  'confident_learning',
  'predicted_neq_given',
  'low_normalized_margin',
  'low_self_confidence',
] as const;
export type FilterBy = (typeof FILTER_BY_VALUES)[number];

export const RANK_BY_VALUES = ['self_confidence', 'normalized_margin', 'confidence_weighted_entropy'] as const;
export type RankBy = (typeof RANK_BY_VALUES)[number];

export const PY_METHODS = ['cnt', 'eqn', 'marginal', 'marginal_ps'] as const;
export type PyMethod = (typeof PY_METHODS)[number];

export const NUM_LABEL_ISSUES_METHODS = ['off_diagonal', 'off_diagonal_calibrated', 'off_diagonal_custom'] as const;
export type NumLabelIssuesMethod = (typeof NUM_LABEL_ISSUES_METHODS)[number];

/** Is `value` one of `values`? (narrows an unknown option to the enum's type) */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function probMatrix(data: FloatArray, n: number, k: number): ProbMatrix {
  if (data.length !== n * k) {
    throw new RangeError(`probMatrix: data has ${data.length} values, expected ${n}×${k}`);
  }
  return { data, n, k };
}
