/**
 * k nearest neighbours with sklearn 1.2's distances (spec task-types.md F3, F4): which metric
 * and algorithm `NearestNeighbors` would pick, and the distance each path computes bit for bit
 * (kd_tree: plain column sum; scipy: correctly rounded norm; GEMM-euclidean: ‖x‖² − 2·GEMM +
 * ‖y‖²; cosine: EINSUM norms and a GEMM of the normalised rows). Used by outliers (F5, F6)
 * and regression `outre` (E3).
 *
 * Speed: the GEMM and cosine paths first compute every distance with plain float64
 * arithmetic, keep the candidates within a rigorous error margin of the k-th smallest, and
 * evaluate only those with the exact FMA chain; the k smallest exact distances are the same.
 */
import { einsumRowDot, exactNorm, gemmDot } from './float-kernels.js';
import { argsortStable, selectKth } from './argsort.js';
import { InputError } from './errors.js';

/** Row-major N×D float64 feature matrix. */
export interface FeatureMatrix {
  readonly data: Float64Array;
  readonly n: number;
  readonly d: number;
}

export function featureMatrix(data: Float64Array, n: number, d: number): FeatureMatrix {
  if (data.length !== n * d) throw new RangeError(`featureMatrix: ${data.length} values for ${n}×${d}`);
  return { data, n, d };
}

/** sklearn metric names; `scipy_euclidean` stands for the callable scipy.spatial.distance.euclidean. */
export type KnnMetric = 'euclidean' | 'scipy_euclidean' | 'cosine';
export type SklearnAlgorithm = 'brute' | 'kd_tree' | 'ball_tree';
/** The distance formula (F4). */
export type DistancePath = 'kd_tree' | 'scipy' | 'gemm_euclidean' | 'cosine';

/** cleanlab's default metric for N rows of D columns (F3, E3). */
export function defaultMetric(n: number, d: number): KnnMetric {
  if (d > 3) return 'cosine';
  return n > 100 ? 'euclidean' : 'scipy_euclidean';
}

/** The name cleanlab reports for a metric (the callable's `__name__` is "euclidean"). */
export function metricName(m: KnnMetric): 'euclidean' | 'cosine' {
  return m === 'cosine' ? 'cosine' : 'euclidean';
}

/** How cleanlab's fixtures name the metric: the callable by its qualified name. */
export function metricLabel(m: KnnMetric): 'euclidean' | 'cosine' | 'scipy.spatial.distance.euclidean' {
  return m === 'scipy_euclidean' ? 'scipy.spatial.distance.euclidean' : m;
}

/** sklearn `algorithm="auto"` (F3). */
export function sklearnAlgorithm(metric: KnnMetric, n: number, d: number, k: number): SklearnAlgorithm {
  if (k >= Math.floor(n / 2) || d > 15 || metric === 'cosine') return 'brute';
  return metric === 'euclidean' ? 'kd_tree' : 'ball_tree';
}

export function distancePath(metric: KnnMetric, algorithm: SklearnAlgorithm): DistancePath {
  if (metric === 'cosine') return 'cosine';
  if (metric === 'scipy_euclidean') return 'scipy';
  return algorithm === 'kd_tree' ? 'kd_tree' : 'gemm_euclidean';
}

/** sklearn's chunk limit (working_memory 1024 MiB of float64 distances). */
const CHUNK_BYTES = 1024 * 1024 * 1024;

/** Per-row data a path precomputes for the fitted and the query set. */
interface Prepared {
  /** the rows the distance reads (normalised rows for cosine) */
  rows: Float64Array;
  /** squared norms in sklearn's order (GEMM-euclidean), else empty */
  sq: Float64Array;
  /** plain Σ x_j² per row (the scale of the rounding-error margin) */
  mag: Float64Array;
}

function prepare(x: FeatureMatrix, path: DistancePath): Prepared {
  const { n, d, data } = x;
  const mag = new Float64Array(n);
  if (path === 'cosine') {
    const rows = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      let nrm = Math.sqrt(einsumRowDot(data, i * d, data, i * d, d));
      if (nrm < 10 * Number.EPSILON) nrm = 1;
      let m = 0;
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j]! / nrm;
        rows[i * d + j] = v;
        m += v * v;
      }
      mag[i] = m;
    }
    return { rows, sq: new Float64Array(0), mag };
  }
  const sq = new Float64Array(path === 'gemm_euclidean' ? n : 0);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j]!;
      s = s + v * v; // ‖x‖² plain, from 0
    }
    if (path === 'gemm_euclidean') sq[i] = s;
    mag[i] = s;
  }
  return { rows: data, sq, mag };
}

const diffBuf = new Float64Array(8);

/** The exact distance of path `path` between fitted row j and query row i. */
function exactDistance(path: DistancePath, f: Prepared, q: Prepared, d: number, i: number, j: number): number {
  const x = q.rows;
  const y = f.rows;
  const xo = i * d;
  const yo = j * d;
  switch (path) {
    case 'kd_tree': {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = x[xo + c]! - y[yo + c]!;
        s = s + t * t;
      }
      return Math.sqrt(s);
    }
    case 'scipy': {
      for (let c = 0; c < d; c++) diffBuf[c] = x[xo + c]! - y[yo + c]!;
      return exactNorm(diffBuf, d);
    }
    case 'gemm_euclidean': {
      const g = gemmDot(x, xo, y, yo, d);
      const v = (q.sq[i]! + -2 * g) + f.sq[j]!;
      return Math.sqrt(v > 0 ? v : 0);
    }
    case 'cosine': {
      const g = gemmDot(x, xo, y, yo, d);
      const v = 1 + -g;
      return v < 0 ? 0 : v > 2 ? 2 : v;
    }
  }
}

/** Result of a k-nearest query: row i's neighbours at [i·k, (i+1)·k), distances ascending. */
export interface KnnResult {
  dist: Float64Array;
  idx: Int32Array;
  k: number;
}

/**
 * The k nearest fitted rows of every query row, distances ascending, equal distances by
 * lower fitted index. `sameObject`: the query IS the fitted array (Python `is`) — the
 * cosine path then sets the self-distances to 0 when sklearn computes the whole query in
 * one chunk (F4).
 */
export function kNearest(fit: FeatureMatrix, query: FeatureMatrix, k: number, path: DistancePath, sameObject: boolean): KnnResult {
  if (fit.d !== query.d) throw new InputError('features', `features have ${query.d} columns, the fitted features ${fit.d}.`);
  const d = fit.d;
  const nf = fit.n;
  const nq = query.n;
  const f = prepare(fit, path);
  const q = sameObject ? f : prepare(query, path);
  const zeroSelf = path === 'cosine' && sameObject && nq * nf * 8 <= CHUNK_BYTES;
  const dist = new Float64Array(nq * k);
  const idx = new Int32Array(nq * k);
  const approx = new Float64Array(nf);
  const scratch = new Float64Array(nf);
  const candIdx = new Int32Array(nf);
  const candDist = new Float64Array(nf);
  const cheap = path === 'kd_tree' || path === 'scipy';
  const eps = Number.EPSILON;
  let maxMag = 0;
  for (let j = 0; j < nf; j++) if (f.mag[j]! > maxMag) maxMag = f.mag[j]!;
  for (let i = 0; i < nq; i++) {
    let nc = 0;
    if (cheap) {
      for (let j = 0; j < nf; j++) {
        candIdx[j] = j;
        candDist[j] = exactDistance(path, f, q, d, i, j);
      }
      nc = nf;
    } else {
      // plain float64 pre-pass on the monotone pre-sqrt/pre-clip value, with an error bound
      plainDots(q.rows, i * d, f.rows, nf, d, approx);
      for (let j = 0; j < nf; j++) {
        const g = approx[j]!;
        approx[j] = path === 'cosine' ? -g : (q.sq[i]! - 2 * g) + f.sq[j]!;
      }
      if (zeroSelf) approx[i] = -Infinity;
      // k-th smallest approximate value
      scratch.set(approx);
      const kth = selectKth(scratch, nf, Math.min(k, nf) - 1);
      // |approx − exact| ≤ (d + 4)·eps·(Σ|x_j y_j|·2 + ‖x‖² + ‖y‖²) ≤ (d + 4)·eps·2·(‖x‖² + ‖y‖²)
      const qm = q.mag[i]!;
      const bound = 4 * (d + 4) * eps * (qm + maxMag) + 4 * eps * Math.abs(kth);
      const cut = kth + 2 * bound;
      for (let j = 0; j < nf; j++) {
        if (approx[j]! <= cut) {
          candIdx[nc] = j;
          candDist[nc] = zeroSelf && j === i ? 0 : exactDistance(path, f, q, d, i, j);
          nc++;
        }
      }
    }
    takeSmallest(candIdx, candDist, nc, k, dist, idx, i * k);
  }
  return { dist, idx, k };
}

/**
 * out[j] = Σ_c x[xo + c]·y[j·d + c] in plain float64, four fitted rows at a time (one load of
 * x per four products). Only a pre-filter: any summation order has the same error bound.
 */
function plainDots(x: Float64Array, xo: number, y: Float64Array, nf: number, d: number, out: Float64Array): void {
  let j = 0;
  for (; j + 4 <= nf; j += 4) {
    const y0 = j * d;
    const y1 = y0 + d;
    const y2 = y1 + d;
    const y3 = y2 + d;
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    for (let c = 0; c < d; c++) {
      const v = x[xo + c]!;
      g0 += v * y[y0 + c]!;
      g1 += v * y[y1 + c]!;
      g2 += v * y[y2 + c]!;
      g3 += v * y[y3 + c]!;
    }
    out[j] = g0;
    out[j + 1] = g1;
    out[j + 2] = g2;
    out[j + 3] = g3;
  }
  for (; j < nf; j++) {
    let g = 0;
    const yo = j * d;
    for (let c = 0; c < d; c++) g += x[xo + c]! * y[yo + c]!;
    out[j] = g;
  }
}

/** The k smallest (distance, index) pairs of the candidates, ascending, into out at o. */
function takeSmallest(ci: Int32Array, cd: Float64Array, nc: number, k: number, dist: Float64Array, idx: Int32Array, o: number): void {
  if (k > 32) {
    // large k (regression outre: k = ⌈N/2⌉): one stable sort; candidates come in increasing index
    const ord = argsortStable(cd.subarray(0, nc));
    for (let t = 0; t < k && t < nc; t++) {
      dist[o + t] = cd[ord[t]!]!;
      idx[o + t] = ci[ord[t]!]!;
    }
    return;
  }
  // partial insertion into a sorted window of size k (k is small)
  let len = 0;
  for (let t = 0; t < nc; t++) {
    const v = cd[t]!;
    const j = ci[t]!;
    if (len === k) {
      const lv = dist[o + k - 1]!;
      if (v > lv || (v === lv && j > idx[o + k - 1]!)) continue;
    }
    let p = len < k ? len++ : k - 1;
    while (p > 0 && (dist[o + p - 1]! > v || (dist[o + p - 1]! === v && idx[o + p - 1]! > j))) {
      dist[o + p] = dist[o + p - 1]!;
      idx[o + p] = idx[o + p - 1]!;
      p--;
    }
    dist[o + p] = v;
    idx[o + p] = j;
  }
}
