/**
 * cleanlab `regression.rank.get_label_quality_scores` (spec task-types.md Part E):
 * validation in cleanlab's order, `residual` and `outre` (KNN on standardised label and
 * residual, the distances of knn.ts, the transform of outliers/features.ts).
 */
import { InputError } from './errors.js';
import { featureMatrix, kNearest, type DistancePath } from './knn.js';
import { pairwiseSum } from './numeric.js';
import { averageDistances, scalingFactorOf, transformDistancesToScores } from './outliers/features.js';

export type RegressionMethod = 'residual' | 'outre';
export const REGRESSION_METHODS: readonly RegressionMethod[] = ['residual', 'outre'];

/** A nested JS array's shape, or null when ragged / not all numbers (null counts as NaN). */
function shapeOf(x: unknown): { shape: number[]; numeric: boolean } {
  if (!Array.isArray(x) && !ArrayBuffer.isView(x)) return { shape: [], numeric: typeof x === 'number' || x === null };
  const arr = x as ArrayLike<unknown>;
  if (arr.length === 0) return { shape: [0], numeric: true };
  const first = shapeOf(arr[0]);
  let numeric = first.numeric;
  for (let i = 1; i < arr.length; i++) {
    const s = shapeOf(arr[i]);
    if (s.shape.length !== first.shape.length || s.shape.some((v, j) => v !== first.shape[j])) return { shape: [arr.length], numeric: false };
    numeric &&= s.numeric;
  }
  return { shape: [arr.length, ...first.shape], numeric };
}

function flatten(x: unknown, out: number[]): void {
  if (Array.isArray(x) || ArrayBuffer.isView(x)) for (const v of x as ArrayLike<unknown> & Iterable<unknown>) flatten(v, out);
  else out.push(x === null ? NaN : (x as number));
}

/** cleanlab's per-array checks (E1): non-empty, 1-D after squeezing, numeric. */
export function regressionVector(name: 'labels' | 'predictions', x: unknown): Float64Array {
  if (x instanceof Float64Array || x instanceof Float32Array) {
    if (x.length === 0) throw new InputError(name, `${name} cannot be empty array.`);
    if (x.length === 1) throw new InputError(name, `Expected 1-Dimensional inputs for ${name}, got 0 dimensions.`);
    return Float64Array.from(x);
  }
  const { shape, numeric } = shapeOf(x);
  if (shape.reduce((a, b) => a * b, 1) === 0) throw new InputError(name, `${name} cannot be empty array.`);
  const squeezed = shape.filter((v) => v !== 1);
  if (squeezed.length !== 1) {
    throw new InputError(name, `Expected 1-Dimensional inputs for ${name}, got ${squeezed.length} dimensions.`);
  }
  if (!numeric) throw new InputError(name, `Expected ${name} to contain numeric values, got values of type object.`);
  const out: number[] = [];
  flatten(x, out);
  return Float64Array.from(out);
}

/** Diagnostics of `outre` (what the fixtures record as diagnostics_outre). */
export interface OutreDiagnostics {
  metric: 'euclidean' | 'scipy.spatial.distance.euclidean';
  sklearn_algorithm: 'brute';
  n_neighbors: number;
  scaling_factor: number;
  avg_knn_distances: Float64Array;
}

/** numpy mean and population std (pairwise sums). */
function standardise(x: Float64Array): Float64Array {
  const n = x.length;
  const mean = pairwiseSum(x) / n;
  const dev = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = x[i]! - mean;
    dev[i] = t * t;
  }
  const std = Math.sqrt(pairwiseSum(dev) / n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i]! - mean) / (std + 1e-100);
  return out;
}

/** `method="outre"` on validated vectors (E3). */
export function outreScores(labels: Float64Array, predictions: Float64Array, diagnostics?: (d: OutreDiagnostics) => void): Float64Array {
  const n = labels.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = predictions[i]! - labels[i]!;
  const u = standardise(labels);
  const v = standardise(r);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = u[i]!;
    x[2 * i + 1] = 5 * v[i]!;
    if (x[2 * i] !== x[2 * i] || x[2 * i + 1] !== x[2 * i + 1]) {
      throw new InputError(Number.isFinite(labels[i]!) ? 'predictions' : 'labels', 'Input X contains NaN.', { row: i });
    }
  }
  const k = Math.ceil(n / 2);
  const path: DistancePath = n > 100 ? 'gemm_euclidean' : 'scipy';
  const feats = featureMatrix(x, n, 2);
  const res = kNearest(feats, feats, k, path, false);
  const avg = averageDistances(res.dist, n, k);
  const sf = scalingFactorOf(avg);
  diagnostics?.({ metric: n > 100 ? 'euclidean' : 'scipy.spatial.distance.euclidean', sklearn_algorithm: 'brute', n_neighbors: k, scaling_factor: sf, avg_knn_distances: avg });
  return transformDistancesToScores(avg, 1, sf, 'euclidean');
}

/** `method="residual"`: exp(−|prediction − label|) (E2). */
export function residualScores(labels: Float64Array, predictions: Float64Array): Float64Array {
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = Math.exp(-Math.abs(predictions[i]! - labels[i]!));
  return out;
}

/**
 * cleanlab `regression.rank.get_label_quality_scores(labels, predictions, method=)`
 * (lower = more likely a label error). Accepts nested arrays (null = NaN) or typed arrays.
 */
export function getLabelQualityScores(
  labels: unknown,
  predictions: unknown,
  opts: { method?: string; diagnostics?: (d: OutreDiagnostics) => void } = {},
): Float64Array {
  const y = regressionVector('labels', labels);
  const p = regressionVector('predictions', predictions);
  if (y.length !== p.length) {
    throw new InputError('predictions', `Number of examples in labels (${y.length},) and predictions (${p.length},) are not same.`);
  }
  for (const [name, a] of [['labels', y], ['predictions', p]] as const) {
    const bad = a.findIndex((v) => v !== v);
    if (bad >= 0) throw new InputError(name, `${name} cannot contain missing values.`, { row: bad });
  }
  const method = opts.method ?? 'outre';
  if (!REGRESSION_METHODS.includes(method as RegressionMethod)) {
    throw new InputError('method', `Specified method '${method}' must be one of: ['residual', 'outre'].`);
  }
  return method === 'residual' ? residualScores(y, p) : outreScores(y, p, opts.diagnostics);
}
