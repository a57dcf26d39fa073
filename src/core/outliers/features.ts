/**
 * Outlier scores from features (spec task-types.md F3, F5, F6): the KNN graph of the fitted
 * features (self excluded, exact duplicates corrected), average neighbour distances, the
 * scaling factor and cleanlab's `transform_distances_to_scores`. Regression `outre` (E3)
 * reuses the averaging and the transform.
 */
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import {
  defaultMetric,
  distancePath,
  kNearest,
  metricName,
  sklearnAlgorithm,
  type DistancePath,
  type FeatureMatrix,
  type KnnMetric,
  type KnnResult,
  type SklearnAlgorithm,
} from '../knn.js';

/** Scores below this average distance are set to exactly 1 (F5 step 6). */
export const EUCLIDEAN_TOLERANCE = 1.4901161193847656e-7; // sqrt(100·eps)
export const COSINE_TOLERANCE = 1.1102230246251565e-14; // 100·2^-53

/** The fitted KNN index: the training features and how sklearn searches them. */
export interface KnnIndex {
  features: FeatureMatrix;
  k: number;
  metric: KnnMetric;
  algorithm: SklearnAlgorithm;
  path: DistancePath;
}

/** cleanlab's default k (F3): the param, or min(10, N − 1) when it is None or 0; k ≥ N raises. */
export function resolveK(k: number | null | undefined, n: number): number {
  const kk = k === null || k === undefined || k === 0 ? Math.min(10, n - 1) : k;
  if (kk >= n) {
    throw new InputError(
      'params.k',
      `Number of nearest neighbors k=${kk} cannot exceed the number of examples N=${n} passed into the estimator (knn).`,
    );
  }
  return kk;
}

/** Build the index sklearn's `NearestNeighbors(n_neighbors=k, metric=default)` would (F3). */
export function buildKnnIndex(features: FeatureMatrix, k: number): KnnIndex {
  const metric = defaultMetric(features.n, features.d);
  const algorithm = sklearnAlgorithm(metric, features.n, features.d, k);
  return { features, k, metric, algorithm, path: distancePath(metric, algorithm) };
}

/** Row means of the k distances per row (numpy pairwise mean). */
export function averageDistances(dist: Float64Array, n: number, k: number): Float64Array {
  const avg = new Float64Array(n);
  for (let i = 0; i < n; i++) avg[i] = pairwiseSum(dist, i * k, (i + 1) * k) / k;
  return avg;
}

/** np.median: the middle value, or the mean of the two middle values. */
export function median(x: Float64Array): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** cleanlab's scaling factor: max(median(avg), 100·eps). */
export function scalingFactorOf(avg: Float64Array): number {
  return Math.max(median(avg), 2.220446049250313e-14);
}

/**
 * cleanlab `transform_distances_to_scores`: exp((−t·avg)/max(scaling_factor, 1e-6)), and
 * exactly 1 below the metric's tolerance.
 */
export function transformDistancesToScores(avg: Float64Array, t: number, scalingFactor: number, metric: 'euclidean' | 'cosine'): Float64Array {
  const tol = metric === 'cosine' ? COSINE_TOLERANCE : EUCLIDEAN_TOLERANCE;
  const sf = Math.max(scalingFactor, 1e-6);
  const out = new Float64Array(avg.length);
  for (let i = 0; i < avg.length; i++) {
    const a = avg[i]!;
    out[i] = a < tol ? 1 : Math.exp((-t * a) / sf);
  }
  return out;
}

/** Rows i and j equal in every column as floats (−0 equals +0, NaN never equal). */
function rowsEqual(data: Float64Array, d: number, i: number, j: number): boolean {
  for (let c = 0; c < d; c++) if (data[i * d + c] !== data[j * d + c]) return false;
  return true;
}

/** Exact-duplicate groups: first[i] = lowest row equal to row i; size[i] = its group's size. */
function duplicateGroups(x: FeatureMatrix): { first: Int32Array; size: Int32Array } {
  const { n, d, data } = x;
  const first = new Int32Array(n);
  const size = new Int32Array(n);
  const buckets = new Map<number, number[]>();
  const bits = new Float64Array(1);
  const words = new Int32Array(bits.buffer);
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5 | 0;
    for (let c = 0; c < d; c++) {
      const v = data[i * d + c]!;
      bits[0] = v === 0 ? 0 : v;
      h = Math.imul(h ^ words[0]!, 16777619);
      h = Math.imul(h ^ words[1]!, 16777619);
    }
    let list = buckets.get(h);
    if (!list) buckets.set(h, (list = []));
    let f = i;
    for (const j of list) {
      if (rowsEqual(data, d, i, j)) {
        f = j;
        break;
      }
    }
    if (f === i) list.push(i);
    first[i] = f;
    size[f]!++;
  }
  for (let i = 0; i < n; i++) size[i] = size[first[i]!]!;
  return { first, size };
}

/**
 * The training set's own KNN distances (F5 steps 2–3): k + 1 nearest, the point itself
 * dropped (else the first column), then the exact-duplicate correction. Row i at [i·k, i·k + k).
 */
export function selfKnnDistances(index: KnnIndex): Float64Array {
  const x = index.features;
  const k = index.k;
  const n = x.n;
  const kk = Math.min(k + 1, n);
  const r: KnnResult = kNearest(x, x, kk, index.path, true);
  const dist = new Float64Array(n * k);
  const nbr = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    let drop = 0;
    for (let c = 0; c < kk; c++) {
      if (r.idx[i * kk + c] === i) {
        drop = c;
        break;
      }
    }
    for (let c = 0, o = 0; c < kk; c++) {
      if (c === drop) continue;
      if (o < k) {
        dist[i * k + o] = r.dist[i * kk + c]!;
        nbr[i * k + o] = r.idx[i * kk + c]!;
        o++;
      }
    }
  }
  const { first, size } = duplicateGroups(x);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const s = size[i]!;
    if (s < 2) continue;
    if (s >= k + 1) {
      dist.fill(0, i * k, (i + 1) * k);
      continue;
    }
    const m = Math.min(s - 1, k);
    row.fill(0);
    let o = m;
    for (let c = 0; c < k && o < k; c++) {
      const j = nbr[i * k + c]!;
      if (first[j] === first[i]) continue;
      row[o++] = dist[i * k + c]!;
    }
    dist.set(row, i * k);
  }
  return dist;
}

/** Result of scoring features: scores, the average KNN distances and the scaling factor used. */
export interface FeatureScores {
  scores: Float64Array;
  avgKnnDistances: Float64Array;
  scalingFactor: number;
}

/** Fit-path scores (F5): self-excluded, duplicate-corrected distances; a new scaling factor. */
export function fitFeatureScores(index: KnnIndex, t: number): FeatureScores {
  const dist = selfKnnDistances(index);
  const avg = averageDistances(dist, index.features.n, index.k);
  const sf = scalingFactorOf(avg);
  return { scores: transformDistancesToScores(avg, t, sf, metricName(index.metric)), avgKnnDistances: avg, scalingFactor: sf };
}

/**
 * Query-path scores (F6): each query row's k nearest fitted rows (no self-exclusion), the
 * stored scaling factor. `sameObject`: the query is the fitted array itself (Python `is`).
 */
export function queryFeatureScores(index: KnnIndex, query: FeatureMatrix, t: number, scalingFactor: number, sameObject = false): FeatureScores {
  const r = kNearest(index.features, query, index.k, index.path, sameObject);
  const avg = averageDistances(r.dist, query.n, index.k);
  return {
    scores: transformDistancesToScores(avg, t, scalingFactor, metricName(index.metric)),
    avgKnnDistances: avg,
    scalingFactor,
  };
}
